// baton::run: reads baton's options from the command line and the environment, takes them out of
// argv, picks the backend and runs the rank function. Reports failures on stderr.
#include <baton/run.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <baton/errors.hpp>
#include <baton/sim.hpp>
#include <baton/trace.hpp>

#ifdef BATON_HAVE_MPI
#include "../backends/mpi/launch.hpp"
#endif

namespace baton {

namespace {

struct settings {
    sim::options sim;
    std::string backend = "auto";
    std::string report_json;  // where to write the findings as JSON, if anywhere
    std::string report_dot;   // where to write a deadlock's wait-for graph
    std::size_t explore = 0;  // executions to explore (0: run once)
    bool deterministic = false;
    std::string replay;
    std::string trace;     // Chrome trace-event JSON of the run, if wanted
    std::string timeline;  // the same as text
};

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) std::cerr << "baton: could not write " << path << '\n';
}

// Prints what the simulator found and writes the requested report files.
void report(const settings& chosen, const std::vector<finding>& findings) {
    std::cout << std::flush;
    for (const auto& f : findings) std::cerr << "baton: " << f.text() << '\n';
    if (!chosen.report_json.empty()) write_file(chosen.report_json, to_json(findings) + '\n');
    if (!chosen.report_dot.empty())
        for (const auto& f : findings)
            if (f.kind == finding_kind::deadlock || f.kind == finding_kind::potential_deadlock) {
                write_file(chosen.report_dot, to_dot(f));
                break;
            }
}

// Collects what the process writes to standard output during one execution, so that executions
// can be compared; on stop, puts standard output back.
class stdout_capture {
public:
    stdout_capture() {
        std::cout.flush();
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        file_ = std::tmpfile();
        ::dup2(::fileno(file_), STDOUT_FILENO);
    }
    ~stdout_capture() { stop(); }
    // What was written since the last call.
    std::string take() {
        std::cout.flush();
        std::fflush(stdout);
        std::string text;
        std::rewind(file_);
        char block[4096];
        for (std::size_t n; (n = std::fread(block, 1, sizeof block, file_)) > 0;) text.append(block, n);
        std::rewind(file_);
        ::ftruncate(::fileno(file_), 0);
        return text;
    }
    void stop() {
        if (!file_) return;
        std::cout.flush();
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        std::fclose(file_);
        file_ = nullptr;
    }

private:
    int saved_ = -1;
    std::FILE* file_ = nullptr;
};

// --explore: prints a summary line, then the failure if one was found. Returns the exit status.
int explore(const settings& chosen, const std::function<void(communicator&)>& body) {
    std::optional<stdout_capture> capture;
    std::optional<std::string> first_output;
    std::function<std::optional<std::string>()> check;
    if (chosen.deterministic) {
        capture.emplace();
        check = [&]() -> std::optional<std::string> {
            std::string output = capture->take();
            if (!first_output) {
                first_output = std::move(output);
                return std::nullopt;
            }
            if (output == *first_output) return std::nullopt;
            return "the output depends on the schedule: this execution printed something else than the first";
        };
    }
    const sim::exploration result = sim::explore(chosen.sim, body, chosen.explore, check);
    if (capture) capture->stop();
    std::cout << std::flush;
    std::cerr << "baton: " << result.summary() << '\n';
    if (!result.failure) return 0;
    report(chosen, {*result.failure});
    return 1;
}

// True when a launcher such as mpiexec started this process.
bool launched_by_mpi() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(variable)) return true;
    return false;
}

std::string quoted_command(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& word : words) {
        if (!text.empty()) text += ' ';
        const bool plain = !word.empty() && word.find_first_of(" \t\"'$\\") == std::string::npos;
        text += plain ? word : "'" + word + "'";
    }
    return text;
}

}  // namespace

