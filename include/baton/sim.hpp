// Running ranks on the deterministic simulator, from a test or any other code:
//
//     auto result = baton::sim::run({.ranks = 4, .seed = 7}, [](baton::communicator& world) {
//         return world.allreduce(world.rank(), baton::op::sum);
//     });
//     // result.values == {6, 6, 6, 6}
//
// A thread (or a fiber, see rank_context) per rank, exactly one running at a time, chosen by a
// scheduler that is a pure function of the program and the seed: the same options give the same
// interleaving, the same wildcard matches and the same output, on any machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <baton/communicator.hpp>
#include <baton/findings.hpp>
#include <baton/detail/results.hpp>

namespace baton {
struct profile;
}

namespace baton::sim {

enum class schedule {
    random,       // at every call, a seeded random choice among the ranks that can run
    round_robin,  // at every call, the next rank (in rank order) that can run
    pct,          // probabilistic concurrency testing: seeded priorities, pct_depth - 1 changes
    systematic,   // for exploration and replay: round-robin, wildcard receives matched only once
                  // every rank is blocked (so every candidate message is there), and every choice
                  // among several candidates taken from `plan`, then the first
};

// One choice a run made: alternative `chosen` of `of`.
struct choice {
    std::uint32_t chosen = 0;
    std::uint32_t of = 0;
    friend bool operator==(const choice&, const choice&) = default;
};

// A run's choices as a short text, "v1.2/3.0/2.1/4", and back (nothing for a malformed token).
std::string to_token(const std::vector<choice>& choices);
std::optional<std::vector<choice>> parse_token(std::string_view token);

// How much MPI buffers sends, as far as this run is concerned. A program correct under MPI's rules
// runs the same in every mode; one that only works because sends were buffered deadlocks in the
// stricter ones, and the report calls that a potential deadlock.
enum class send_mode {
    buffered,     // every send completes at once: unlimited buffering (the default)
    synchronous,  // no buffering: a send completes only once a receive has matched it, as MPI_Ssend
    eager,        // sends up to eager_limit bytes are buffered, larger ones synchronous, like MPI's
                  // eager and rendezvous protocols
};

// When a rank may leave a collective. MPI lets a rank whose part is only to give (a bcast's root,
// a gather's other ranks) return before the others arrive, or not: a correct program works both
// ways; a deadlock that only the synchronizing mode shows is reported as a potential one.
enum class collective_mode {
    synchronizing,  // nobody leaves before everyone has arrived (the default)
    local,          // ranks that only give return at once
};

// What each simulated rank runs on. Both give the same schedules, results and reports.
enum class rank_context {
    thread,  // an OS thread per rank (the default): a debugger lists every rank as a thread, and
             // sanitizers and thread_local work as usual
    fiber,   // a fiber per rank, all on the thread that calls run: a switch between ranks costs
             // nanoseconds instead of microseconds and 100 000 ranks fit in a few GiB, but every
             // rank sees the same thread_local variables
    process, // a process per rank, forked from this one: each rank has its own globals and heap,
             // and a rank that crashes, aborts or calls exit() is reported while the run ends
             // cleanly. The rank's calls travel over a socket to the engine, which stays in this
             // process; what the rank function returns travels back (it must be sendable).
};
// Where a run's engine and ranks run (options::bind_to).
enum class binding {
    core,  // on one core, the one the run starts on, wherever a hand-off between threads or
           // processes would otherwise wake another core: process ranks, and thread ranks that
           // outnumber the cores (the default; see README, "Threads, fibers or processes")
    none,  // wherever the OS puts them: for ranks that start threads of their own (OpenMP)
};

// rank_context::thread, or what the environment variable BATON_CONTEXT says ("thread", "fiber"
// or "process"): so a whole test suite can run on fibers or processes without a change. Throws
// usage_error for another value.
rank_context default_rank_context();

// What the environment variable BATON_RANK_TIMEOUT says (whole seconds), or 0 (no timeout) when
// it is unset: so a test suite (`meson test`) can turn it on for every run. Throws usage_error for
// another value.
unsigned default_rank_timeout();

// What advances a simulated rank's clock between two of its baton calls (README, "Profiling and
// simulated time").
enum class compute_time {
    measured,  // the CPU time the rank spent computing, times options::cpu_scale
    zero,      // nothing: every simulated time is deterministic
};

// options::poll_limit's default.
inline constexpr std::uint64_t default_poll_limit = 10'000;

struct options {
    int ranks = 4;
    std::uint64_t seed = 1;
    sim::schedule schedule = schedule::random;
    sim::send_mode sends = send_mode::buffered;
    std::size_t eager_limit = 65536;  // bytes; used with send_mode::eager
    sim::collective_mode collectives = collective_mode::synchronizing;
    int pct_depth = 3;                 // schedule::pct: the bug depth d it aims at
    std::uint64_t pct_steps = 1000;    // schedule::pct: the steps over which priorities change
    std::vector<choice> plan;          // schedule::systematic: the choices to make, in order
    std::uint64_t break_at_step = 0;   // raise SIGTRAP in the running rank at this step (0: never)
    int debug_rank = -1;               // stop this rank for a debugger before its code starts (-1: none)
    bool record = false;               // keep the event log (result.events)
    sim::rank_context context = default_rank_context();
    // A rank that runs its own code this many seconds without a baton call (an endless loop)
    // ends the process with the state of every rank (0: never). Interrupting a run (SIGINT,
    // SIGTERM) prints the same report, whatever this is.
    unsigned rank_timeout_seconds = default_rank_timeout();
    std::size_t fiber_stack_bytes = 256 * 1024;  // rank_context::fiber: each rank's stack
    sim::binding bind_to = binding::core;
    bool plan_is_exact = true;         // a plan recorded from a run: report a run that does not follow it
    // A polling loop (iprobe, test) is called stuck, a deadlock, once it has polled in vain this
    // many times in a row while nothing else in the run could happen (0: never; see README).
    std::uint64_t poll_limit = default_poll_limit;
    // Protect the pages wholly inside pending isend (read-only) and irecv (no access) buffers, and
    // report the first write or read of one before the request completes, with its line.
    bool strict_buffers = false;
    // How reports say to replay the run: "<program> <flags for these options> <program_args>";
    // "sim::run with <flags>" when `program` is empty.
    std::string program;
    std::string program_args;
    // Simulated time (README, "Profiling and simulated time"): the network model every rank's
    // clock runs on, a preset ("shm", "ib-hdr", "eth-10g") or "latency=1.5us,bandwidth=12.5GB/s,
    // overhead=0.3us,gap=0.3us" (networks_help() lists them). Empty: no simulated time was asked
    // for; the clocks (baton::wtime) still run on "shm", counting communication only, and nothing
    // is printed at the end. Given: computation counts as `computing` says, and the run ends with
    // a line on stderr giving the simulated time.
    std::string network;
    sim::compute_time computing = compute_time::measured;
    double cpu_scale = 1.0;  // compute_time::measured: simulated seconds per CPU second
    // --profile (profile.hpp): where the run's profile goes, filled when the run ends however it
    // ends (null: no profile, and no call pays for one). Simulated time when `network` is given,
    // the real time otherwise.
    baton::profile* profile = nullptr;
    // Ranks of one node: world ranks r and s share a node when r / ranks_per_node equals
    // s / ranks_per_node, and their messages take the "shm" model instead of `network`. 0: not
    // given, every rank a node of its own.
    int ranks_per_node = 0;
};

// The network presets and the form of a network of one's own, one per line, for --help.
std::string networks_help();
// Throws usage_error saying what is wrong if `text` is no network options::network accepts.
void check_network(std::string_view text);

// The simulated rank running on the calling thread, or -1 outside one: for a debugger stopped by
// --break-at (`print baton::sim::running_rank()`) or a signal handler. Works for fibers too.
int running_rank() noexcept;

// The options as command-line flags: "--ranks 4 --seed 7 --schedule random --sends buffered".
std::string to_flags(const options& opts);
std::string to_string(schedule s);
std::string to_string(send_mode m);
std::optional<schedule> parse_schedule(std::string_view text);
std::optional<send_mode> parse_send_mode(std::string_view text);
std::string to_string(collective_mode m);
std::optional<collective_mode> parse_collective_mode(std::string_view text);
std::string to_string(rank_context c);
std::string to_string(compute_time c);
std::optional<rank_context> parse_rank_context(std::string_view text);

// One communication event, as recorded with options::record.
struct event {
    std::uint64_t step = 0;   // the scheduler's step when it happened
    int rank = 0;             // world rank
    std::string operation;    // "send", "recv", "bcast", ...
    int peer = -1;            // world rank of the other side (matched source for receives), or root
    int tag = -1;
    std::size_t bytes = 0;
    std::string comm;
    std::string location;     // file:line in the user's code
    std::uint64_t message = 0;  // links a send to the receive that matched it (0: not a message)
    // Simulated time (options::network given), in picoseconds of the rank's clock: when the call
    // began and when the rank left it, and the computing its clock counted since its previous
    // event. -1, -1, 0 without --network.
    std::int64_t sim_start = -1;
    std::int64_t sim_end = -1;
    std::int64_t sim_computed = 0;

