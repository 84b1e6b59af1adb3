// baton::run's options (issue #11): every bad value is one "baton:" line and exit status 2, named
// as the user gave it; numbers are decimal and in range, never wrapped; options that conflict are
// errors and options that do nothing are warned about; an argument that looks like a misspelled
// baton option is warned about; a report file that cannot be written is an error.
// baton::run is called in this process, with its stderr captured.
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "catch2_compat.hpp"
#include "process_results.hpp"

#include <baton/baton.hpp>

namespace {

struct outcome {
    int status = -1;
    std::vector<std::string> errors;         // the lines of stderr
    std::vector<std::string> program_args;   // what the program got back in argv, after its name
    int ranks = 0;                            // how many ranks ran (0: the run did not start)
};

// Sets environment variables for one test and puts them back after it.
class environment {
public:
    environment(std::initializer_list<std::pair<const char*, const char*>> variables) {
        for (const auto& [name, value] : variables) {
            const char* old = std::getenv(name);
            saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
            ::setenv(name, value, 1);
        }
    }
    ~environment() {
        for (const auto& [name, value] : saved_)
            value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

outcome run(std::vector<std::string> args) {
    args.insert(args.begin(), "options_test");
    std::vector<char*> pointers;
    for (auto& arg : args) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    int argc = static_cast<int>(args.size());
    char** argv = pointers.data();

    std::ostringstream captured;
    std::streambuf* const original = std::cerr.rdbuf(captured.rdbuf());
    // baton::run gives back only a status, so rank 0 says how many ranks ran in memory that
    // process ranks share with this process too.
    const auto ranks = baton_test::shared_by_ranks<std::atomic<int>>();
    outcome out;
    out.status = baton::run(argc, argv, [ranks](baton::communicator& world) {
        if (world.rank() == 0) *ranks = world.size();
        world.barrier();  // something for --timeline to show
    });
    std::cerr.rdbuf(original);

    out.ranks = *ranks;
    for (int i = 1; i < argc; ++i) out.program_args.emplace_back(argv[i]);
    std::istringstream lines(captured.str());
    for (std::string line; std::getline(lines, line);) out.errors.push_back(line);
    return out;
}

// The run stopped before it began, with exactly this one line on stderr and status 2.
void check_rejected(const outcome& out, const std::string& line) {
    CHECK(out.status == 2);
    CHECK(out.ranks == 0);
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0] == line);
}

}  // namespace

TEST_CASE("a bad value is one baton: line and exit status 2, named as given") {
    check_rejected(run({"--ranks", "abc"}), "baton: --ranks abc: expected a whole number from 1 to 16777216");
    check_rejected(run({"--ranks", "0"}), "baton: --ranks 0: expected a whole number from 1 to 16777216");
    check_rejected(run({"--ranks=0"}), "baton: --ranks 0: expected a whole number from 1 to 16777216");
    check_rejected(run({"--ranks"}), "baton: --ranks: the value is missing");
    check_rejected(run({"--ranks", "2", "--ranks", "3"}), "baton: --ranks: given more than once");
    check_rejected(run({"--schedule", "fair"}), "baton: --schedule fair: expected random, round-robin or pct");
    check_rejected(run({"--sends", ""}), "baton: --sends '': expected buffered, synchronous or eager");
    check_rejected(run({"--backend", "openmpi"}), "baton: --backend openmpi: expected auto, sim or mpi");
    check_rejected(run({"--trace", "--ranks", "3"}), "baton: --trace --ranks: expected a file name");
    check_rejected(run({"--report-json", ""}), "baton: --report-json '': expected a file name");
    check_rejected(run({"--bind-to", "socket"}), "baton: --bind-to socket: expected core or none");
    for (const char* binding : {"core", "none"}) CHECK(run({"--bind-to", binding}).errors.empty());
}

TEST_CASE("a bad value from the environment is named as the variable, not as the flag") {
    {
        environment env{{"BATON_RANKS", "abc"}};
        check_rejected(run({}), "baton: BATON_RANKS=abc: expected a whole number from 1 to 16777216");
        // The command line wins over the environment, as it always has.
        const auto out = run({"--ranks", "3"});
        CHECK(out.status == 0);
        CHECK(out.ranks == 3);
        CHECK(out.errors.empty());
    }
    {
        environment env{{"BATON_SEED", "-1"}};
        check_rejected(run({}), "baton: BATON_SEED=-1: expected a whole number from 0 to 18446744073709551615");
    }
    {
        environment env{{"BATON_SENDS", "lazy"}};
        check_rejected(run({}), "baton: BATON_SENDS=lazy: expected buffered, synchronous or eager");
    }
    {
        // Empty is unset.
        environment env{{"BATON_RANKS", ""}};
        CHECK(run({}).ranks == 4);
    }
}

