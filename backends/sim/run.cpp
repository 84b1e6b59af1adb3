// sim::run_ranks and the textual forms of the simulator's options.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include <baton/errors.hpp>
#include <baton/sim.hpp>

#include "engine.hpp"

namespace baton::sim {

namespace {

// One run, its simulated time said at its end when asked for.
detail::run_outcome run_once(const options& opts, const std::function<void(communicator&)>& body) {
    detail::engine eng(opts, body);
    auto outcome = eng.run();
    if (!outcome.time_summary.empty()) std::fprintf(stderr, "%s\n", outcome.time_summary.c_str());
    return outcome;
}

}  // namespace

std::vector<event> run_ranks(const options& opts, const std::function<void(communicator&)>& body) {
    auto outcome = run_once(opts, body);
    if (outcome.error) std::rethrow_exception(outcome.error);
    return std::move(outcome.events);
}

recorded_run run_and_record(const options& opts, const std::function<void(communicator&)>& body) {
    auto outcome = run_once(opts, body);
    return {std::move(outcome.events), outcome.error};
}

std::string to_string(schedule s) {
    switch (s) {
        case schedule::random: return "random";
        case schedule::round_robin: return "round-robin";
        case schedule::pct: return "pct";
        case schedule::systematic: return "systematic";
    }
    return "?";
}
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
    if (text == "pct") return schedule::pct;
    if (text == "systematic") return schedule::systematic;
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

std::string to_string(rank_context c) {
    switch (c) {
        case rank_context::thread: return "thread";
        case rank_context::fiber: return "fiber";
        case rank_context::process: return "process";
    }
    return "?";
}

std::string to_string(compute_time c) { return c == compute_time::zero ? "zero" : "measured"; }

std::optional<rank_context> parse_rank_context(std::string_view text) {
    if (text == "thread") return rank_context::thread;
    if (text == "fiber") return rank_context::fiber;
    if (text == "process") return rank_context::process;
    return std::nullopt;
}

rank_context default_rank_context() {
    static const std::optional<rank_context> from_environment = [] {
        const char* text = std::getenv("BATON_CONTEXT");
        return text && *text ? parse_rank_context(text) : rank_context::thread;
    }();
    if (!from_environment)
        throw usage_error(fmt::format("BATON_CONTEXT={}: the simulator's ranks run on a thread, a fiber or a process",
                                      std::getenv("BATON_CONTEXT")));
    return *from_environment;
}

unsigned default_rank_timeout() {
    static const std::optional<unsigned> from_environment = []() -> std::optional<unsigned> {
        const char* text = std::getenv("BATON_RANK_TIMEOUT");
        if (!text || !*text) return 0u;
        unsigned seconds = 0;
        const std::string_view view(text);
        const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), seconds);
        if (error != std::errc{} || end != view.data() + view.size()) return std::nullopt;
        return seconds;
    }();
    if (!from_environment)
        throw usage_error(fmt::format("BATON_RANK_TIMEOUT={}: expected whole seconds (0 for no timeout)",
                                      std::getenv("BATON_RANK_TIMEOUT")));
    return *from_environment;
}

namespace {

// Whether the environment variable that gives a flag's value when the command line does not is
// set: a replay command run in that shell would then not get the flag's default.
bool environment_sets(const char* variable) {
    const char* value = std::getenv(variable);
    return value && *value;
}

}  // namespace

// Every option that changes what the ranks do, so that the command reproduces the run whatever
// the environment: the default values of --collectives and --context are left out only where no
// BATON_* variable would replace them. Not the outputs and debugging aids (--trace, --timeline,
// --report-*, --break-at): they change nothing in the run, and the user adds those wanted.
std::string to_flags(const options& opts) {
    std::string flags = fmt::format("--ranks {}", opts.ranks);
    if (opts.schedule == schedule::systematic)
        flags += " --replay " + to_token(opts.plan);
    else
        flags += fmt::format(" --seed {} --schedule {}", opts.seed, to_string(opts.schedule));
    if (opts.schedule == schedule::pct) flags += fmt::format(" --pct-depth {} --pct-steps {}", opts.pct_depth, opts.pct_steps);
    flags += " --sends " + to_string(opts.sends);
    if (opts.sends == send_mode::eager) flags += fmt::format(" --eager-limit {}", opts.eager_limit);
    if (opts.collectives == collective_mode::local || environment_sets("BATON_COLLECTIVES"))
        flags += " --collectives " + to_string(opts.collectives);
    if (opts.context != rank_context::thread || environment_sets("BATON_CONTEXT"))
        flags += " --context " + to_string(opts.context);
    // Always with fibers: whether a rank overflows its stack depends on it.
    if (opts.context == rank_context::fiber) flags += fmt::format(" --fiber-stack {}", opts.fiber_stack_bytes);
    if (opts.poll_limit != default_poll_limit) flags += fmt::format(" --poll-limit {}", opts.poll_limit);
    if (opts.strict_buffers) flags += " --strict-buffers";
    // Simulated time changes no schedule, but the times a program prints.
    if (!opts.network.empty()) {
        flags += " --network " + opts.network;  // checked: no character a shell would take
        flags += " --compute-time " + to_string(opts.computing);
        if (opts.computing == compute_time::measured && opts.cpu_scale != 1.0) flags += fmt::format(" --cpu-scale {}", opts.cpu_scale);
        if (opts.ranks_per_node > 0) flags += fmt::format(" --ranks-per-node {}", opts.ranks_per_node);
    }
    return flags;
}

std::string to_token(const std::vector<choice>& choices) {
    // Trailing first-alternative choices are what a systematic run makes anyway: leave them out.
    std::size_t length = choices.size();
    while (length > 0 && choices[length - 1].chosen == 0) --length;
    std::string token = "v1";
    for (std::size_t i = 0; i < length; ++i) token += fmt::format(".{}/{}", choices[i].chosen, choices[i].of);
    return token;
}

std::optional<std::vector<choice>> parse_token(std::string_view token) {
    if (!token.starts_with("v1")) return std::nullopt;
    token.remove_prefix(2);
    // Each number plain decimal, all of it (from_chars takes no sign, space or 0x for unsigned).
    auto number = [](std::string_view text) -> std::optional<std::uint32_t> {
        std::uint32_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
        return value;
    };
    std::vector<choice> choices;
    while (!token.empty()) {  // ".CHOSEN/OF" for each choice, CHOSEN < OF
        if (token.front() != '.') return std::nullopt;
        token.remove_prefix(1);
        const std::size_t slash = token.find('/'), end = std::min(token.find('.'), token.size());
        if (slash >= end) return std::nullopt;
        const auto chosen = number(token.substr(0, slash)), of = number(token.substr(slash + 1, end - slash - 1));
        if (!chosen || !of || *chosen >= *of) return std::nullopt;
        choices.push_back({*chosen, *of});
        token.remove_prefix(end);
    }
    return choices;
}

std::string to_string(const event& e) {
    return fmt::format("step {} rank {} {} peer {} tag {} bytes {} comm {} at {}", e.step, e.rank, e.operation, e.peer,
                       e.tag, e.bytes, e.comm, e.location);
}

}  // namespace baton::sim