    friend bool operator==(const event&, const event&) = default;
};

// One line per event, for logs and diffs.
std::string to_string(const event& e);

template <class R>
struct result {
    std::vector<R> values;  // values[r] is what rank r returned
    std::vector<event> events;
};
template <>
struct result<void> {
    std::vector<event> events;
};

// Runs `body` on opts.ranks simulated ranks and returns the event log. Throws what ended the run:
// rank_failed (a rank threw; its original exception inside), deadlock_error, collective_mismatch.
std::vector<event> run_ranks(const options& opts, const std::function<void(communicator&)>& body);

// Like run_ranks, but gives back the event log even when the run fails; what ended the run (or
// nothing) is in `error`.
struct recorded_run {
    std::vector<event> events;
    std::exception_ptr error;
};
recorded_run run_and_record(const options& opts, const std::function<void(communicator&)>& body);

// Runs `fn(world)` on every rank and gives back each rank's return value.
template <class F>
auto run(const options& opts, F&& fn) -> result<std::invoke_result_t<F&, communicator&>> {
    using R = std::invoke_result_t<F&, communicator&>;
    if constexpr (std::is_void_v<R>) {
        return {run_ranks(opts, fn)};
    } else {
        std::vector<std::optional<R>> slots(static_cast<std::size_t>(opts.ranks));
        const detail::results_taken_into<R> returned(slots);  // from process ranks
        auto events = run_ranks(opts, [&](communicator& world) {
            auto& slot = slots[static_cast<std::size_t>(world.rank())];
            slot.emplace(fn(world));
            detail::hand_back_if_process_rank(*slot);
        });
        result<R> out;
        out.values.reserve(slots.size());
        for (auto& slot : slots) out.values.push_back(std::move(*slot));
        out.events = std::move(events);
        return out;
    }
}

// ---- Exploration ------------------------------------------------------------------------------

// What an exploration found.
struct exploration {
    std::size_t executions = 0;     // runs made
    bool complete = false;          // every distinct way of matching was tried
    std::optional<finding> failure; // the first failure, shrunk; failure->replay reproduces it
    std::vector<choice> plan;       // the failing run's choices (to_token gives the replay token)

