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
std::string to_string(send_mode m) {
    switch (m) {
        case send_mode::buffered: return "buffered";
        case send_mode::synchronous: return "synchronous";
        case send_mode::eager: return "eager";
    }
    return "?";
}

std::optional<schedule> parse_schedule(std::string_view text) {
    if (text == "random") return schedule::random;
    if (text == "round-robin") return schedule::round_robin;
    return std::nullopt;
}

std::optional<send_mode> parse_send_mode(std::string_view text) {
    if (text == "buffered") return send_mode::buffered;
    if (text == "synchronous") return send_mode::synchronous;
    if (text == "eager") return send_mode::eager;
    return std::nullopt;
}

std::string to_string(collective_mode m) { return m == collective_mode::local ? "local" : "synchronizing"; }

std::optional<collective_mode> parse_collective_mode(std::string_view text) {
    if (text == "synchronizing") return collective_mode::synchronizing;
    if (text == "local") return collective_mode::local;
    return std::nullopt;
}

std::string to_flags(const options& opts) {
    std::string flags = fmt::format("--ranks {} --seed {} --schedule {} --sends {}", opts.ranks, opts.seed,
                                    to_string(opts.schedule), to_string(opts.sends));
    if (opts.sends == send_mode::eager) flags += fmt::format(" --eager-limit {}", opts.eager_limit);
    if (opts.collectives == collective_mode::local) flags += " --collectives local";
    return flags;
}

std::string to_string(const event& e) {
    return fmt::format("step {} rank {} {} peer {} tag {} bytes {} comm {} at {}", e.step, e.rank, e.operation, e.peer,
                       e.tag, e.bytes, e.comm, e.location);
}

}  // namespace baton::sim
