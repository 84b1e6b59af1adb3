// baton::run: reads baton's options from the command line and the environment, takes them out of
// argv, picks the backend and runs the rank function. Reports failures on stderr.
#include <baton/run.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <limits>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <baton/errors.hpp>
#include <baton/sim.hpp>
#include <baton/trace.hpp>

#include "../backends/sim/contexts.hpp"
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
    std::optional<sim::output_comparison> deterministic;  // --deterministic: compare the output
    std::string trace;     // Chrome trace-event JSON of the run, if wanted
    std::string timeline;  // the same as text
    bool write_failed = false;  // a file asked for could not be written: the exit status is 2
};

// Writes a whole file that an option asked for, or says why it could not. Checked after the
// file is closed: a full disk (or /dev/full) only shows when the buffer is flushed.
void write_file(settings& chosen, const char* option, const std::string& path, std::string_view text) {
    int error = 0;
    // A device (/dev/stdout, /dev/stderr) is appended to: opened for writing it would truncate the
    // file the program's own output is redirected to. What the program printed goes first.
    const bool device = path.starts_with("/dev/");
    if (device) {
        std::cout.flush();
        std::fflush(stdout);
    }
    if (std::FILE* file = std::fopen(path.c_str(), device ? "a" : "w")) {
        if (std::fwrite(text.data(), 1, text.size(), file) != text.size()) error = errno;
        if (std::fclose(file) != 0 && error == 0) error = errno;
    } else {
        error = errno;
    }
    if (error == 0) return;
    std::cerr << "baton: cannot write " << option << ' ' << path << ": " << std::strerror(error) << '\n';
    chosen.write_failed = true;
}

// Prints what the simulator found and writes the requested report files.
void report(settings& chosen, const std::vector<finding>& findings) {
    std::cout << std::flush;
    for (const auto& f : findings) std::cerr << "baton: " << f.text() << '\n';
    if (!chosen.report_json.empty()) write_file(chosen, "--report-json", chosen.report_json, to_json(findings) + '\n');
    if (!chosen.report_dot.empty())
        for (const auto& f : findings)
            if (f.kind == finding_kind::deadlock || f.kind == finding_kind::potential_deadlock) {
                write_file(chosen, "--report-dot", chosen.report_dot, to_dot(f));
                break;
            }
}

// --explore: prints a summary line, then the failure if one was found. Returns the exit status.
int explore(settings& chosen, const std::function<void(communicator&)>& body) {
    const sim::exploration result = chosen.deterministic
                                        ? sim::explore_output(chosen.sim, body, chosen.explore, *chosen.deterministic)
                                        : sim::explore(chosen.sim, body, chosen.explore);
    std::cout << std::flush;
    std::cerr << "baton: " << result.summary() << '\n';
    if (!result.failure) {
        report(chosen, {});  // the report file, with no findings
        return 0;
    }
    report(chosen, {*result.failure});
    return 1;
}

// Runs the ranks on the simulator as the options say. Returns 0, or 1 for a failure.
int simulate(settings& chosen, const std::function<void(communicator&)>& body) {
    try {
        if (chosen.explore > 0) return explore(chosen, body);
        if (!chosen.trace.empty() || !chosen.timeline.empty()) {
            chosen.sim.record = true;
            const auto run = sim::run_and_record(chosen.sim, body);
            if (!chosen.trace.empty()) write_file(chosen, "--trace", chosen.trace, sim::to_chrome_trace(run.events));
            if (!chosen.timeline.empty())
                write_file(chosen, "--timeline", chosen.timeline, sim::to_timeline(run.events));
            if (run.error) std::rethrow_exception(run.error);
        } else {
            sim::run_ranks(chosen.sim, body);
        }
        report(chosen, {});  // the report file, with no findings
        return 0;
    } catch (const check_failed& e) {
        report(chosen, e.findings());
    } catch (const std::bad_alloc&) {
        // Not from the ranks (what they throw is a finding): the simulator's own state, per rank.
        std::cout << std::flush;
        std::cerr << "baton: out of memory (std::bad_alloc) for the simulator's state of " << chosen.sim.ranks
                  << " ranks\n";
        if (const std::string limit = sim::detail::address_space_limit(); !limit.empty())
            std::cerr << "  " << limit << '\n';
        std::cerr << "  use fewer ranks\n";
    } catch (const std::exception& e) {
        std::cout << std::flush;
        std::cerr << "baton: " << e.what() << '\n';
    }
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

// "a, b or c"
std::string one_of(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i)
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return text;
}