int run(int& argc, char**& argv, const std::function<void(communicator&)>& body) {
    // The simulator's defaults read the environment (BATON_CONTEXT), which may be wrong.
    std::optional<settings> made;
    try {
        made.emplace();
    } catch (const usage_error& e) {
        std::cerr << "baton: " << e.what() << '\n';
        return 2;
    }
    settings& chosen = *made;
    std::string schedule = "random", sends = "buffered", collectives = "synchronizing", context = "thread";
    CLI::App app{"A baton program. Options read by baton (the program gets the other arguments):"};
    app.allow_extras();
    app.set_help_flag("--help", "Print baton's options and exit");
    app.add_option("--ranks", chosen.sim.ranks, "Simulated ranks")
        ->envname("BATON_RANKS")->check(CLI::Range(1, 1 << 24))->capture_default_str();
    app.add_option("--seed", chosen.sim.seed, "Seed of the simulator's scheduler")
        ->envname("BATON_SEED")->capture_default_str();
    app.add_option("--schedule", schedule, "How the simulator picks the next rank: random, round-robin or pct")
        ->envname("BATON_SCHEDULE")->check(CLI::IsMember({"random", "round-robin", "pct"}))->capture_default_str();
    app.add_option("--pct-depth", chosen.sim.pct_depth, "With --schedule pct: the bug depth to aim at")
        ->check(CLI::Range(1, 1000))->capture_default_str();
    app.add_option("--pct-steps", chosen.sim.pct_steps, "With --schedule pct: steps over which priorities change")
        ->capture_default_str();
    app.add_option("--explore", chosen.explore,
                   "Run under every distinct way wildcard receives can match, up to this many executions, and "
                   "stop at the first failure")
        ->envname("BATON_EXPLORE");
    app.add_flag("--deterministic", chosen.deterministic,
                 "With --explore: also fail when the output differs between executions");
    app.add_option("--trace", chosen.trace,
                   "Write the run's communication as Chrome trace-event JSON (open it in Perfetto)");
    app.add_option("--timeline", chosen.timeline, "Write the run's communication as a text timeline");
    app.add_option("--replay", chosen.replay, "Replay the run a report names (a token like v1.2/3)");
    app.add_option("--break-at", chosen.sim.break_at_step,
                   "Raise SIGTRAP in the rank that runs at this step, to stop a debugger there");
    app.add_option("--sends", sends,
                   "buffered (every send completes at once), synchronous (every send waits for its receive) or "
                   "eager (sends above --eager-limit wait for their receive)")
        ->envname("BATON_SENDS")->check(CLI::IsMember({"buffered", "synchronous", "eager"}))->capture_default_str();
    app.add_option("--eager-limit", chosen.sim.eager_limit, "Bytes a send may have and still be buffered, with --sends eager")
        ->envname("BATON_EAGER_LIMIT")->capture_default_str();
    app.add_option("--collectives", collectives,
                   "synchronizing (nobody leaves a collective before all arrive) or local (ranks that only give "
                   "leave at once, as MPI allows)")
        ->envname("BATON_COLLECTIVES")->check(CLI::IsMember({"synchronizing", "local"}))->capture_default_str();
    app.add_option("--context", context,
                   "What each simulated rank runs on: thread (an OS thread, the default: debuggers and sanitizers "
                   "see ranks as threads) or fiber (a user-space context: much faster switches, 100 000 ranks)")
        ->envname("BATON_CONTEXT")->check(CLI::IsMember({"thread", "fiber"}))->capture_default_str();
    app.add_option("--fiber-stack", chosen.sim.fiber_stack_bytes, "Bytes of stack for each rank, with --context fiber")
        ->envname("BATON_FIBER_STACK")->check(CLI::Range(std::size_t{16384}, std::size_t{1} << 30))->capture_default_str();
    app.add_option("--report-json", chosen.report_json, "Write the simulator's findings to this file as JSON")
        ->envname("BATON_REPORT_JSON");
    app.add_option("--report-dot", chosen.report_dot, "Write a deadlock's wait-for graph to this file (Graphviz DOT)")
        ->envname("BATON_REPORT_DOT");
    app.add_option("--backend", chosen.backend, "sim, mpi, or auto (mpi when started by mpiexec)")
        ->envname("BATON_BACKEND")->check(CLI::IsMember({"auto", "sim", "mpi"}))->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    chosen.sim.schedule = *sim::parse_schedule(schedule);
    chosen.sim.sends = *sim::parse_send_mode(sends);
    chosen.sim.collectives = *sim::parse_collective_mode(collectives);
    chosen.sim.context = *sim::parse_rank_context(context);
    if (!chosen.replay.empty()) {
        const auto plan = sim::parse_token(chosen.replay);
        if (!plan) {
            std::cerr << "baton: --replay " << chosen.replay << ": not a replay token (they look like v1.2/3.0/2)\n";
            return 2;
        }
        chosen.sim.schedule = sim::schedule::systematic;
        chosen.sim.plan = *plan;
    }

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

    std::string backend = chosen.backend;
    if (backend == "auto") backend = launched_by_mpi() ? "mpi" : "sim";
    if (backend == "mpi") {
#ifdef BATON_HAVE_MPI
        mpi::launch_options mpi_options;
        mpi_options.synchronous_sends = chosen.sim.sends == sim::send_mode::synchronous;
        return mpi::run_world(argc, argv, mpi_options, body);
#else
        std::cerr << "baton: "
                  << (chosen.backend == "mpi" ? "the MPI backend was asked for (--backend mpi or BATON_BACKEND=mpi)"
                                              : "this program was started by mpiexec")
                  << ", but this build of baton has no MPI backend (configure it with -Dmpi=enabled, with an "
                     "MPI such as Debian's libopenmpi-dev installed); run it plainly, or with --backend sim, "
                     "to use simulated ranks\n";
        return 2;
#endif
    }

    chosen.sim.program = quoted_command({argv[0]});
    chosen.sim.program_args = quoted_command(user_args);

    try {
        if (chosen.explore > 0) return explore(chosen, body);
        if (!chosen.trace.empty() || !chosen.timeline.empty()) {
            chosen.sim.record = true;
            const auto run = sim::run_and_record(chosen.sim, body);
            if (!chosen.trace.empty()) write_file(chosen.trace, sim::to_chrome_trace(run.events));
            if (!chosen.timeline.empty()) write_file(chosen.timeline, sim::to_timeline(run.events));
            if (run.error) std::rethrow_exception(run.error);
        } else {
            sim::run_ranks(chosen.sim, body);
        }
        if (!chosen.report_json.empty()) write_file(chosen.report_json, "[]\n");
        return 0;
    } catch (const check_failed& e) {
        report(chosen, e.findings());
    } catch (const std::exception& e) {
        std::cout << std::flush;
        std::cerr << "baton: " << e.what() << '\n';
    }
    return 1;
}

}  // namespace baton
