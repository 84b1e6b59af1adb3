#include "command_line.hpp"

#include <cstddef>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <baton/errors.hpp>

#include "backends.hpp"
#include "option_hints.hpp"
#include "option_values.hpp"
#include "warn.hpp"

namespace baton::launch {

namespace {

// "sim, mpi, or auto (mpi when started by mpiexec)"
std::string backend_help() {
    std::string names, signs;
    for (const backend& b : backends()) {
        names += fmt::format("{}, ", b.name);
        if (b.wanted) signs += fmt::format("{}{} when {}", signs.empty() ? "" : "; ", b.name, b.wanted_when);
    }
    return names + "or auto (" + signs + ")";
}

std::vector<std::pair<std::string, std::string>> backend_choices() {
    std::vector<std::pair<std::string, std::string>> choices{{"auto", "auto"}};
    for (const backend& b : backends()) choices.emplace_back(b.name, b.name);
    return choices;
}

}  // namespace

std::variant<settings, int> read_settings(int& argc, char**& argv) {
    // The simulator's defaults read the environment (BATON_CONTEXT), which may be wrong.
    std::optional<settings> made;
    try {
        made.emplace();
    } catch (const usage_error& e) {
        std::cerr << "baton: " << e.what() << '\n';
        return 2;
    }
    settings& chosen = *made;
    CLI::App app{"A baton program. Options read by baton (the program gets the other arguments, and every "
                 "argument after --):"};
    app.allow_extras();
    app.set_help_flag("--help", "Print baton's options and exit");
    option_table table(app);
    const auto& ranks = table.add("--ranks", "BATON_RANKS", "N", std::to_string(chosen.sim.ranks), "Simulated ranks");
    const auto& seed = table.add("--seed", "BATON_SEED", "N", std::to_string(chosen.sim.seed),
                                 "Seed of the simulator's scheduler");
    const auto& schedule = table.add("--schedule", "BATON_SCHEDULE", "NAME", "random",
                                     "How the simulator picks the next rank: random, round-robin or pct");
    const auto& pct_depth = table.add("--pct-depth", nullptr, "N", std::to_string(chosen.sim.pct_depth),
                                      "With --schedule pct: the bug depth to aim at");
    const auto& pct_steps = table.add("--pct-steps", nullptr, "N", std::to_string(chosen.sim.pct_steps),
                                      "With --schedule pct: steps over which priorities change");
    const auto& explore_count =
        table.add("--explore", "BATON_EXPLORE", "N", "",
                  "Run under every distinct way wildcard receives can match, up to this many executions, and stop "
                  "at the first failure");
    std::string deterministic;  // "ranks" when given without a value
    const CLI::Option* deterministic_flag =
        app.add_flag("--deterministic{ranks}", deterministic,
                     "With --explore: also fail when what a rank prints differs between executions; "
                     "--deterministic=interleaving compares everything printed as one stream instead");
    const auto& trace = table.add("--trace", nullptr, "FILE", "",
                                  "Write the run's communication as Chrome trace-event JSON (open it in Perfetto)");
    const auto& timeline = table.add("--timeline", nullptr, "FILE", "", "Write the run's communication as a text timeline");
    const auto& replay = table.add("--replay", nullptr, "TOKEN", "",
                                   "Replay the run a report names (a token like v1.2/3), instead of --seed and --schedule");
    const auto& break_at = table.add("--break-at", nullptr, "STEP", "",
                                     "Raise SIGTRAP in the rank that runs at this step, to stop a debugger there");
    const auto& debug_rank =
        table.add("--debug-rank", nullptr, "N", "",
                  "Stop rank N for a debugger before its code starts: at once under a debugger, otherwise it says "
                  "its process id and waits for one to attach (gdb -p PID)");
    const auto& sends = table.add("--sends", "BATON_SENDS", "MODE", "buffered",
                                  "buffered (every send completes at once), synchronous (every send waits for its "
                                  "receive) or eager (sends above --eager-limit wait for their receive)");
    const auto& eager_limit = table.add("--eager-limit", "BATON_EAGER_LIMIT", "BYTES", std::to_string(chosen.sim.eager_limit),
                                        "Bytes a send may have and still be buffered, with --sends eager");
    const auto& collectives = table.add("--collectives", "BATON_COLLECTIVES", "MODE", "synchronizing",
                                        "synchronizing (nobody leaves a collective before all arrive) or local (ranks "
                                        "that only give leave at once, as MPI allows)");
    const auto& context = table.add("--context", "BATON_CONTEXT", "KIND", "thread",
                                    "What each simulated rank runs on: thread (an OS thread, the default: debuggers and "
                                    "sanitizers see ranks as threads), fiber (a user-space context: much faster "
                                    "switches, 100 000 ranks) or process (a forked process: each rank has its own "
                                    "globals, and a crash ends only its rank)");
    const auto& fiber_stack = table.add("--fiber-stack", "BATON_FIBER_STACK", "BYTES",
                                        std::to_string(chosen.sim.fiber_stack_bytes),
                                        "Bytes of stack for each rank, with --context fiber");
    const auto& bind_to = table.add("--bind-to", "BATON_BIND_TO", "WHAT", "core",
                                    "core (process ranks, and thread ranks beyond the cores, run on one core with the "
                                    "engine: only one runs at a time, and a hand-off inside a core is several times "
                                    "cheaper) or none (where the OS puts them: ranks that start threads of their own)");
    const auto& rank_timeout =
        table.add("--rank-timeout", "BATON_RANK_TIMEOUT", "SECONDS", "0",
                  "When a rank runs its own code this long without a baton call (an endless loop?), end the run "
                  "with the state of every rank (0: never)");
    const auto& poll_limit = table.add("--poll-limit", "BATON_POLL_LIMIT", "N", std::to_string(chosen.sim.poll_limit),
                                       "Polls in vain in a row, with nothing else happening, after which a polling loop "
                                       "is reported as a deadlock (0: never)");
    app.add_flag("--strict-buffers", chosen.sim.strict_buffers,
                 "Protect the memory of pending isend and irecv buffers and report the first write (or irecv read) "
                 "before completion, with its line");
    const auto& network = table.add("--network", "BATON_NETWORK", "NAME", "",
                                    "Simulated time: run every rank's clock (baton::wtime) on this network model and "
                                    "print the run's simulated time at the end; implies --sends eager unless --sends is "
                                    "given. Presets and parameters:\n" + sim::networks_help());
    const auto& computing = table.add("--compute-time", "BATON_COMPUTE_TIME", "HOW", "measured",
                                      "With --network: what a rank's computing between two calls adds to its clock: "
                                      "measured (its CPU time, times --cpu-scale) or zero (every time deterministic)");
    const auto& cpu_scale = table.add("--cpu-scale", "BATON_CPU_SCALE", "X", "1",
                                      "With --compute-time measured: simulated seconds per CPU second (0.5: a CPU "
                                      "twice as fast as this one)");
    app.add_flag("--profile", chosen.profile,
                 "Print a profile at the end (on stderr): per call site and rank the calls, bytes and time inside "
                 "them and computing before them, the load imbalance and, with --network, the critical path; "
                 "simulated time with --network, real time otherwise (MPI_Wtime under mpiexec, gathered to rank 0)");
    const auto& profile_json = table.add("--profile-json", nullptr, "FILE", "",
                                         "Profile the run (as --profile) and write the profile to this file as JSON");
    const auto& ranks_per_node = table.add("--ranks-per-node", "BATON_RANKS_PER_NODE", "N", "",
                                           "With --network: ranks 0..N-1 are one node, N..2N-1 the next, ...; their "
                                           "messages inside a node take the shm model, the others the --network");
    const auto& report_json = table.add("--report-json", "BATON_REPORT_JSON", "FILE", "",
                                        "Write the simulator's findings to this file as JSON");
    const auto& report_dot = table.add("--report-dot", "BATON_REPORT_DOT", "FILE", "",
                                       "Write a deadlock's wait-for graph to this file (Graphviz DOT)");
    const auto& backend_choice = table.add("--backend", "BATON_BACKEND", "NAME", "auto", backend_help());
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help
        std::cerr << "baton: " << without_cli11_words(e) << '\n';
        return 2;
    }
    try {
        table.resolve();
        take_number(ranks, chosen.sim.ranks, 1, 1 << 24);
        take_number(seed, chosen.sim.seed, 0);
        take_choice(schedule, chosen.sim.schedule,
                    {{"random", sim::schedule::random},
                     {"round-robin", sim::schedule::round_robin},
                     {"pct", sim::schedule::pct}});
        take_number(pct_depth, chosen.sim.pct_depth, 1, 1000);
        take_number(pct_steps, chosen.sim.pct_steps, 1);
        take_number(explore_count, chosen.explore, 0);
        if (deterministic_flag->count() > 0) {
            chosen.deterministic.emplace();
            take_choice(given{deterministic, "--deterministic=" + deterministic, true}, *chosen.deterministic,
                        {{"ranks", sim::output_comparison::per_rank},
                         {"interleaving", sim::output_comparison::interleaving}});
        }
        take_file(trace, chosen.trace);
        take_file(timeline, chosen.timeline);
        take_number(break_at, chosen.sim.break_at_step, 0);
        take_number(debug_rank, chosen.sim.debug_rank, 0, static_cast<std::uint64_t>(chosen.sim.ranks - 1));  // a rank of the run
        take_choice(sends, chosen.sim.sends,
                    {{"buffered", sim::send_mode::buffered},
                     {"synchronous", sim::send_mode::synchronous},
                     {"eager", sim::send_mode::eager}});
        take_number(eager_limit, chosen.sim.eager_limit, 0);
        take_choice(collectives, chosen.sim.collectives,
                    {{"synchronizing", sim::collective_mode::synchronizing}, {"local", sim::collective_mode::local}});
        take_choice(context, chosen.sim.context,
                    {{"thread", sim::rank_context::thread},
                     {"fiber", sim::rank_context::fiber},
                     {"process", sim::rank_context::process}});
        take_number(fiber_stack, chosen.sim.fiber_stack_bytes, 16384, std::size_t{1} << 30);
        take_choice(bind_to, chosen.sim.bind_to, {{"core", sim::binding::core}, {"none", sim::binding::none}});
        take_number(rank_timeout, chosen.sim.rank_timeout_seconds, 0, 1u << 24);
        take_number(poll_limit, chosen.sim.poll_limit, 0);
        take_network(network, chosen.sim.network);
        take_choice(computing, chosen.sim.computing,
                    {{"measured", sim::compute_time::measured}, {"zero", sim::compute_time::zero}});
        take_positive(cpu_scale, chosen.sim.cpu_scale);
        take_number(ranks_per_node, chosen.sim.ranks_per_node, 1, 1u << 30);
        // Simulated time models MPI's protocols: eager below --eager-limit, rendezvous above it.
        if (network && !sends) chosen.sim.sends = sim::send_mode::eager;
        take_file(report_json, chosen.report_json);
        take_file(profile_json, chosen.profile_json);
        // An exploration makes many executions of one program, most of them cut short: a profile
        // of one of them, or of their sum, would mislead.
        if (chosen.profiling() && chosen.explore > 0)
            throw usage_error(std::string(chosen.profile ? "--profile" : profile_json.where) + " and " +
                              explore_count.where +
                              " do not go together: a profile measures one run; profile a run (or the replay of "
                              "the failing one) without --explore");
        take_file(report_dot, chosen.report_dot);
        take_choice(backend_choice, chosen.backend, backend_choices());
        if (replay) {
            const auto plan = sim::parse_token(replay.text);
            if (!plan) throw usage_error(replay.where + ": not a replay token (they look like v1.2/3.0/2)");
            // A token fixes every choice of the run: a seed or schedule given with it would be ignored.
            // (From the environment they are only defaults, which the command line overrides.)
            for (const given* other : {&seed, &schedule})
                if (other->on_command_line)
                    throw usage_error(replay.where + " and " + other->where +
                                      " do not go together: the replay token fixes the whole schedule");
            chosen.sim.schedule = sim::schedule::systematic;
            chosen.sim.plan = *plan;
        }
        if (chosen.sim.strict_buffers && chosen.sim.context == sim::rank_context::process)
            throw usage_error("--strict-buffers protects pages of the engine's process, and a process rank's buffers "
                              "are in a process of its own: use it with --context thread or fiber");
    } catch (const usage_error& e) {
        std::cerr << "baton: " << e.what() << '\n';
        return 2;
    }
    // Options that would do nothing. Only those on the command line: variables set for a whole
    // test suite are not worth a warning in every program that does not use them.
    if (chosen.deterministic && chosen.explore == 0) warn("--deterministic does nothing without --explore");
    if (chosen.explore > 0)
        for (const given* file : {&trace, &timeline})
            if (*file) warn(file->where + " is not written with --explore (replay the failing run with it)");
    if (chosen.sim.schedule != sim::schedule::pct)
        for (const given* pct : {&pct_depth, &pct_steps})
            if (*pct) warn(pct->where + " does nothing without --schedule pct");
    if (eager_limit.on_command_line && chosen.sim.sends != sim::send_mode::eager)
        warn(eager_limit.where + " does nothing without --sends eager");
    if (chosen.sim.network.empty())
        for (const given* time : {&computing, &cpu_scale, &ranks_per_node})
            if (time->on_command_line) warn(time->where + " does nothing without --network");
    if (fiber_stack.on_command_line && chosen.sim.context != sim::rank_context::fiber)
        warn(fiber_stack.where + " does nothing on thread ranks (it sizes the stacks of --context fiber)");
    // What only the simulator reads (--sends synchronous and --rank-timeout mean something on MPI
    // too), for the MPI backend to say it ignores them: which backend runs is known only later.
    for (const given* only : {&ranks, &seed, &schedule, &pct_depth, &pct_steps, &explore_count, &trace, &timeline,
                              &replay, &break_at, &debug_rank, &eager_limit, &collectives, &context, &fiber_stack, &bind_to,
                              &poll_limit, &report_json, &report_dot, &network, &computing, &cpu_scale, &ranks_per_node})
        if (only->on_command_line) chosen.simulator_only.push_back(only->where);
    if (deterministic_flag->count() > 0) chosen.simulator_only.push_back("--deterministic");
    if (chosen.sim.strict_buffers) chosen.simulator_only.push_back("--strict-buffers");

    // Hand the program back only its own arguments, in their order, as MPI_Init does.
    const std::vector<std::string> extras = app.remaining();
    std::vector<std::string> user_args;
    int kept = 1;
    std::size_t next_extra = 0;
    for (int i = 1; i < argc && next_extra < extras.size(); ++i)
        if (extras[next_extra] == argv[i]) {
            argv[kept++] = argv[i];
            user_args.push_back(extras[next_extra++]);
        }
    argv[kept] = nullptr;
    argc = kept;
    hint_typos(app, user_args);

    // How reports on simulated ranks say to replay the run.
    chosen.sim.program = quoted_command({argv[0]});
    chosen.sim.program_args = quoted_command(user_args);
    return std::move(chosen);
}

}  // namespace baton::launch