TEST_CASE("numbers are decimal and in range: nothing wraps") {
    const std::string u64 = "from 0 to 18446744073709551615";
    check_rejected(run({"--seed", "-1"}), "baton: --seed -1: expected a whole number " + u64);
    check_rejected(run({"--seed", "18446744073709551616"}),
                   "baton: --seed 18446744073709551616: expected a whole number " + u64);
    check_rejected(run({"--seed", "+1"}), "baton: --seed +1: expected a whole number " + u64);
    check_rejected(run({"--seed", " 1"}), "baton: --seed ' 1': expected a whole number " + u64);
    check_rejected(run({"--ranks", "0x10"}), "baton: --ranks 0x10: expected a whole number from 1 to 16777216");
    check_rejected(run({"--ranks", "4.0"}), "baton: --ranks 4.0: expected a whole number from 1 to 16777216");
    check_rejected(run({"--explore", "-1"}), "baton: --explore -1: expected a whole number " + u64);
    check_rejected(run({"--break-at", "-1"}), "baton: --break-at -1: expected a whole number " + u64);
    check_rejected(run({"--eager-limit", "-1"}), "baton: --eager-limit -1: expected a whole number " + u64);
    check_rejected(run({"--pct-steps", "-1"}),
                   "baton: --pct-steps -1: expected a whole number from 1 to 18446744073709551615");
    check_rejected(run({"--pct-depth", "0"}), "baton: --pct-depth 0: expected a whole number from 1 to 1000");
    check_rejected(run({"--fiber-stack", "4096"}),
                   "baton: --fiber-stack 4096: expected a whole number from 16384 to 1073741824");
    check_rejected(run({"--rank-timeout", "-1"}), "baton: --rank-timeout -1: expected a whole number from 0 to 16777216");

    const auto largest = run({"--seed", "18446744073709551615", "--ranks", "2"});
    CHECK(largest.status == 0);
    CHECK(largest.ranks == 2);
    CHECK(largest.errors.empty());
}

TEST_CASE("--poll-limit is a number like the others, from the command line or BATON_POLL_LIMIT") {
    const std::string u64 = "from 0 to 18446744073709551615";
    check_rejected(run({"--poll-limit", "-1"}), "baton: --poll-limit -1: expected a whole number " + u64);
    check_rejected(run({"--poll-limit", "1e4"}), "baton: --poll-limit 1e4: expected a whole number " + u64);
    check_rejected(run({"--poll-limit"}), "baton: --poll-limit: the value is missing");
    {
        environment env{{"BATON_POLL_LIMIT", "many"}};
        check_rejected(run({}), "baton: BATON_POLL_LIMIT=many: expected a whole number " + u64);
    }
    for (const auto& args : {std::vector<std::string>{"--poll-limit", "0"}, std::vector<std::string>{"--strict-buffers"}}) {
        const auto out = run(args);
        if (args[0] == "--strict-buffers" && baton::sim::default_rank_context() == baton::sim::rank_context::process) {
            // It protects pages of this process, where a process rank's buffers are not.
            check_rejected(out, "baton: --strict-buffers protects pages of the engine's process, and a process rank's "
                                "buffers are in a process of its own: use it with --context thread or fiber");
            continue;
        }
        CHECK(out.status == 0);
        CHECK(out.ranks == 4);
        CHECK(out.errors.empty());
    }
}

TEST_CASE("--replay takes only well-formed tokens, and not with --seed or --schedule") {
    const std::string shape = ": not a replay token (they look like v1.2/3.0/2)";
    for (const char* token : {"", "v1.0/-1", "v1.-1/2", "v1.2/2", "v1.0/+2", "v1.0/2.", "v1.0/4294967296",
                              "v2.0/2", "1.0/2", "v1.0//2", "v1.0/2x"})
        check_rejected(run({"--replay", token}),
                       "baton: --replay " + (*token ? std::string(token) : "''") + shape);
    check_rejected(run({"--replay", "v1", "--seed", "3"}),
                   "baton: --replay v1 and --seed 3 do not go together: the replay token fixes the whole schedule");
    check_rejected(run({"--schedule", "pct", "--replay", "v1"}),
                   "baton: --replay v1 and --schedule pct do not go together: the replay token fixes the whole "
                   "schedule");

    // A run without wildcards makes no choices: "v1" replays it.
    const auto replayed = run({"--replay", "v1", "--ranks", "2"});
    CHECK(replayed.status == 0);
    CHECK(replayed.errors.empty());
    // BATON_SEED, set for a whole suite, is a default the token overrides.
    environment env{{"BATON_SEED", "7"}, {"BATON_SCHEDULE", "pct"}};
    const auto over_environment = run({"--replay", "v1"});
    CHECK(over_environment.status == 0);
    CHECK(over_environment.errors.empty());
}

