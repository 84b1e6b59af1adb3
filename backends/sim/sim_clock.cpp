#include "sim_clock.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine.hpp"
#include "process_exit.hpp"
#include "rank_table.hpp"

namespace baton::sim::detail {

simulated_time::simulated_time(const options& opts, rank_table& ranks)
    : ranks_(ranks), network_(parse_network(opts.network.empty() ? "shm" : opts.network)), shm_(parse_network("shm")),
      ranks_per_node_(opts.ranks_per_node), asked_(!opts.network.empty()), measuring_(asked_ && opts.computing == compute_time::measured),
      cpu_scale_(opts.cpu_scale) {
    if (!(opts.cpu_scale > 0) || !std::isfinite(opts.cpu_scale))
        throw usage_error(fmt::format("sim::run: cpu_scale must be a positive number, not {}", opts.cpu_scale));
    if (opts.ranks_per_node < 0)
        throw usage_error(fmt::format("sim::run: ranks_per_node must be 0 (not given) or positive, not {}", opts.ranks_per_node));
}


simulated_time::done_times simulated_time::match(const sent_timing& sent, sim_time posted) const {
    const auto& n = sent.net ? *sent.net : network_;
    const sim_time data = wire_time(n, sent.bytes);
    if (!sent.rendezvous) return {sent.leaves, std::max(posted, sent.leaves + data) + n.overhead};
    // The request and the clear-to-send carry no data: a 0-byte message's latency.
    const sim_time control = n.latency_of(0);
    const sim_time handshake = std::max(posted, sent.leaves + control);
    return {handshake + control + n.transfer(sent.bytes), handshake + control + data + n.overhead};
}

std::string simulated_time::summary() const {
    sim_time longest = 0, total = 0, computing = 0;
    for (int r = 0; r < ranks_.size(); ++r) {
        const auto& slot = ranks_[r];
        longest = std::max(longest, slot.clock.now);
        total += slot.clock.now;
        computing += slot.clock.computing;
    }
    const double communication = total > 0 ? 100.0 * static_cast<double>(total - computing) / static_cast<double>(total) : 0;
    const std::string per_node =
        ranks_per_node_ > 0 ? fmt::format(", {} rank{} per node", ranks_per_node_, ranks_per_node_ == 1 ? "" : "s") : "";
    return fmt::format("baton: simulated time {:.4g} s on {} ranks (network {}{}); communication {:.0f} % of rank-time",
                       seconds(longest), ranks_.size(), network_.name, per_node, communication);
}

double simulated_clock::now() { return eng_.wtime(current_rank()); }

}  // namespace baton::sim::detail