// ---- baton's options ----------------------------------------------------------------------------
// CLI11 reads every value as text and the functions below convert it, strictly: so that a bad
// value is one line naming it as the user gave it ("--ranks 0", "BATON_RANKS=0") and exit status
// 2. (CLI11 itself wraps "-1" to 2^64-1, reads "0x10" as 16, names an environment variable as its
// flag and prints two lines with its own exit codes.)

// An option's value, if it was given, and where from.
struct given {
    std::string text;
    std::string where;  // "--ranks 0" or "BATON_RANKS=0"; empty when not given
    bool on_command_line = false;
    explicit operator bool() const { return !where.empty(); }
};

class option_table {
public:
    explicit option_table(CLI::App& app) : app_(app) {}

    // --flag VALUE, or the environment variable `env` (if any) when the command line does not
    // give it. The reference stays valid; it is filled in by resolve().
    const given& add(std::string flag, const char* env, const char* type, const std::string& default_text,
                     std::string description) {
        entry& e = entries_.emplace_back();
        e.flag = std::move(flag);
        e.env = env;
        if (env) description += std::string(" [env ") + env + "]";
        e.option = app_.add_option(e.flag, e.text, description)->type_name(type);
        if (!default_text.empty()) e.option->default_str(default_text);
        return e.value;
    }

    // After parsing. The environment is read here, not by CLI11, to know which one gave a value.
    // An empty variable counts as unset, as it does for CLI11 and BATON_CONTEXT.
    void resolve() {
        for (entry& e : entries_) {
            if (e.option->count() > 0) {
                e.value = {e.text, e.flag + ' ' + quoted_command({e.text}), true};
            } else if (const char* text = e.env ? std::getenv(e.env) : nullptr; text && *text) {
                e.value = {text, std::string(e.env) + '=' + text, false};
            }
        }
    }

private:
    struct entry {
        std::string flag;
        const char* env = nullptr;
        std::string text;  // what CLI11 read
        CLI::Option* option = nullptr;
        given value;
    };
    CLI::App& app_;
    std::deque<entry> entries_;  // a deque: add() hands out references
};

[[noreturn]] void reject(const given& value, const std::string& expected) {
    throw usage_error(value.where + ": expected " + expected);
}

// Decimal digits only: from_chars takes no sign (strtoull would read "-1" as 2^64-1), no "0x"
// and no spaces, and says when the number does not fit.
std::optional<std::uint64_t> decimal(std::string_view text) {
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return number;
}

template <class T>
void take_number(const given& value, T& target, std::uint64_t least,
                 std::uint64_t most = std::numeric_limits<T>::max()) {
    if (!value) return;
    const auto number = decimal(value.text);
    if (!number || *number < least || *number > most)
        reject(value, "a whole number from " + std::to_string(least) + " to " + std::to_string(most));
    target = static_cast<T>(*number);
}

template <class T>
void take_choice(const given& value, T& target, std::initializer_list<std::pair<const char*, T>> choices) {
    if (!value) return;
    std::vector<std::string> names;
    for (const auto& [name, meaning] : choices) {
        if (value.text == name) {
            target = meaning;
            return;
        }
        names.emplace_back(name);
    }
    reject(value, one_of(names));
}

void take_file(const given& value, std::string& target) {
    if (!value) return;
    // "--trace --ranks 4" would otherwise write a file named --ranks (a file named so: ./-name).
    if (value.text.empty() || value.text.front() == '-') reject(value, "a file name");
    target = value.text;
}

// CLI11's own errors (a value missing, an option given twice) as the rest of baton's line.
std::string without_cli11_words(const CLI::ParseError& e) {
    const std::string what = e.what();
    const std::string flag = what.substr(0, what.find(':'));
    if (what.find(": 1 required ") != std::string::npos && what.ends_with(" missing"))  // "--ranks: 1 required N missing"
        return flag + ": the value is missing";
    if (what.find(": At Most 1 required but received ") != std::string::npos)
        return flag + ": given more than once";
    return what;
}