    // "explored 24 executions: every schedule passed (complete)"
    std::string summary() const;
};

// Runs `body` under every distinct way its wildcard receives and wait_any calls can match (up to
// `max_executions` runs), stopping at the first failure: a finding, an exception, or a non-empty
// answer from `check` (called after each successful run; compare results there). A program
// without wildcards has one execution; k senders to a loop of k wildcard receives have k!.
exploration explore(const options& opts, const std::function<void(communicator&)>& body,
                    std::size_t max_executions = 100000,
                    const std::function<std::optional<std::string>()>& check = {});

// What explore_output compares between executions.
enum class output_comparison {
    per_rank,      // what each rank printed (and what was printed outside the ranks), each on its
                   // own: the order in which ranks print may change with the schedule
    interleaving,  // everything printed, as one stream
};

// explore() that also fails when what the program prints differs from the first execution
// (--explore N --deterministic). Standard output is captured meanwhile, and dropped; the report
// names the rank and shows the first line that differs in each execution.
exploration explore_output(const options& opts, const std::function<void(communicator&)>& body,
                           std::size_t max_executions = 100000, output_comparison how = output_comparison::per_rank);

// explore() for a function returning a value: also fails when any rank's value differs from
// the first execution's.
template <class F>
exploration explore_results(const options& opts, F&& fn, std::size_t max_executions = 100000) {
    using R = std::invoke_result_t<F&, communicator&>;
    std::vector<std::optional<R>> current(static_cast<std::size_t>(opts.ranks)), first;
    const detail::results_taken_into<R> returned(current);  // from process ranks
    auto body = [&](communicator& world) {
        auto& slot = current[static_cast<std::size_t>(world.rank())];
        slot.emplace(fn(world));
        detail::hand_back_if_process_rank(*slot);
    };
    auto check = [&]() -> std::optional<std::string> {
        if (first.empty()) {
            first = current;
            return std::nullopt;
        }
        for (std::size_t r = 0; r < current.size(); ++r)
            if (!(current[r] == first[r]))
                return "the result depends on the schedule: rank " + std::to_string(r) +
                       " returned something else than in the first execution";
        return std::nullopt;
    };
    return explore(opts, body, max_executions, check);
}

}  // namespace baton::sim