TEST_CASE("an option that would do nothing is one warning line, and the run goes on") {
    const auto check_warned = [](const outcome& out, const std::string& line) {
        CHECK(out.status == 0);
        CHECK(out.ranks == 4);
        REQUIRE(out.errors.size() == 1);
        CHECK(out.errors[0] == line);
    };
    check_warned(run({"--deterministic"}), "baton: warning: --deterministic does nothing without --explore");
    check_warned(run({"--fiber-stack", "65536", "--context", "thread"}),
                 "baton: warning: --fiber-stack 65536 does nothing on thread ranks (it sizes the stacks of --context "
                 "fiber)");
    check_warned(run({"--pct-depth", "2"}), "baton: warning: --pct-depth 2 does nothing without --schedule pct");
    check_warned(run({"--eager-limit", "10"}), "baton: warning: --eager-limit 10 does nothing without --sends eager");
    CHECK(run({"--fiber-stack", "65536", "--context", "fiber"}).errors.empty());
    CHECK(run({"--schedule", "pct", "--pct-depth", "2", "--pct-steps", "50"}).errors.empty());
    // Variables set for a whole suite are not warned about.
    environment env{{"BATON_FIBER_STACK", "65536"}, {"BATON_EAGER_LIMIT", "10"}};
    CHECK(run({"--context", "thread"}).errors.empty());
}

TEST_CASE("an argument that looks like a misspelled baton option is warned about, and goes to the program") {
    const auto hinted = [](std::vector<std::string> args, const std::string& word, const std::string& meant) {
        const auto out = run(args);
        CHECK(out.status == 0);
        CHECK(out.ranks == 4);  // the default: the misspelled option did not count
        CHECK(out.program_args == args);
        REQUIRE(out.errors.size() == 1);
        CHECK(out.errors[0] == "baton: warning: '" + word + "' is not a baton option and goes to the program; did you mean " +
                                   meant + "? (BATON_NO_OPTION_HINTS=1 silences this)");
    };
    hinted({"--rank", "8"}, "--rank", "--ranks");
    hinted({"-n", "8"}, "-n", "--ranks");
    hinted({"-np", "8"}, "-np", "--ranks");
    hinted({"-ranks", "8"}, "-ranks", "--ranks");
    hinted({"--rnaks=8"}, "--rnaks", "--ranks");
    hinted({"--contexts", "fiber"}, "--contexts", "--context");
    hinted({"--schedul", "pct"}, "--schedul", "--schedule");
    hinted({"--sched", "pct"}, "--sched", "--schedule");
    hinted({"--seeds", "3"}, "--seeds", "--seed or --sends");
    hinted({"input.txt", "--determinstic"}, "--determinstic", "--deterministic");

    // A program's own options that are not near a baton option; numbers; anything after "--".
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--runs", "3"}, {"--iters", "10"}, {"--programs", "5"},
                                               {"-v", "-x", "-1"}, {"--first-seed", "1"}, {"--", "--rank", "8"}}) {
        const auto out = run(args);
        CHECK(out.errors.empty());
        CHECK(out.program_args == args);
    }
    environment env{{"BATON_NO_OPTION_HINTS", "1"}};
    const auto silenced = run({"--rank", "8"});
    CHECK(silenced.errors.empty());
    CHECK(silenced.program_args == std::vector<std::string>{"--rank", "8"});
}

TEST_CASE("a report file that cannot be written is an error, found after the file is closed") {
    const auto check_unwritten = [](const outcome& out, const std::string& line) {
        CHECK(out.status == 2);
        CHECK(out.ranks == 4);  // the run happened; its file is what failed
        REQUIRE(out.errors.size() == 1);
        CHECK(out.errors[0] == line);
    };
    const std::string full = std::strerror(ENOSPC), missing = std::strerror(ENOENT);
    check_unwritten(run({"--trace", "/dev/full"}), "baton: cannot write --trace /dev/full: " + full);
    check_unwritten(run({"--timeline", "/dev/full"}), "baton: cannot write --timeline /dev/full: " + full);
    check_unwritten(run({"--report-json", "/dev/full"}), "baton: cannot write --report-json /dev/full: " + full);
    check_unwritten(run({"--trace", "/nonexistent-baton-dir/trace.json"}),
                    "baton: cannot write --trace /nonexistent-baton-dir/trace.json: " + missing);
    // --explore says what it explored first; a passing exploration writes an empty report too.
    const auto explored = run({"--explore", "5", "--report-json", "/nonexistent-baton-dir/report.json"});
    CHECK(explored.status == 2);
    REQUIRE(explored.errors.size() == 2);
    CHECK(explored.errors[1] == "baton: cannot write --report-json /nonexistent-baton-dir/report.json: " + missing);

    // A file that can be written still is: one of this process's own, since the variants of this
    // test ([fiber], [process]) run side by side in one directory.
    const std::string path =
        (std::filesystem::temp_directory_path() / ("baton-options-test-" + std::to_string(::getpid()) + ".json")).string();
    const auto written = run({"--report-json", path});
    CHECK(written.status == 0);
    std::ifstream file(path);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    CHECK(text == baton::to_json({}) + "\n");  // a versioned object with no findings
    std::remove(path.c_str());
}

TEST_CASE("--help still prints the options and exits 0") {
    std::ostringstream captured;
    std::streambuf* const original = std::cout.rdbuf(captured.rdbuf());
    const auto out = run({"--help"});
    std::cout.rdbuf(original);
    CHECK(out.status == 0);
    CHECK(out.ranks == 0);
    CHECK(std::regex_search(captured.str(), std::regex(R"(--ranks N=4 +Simulated ranks \[env BATON_RANKS\])")));
}