// Under mpiexec every process reads the same options: only the first one warns.
bool first_process() {
    for (const char* variable : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"})
        if (const char* rank = std::getenv(variable); rank && std::string_view(rank) != "0") return false;
    return true;
}

void warn(const std::string& text) {
    if (first_process()) std::cerr << "baton: warning: " << text << '\n';
}

// Typos, counted as the optimal string alignment distance: a letter added, left out or changed,
// or two neighbours swapped.
std::size_t typos(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// The baton options that an argument going to the program was likely meant to be: a name within
// one typo (two for names longer than five letters: a program's --runs is not --ranks), the start
// of a name (--sched), or mpiexec's -n and -np.
std::vector<std::string> meant(std::string_view word, const std::vector<std::string>& names) {
    const std::size_t start = word.find_first_not_of('-');
    if (start == 0 || start == std::string_view::npos || !std::isalpha(static_cast<unsigned char>(word[start])))
        return {};  // not an option, or a number such as -1
    const std::string_view name = word.substr(start, word.find('=') - start);
    if (name == "n" || name == "np") return {"--ranks"};
    // A misspelling first: "--rank" is --ranks, though --rank-timeout starts with it too.
    std::vector<std::string> misspelled, started;
    for (const auto& option : names) {
        if (typos(name, option) <= (option.size() > 5 ? 2u : 1u))
            misspelled.push_back("--" + option);
        else if (name.size() >= 3 && option.starts_with(name))
            started.push_back("--" + option);
    }
    return misspelled.empty() ? started : misspelled;
}

// Warns about the program's arguments that look like misspelled baton options (up to a "--",
// after which every argument is the program's), unless BATON_NO_OPTION_HINTS is set.
void hint_typos(const CLI::App& app, const std::vector<std::string>& program_args) {
    if (const char* off = std::getenv("BATON_NO_OPTION_HINTS"); off && *off && std::string_view(off) != "0") return;
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options())
        for (const auto& name : option->get_lnames()) names.push_back(name);
    std::set<std::string> warned;
    for (const auto& word : program_args) {
        if (word == "--") break;
        const std::string shown = word.substr(0, word.find('='));
        if (const auto options = meant(word, names); !options.empty() && warned.insert(shown).second)
            warn("'" + shown + "' is not a baton option and goes to the program; did you mean " + one_of(options) +
                 "? (BATON_NO_OPTION_HINTS=1 silences this)");
    }
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
    const auto& report_json = table.add("--report-json", "BATON_REPORT_JSON", "FILE", "",
                                        "Write the simulator's findings to this file as JSON");
    const auto& report_dot = table.add("--report-dot", "BATON_REPORT_DOT", "FILE", "",
                                       "Write a deadlock's wait-for graph to this file (Graphviz DOT)");
    const auto& backend_choice = table.add("--backend", "BATON_BACKEND", "NAME", "auto",
                                           "sim, mpi, or auto (mpi when started by mpiexec)");
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
        take_number(rank_timeout, chosen.sim.rank_timeout_seconds, 0, 1u << 24);
        take_number(poll_limit, chosen.sim.poll_limit, 0);
        take_file(report_json, chosen.report_json);
        take_file(report_dot, chosen.report_dot);
        take_choice<std::string>(backend_choice, chosen.backend, {{"auto", "auto"}, {"sim", "sim"}, {"mpi", "mpi"}});
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
    if (fiber_stack.on_command_line && chosen.sim.context != sim::rank_context::fiber)
        warn(fiber_stack.where + " does nothing on thread ranks (it sizes the stacks of --context fiber)");

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

    std::string backend = chosen.backend;
    if (backend == "auto") backend = launched_by_mpi() ? "mpi" : "sim";
    if (backend == "mpi") {
#ifdef BATON_HAVE_MPI
        mpi::launch_options mpi_options;
        mpi_options.synchronous_sends = chosen.sim.sends == sim::send_mode::synchronous;
        mpi_options.rank_timeout_seconds = chosen.sim.rank_timeout_seconds;
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
    const int status = simulate(chosen, body);
    return chosen.write_failed ? 2 : status;
}

}  // namespace baton
