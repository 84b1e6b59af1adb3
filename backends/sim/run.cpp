// sim::run_ranks and the textual forms of the simulator's options.
#include <fmt/format.h>

#include <baton/sim.hpp>

#include "engine.hpp"

namespace baton::sim {

std::vector<event> run_ranks(const options& opts, const std::function<void(communicator&)>& body) {
    detail::engine eng(opts, body);
    return eng.run();
}

std::string to_string(schedule s) { return s == schedule::random ? "random" : "round-robin"; }
std::string to_string(send_mode m) { return m == send_mode::buffered ? "buffered" : "synchronous"; }

std::optional<schedule> parse_schedule(std::string_view text) {
    if (text == "random") return schedule::random;
    if (text == "round-robin") return schedule::round_robin;
    return std::nullopt;
}

std::optional<send_mode> parse_send_mode(std::string_view text) {
    if (text == "buffered") return send_mode::buffered;
    if (text == "synchronous") return send_mode::synchronous;
    return std::nullopt;
}

std::string to_flags(const options& opts) {
    return fmt::format("--ranks {} --seed {} --schedule {} --sends {}", opts.ranks, opts.seed,
                       to_string(opts.schedule), to_string(opts.sends));
}

std::string to_string(const event& e) {
    return fmt::format("step {} rank {} {} peer {} tag {} bytes {} comm {} at {}", e.step, e.rank, e.operation, e.peer,
                       e.tag, e.bytes, e.comm, e.location);
}

}  // namespace baton::sim
