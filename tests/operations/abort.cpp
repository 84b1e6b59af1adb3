// abort(code) on the simulator: the whole run ends at once, whichever rank and communicator, and
// sim::run throws baton::aborted naming the rank, the code and the line (MPI_Abort).
#include <cerrno>
#include <string>

#include <sys/wait.h>

#include "common.hpp"

using baton::communicator;
using baton_test::contains;

namespace {

// No rank's process is left behind (process ranks); nothing was ever forked on the others.
bool no_child_left() { return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD; }

// "tests/operations/abort.cpp:LINE", as reports name a call made here.
std::string here(int line) { return "tests/operations/abort.cpp:" + std::to_string(line); }

// The call whose line the reports name, and that line (on the same line, so that they agree).
void abort_with_3(communicator& world) { world.abort(3); } constexpr int abort_line = __LINE__;

}  // namespace

TEST_CASE("abort ends the run on every rank with the rank, its code and its line", "[abort]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    const int n = opts.ranks;
    try {
        baton::sim::run(opts, [](communicator& world) {
            world.barrier();
            // The last rank ends the run while the others wait for a message that never comes.
            if (world.rank() == world.size() - 1) abort_with_3(world);
            (void)world.recv<int>(baton::any_source, 0);
        });
        FAIL("the run did not end with baton::aborted");
    } catch (const baton::aborted& e) {
        CHECK(e.rank() == n - 1);
        CHECK(e.code() == 3);
        CHECK(e.location() == here(abort_line));
        CHECK(std::string(e.what()) == "rank " + std::to_string(n - 1) + " called abort(3) at " + here(abort_line) +
                                           "; the run ends with status 3");
    }
    CHECK(no_child_left());
}

TEST_CASE("abort on a sub-communicator ends the whole run, and names the world rank", "[abort]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3, 4, 7})));
    OPS_DESCRIBE(opts);
    try {
        baton::sim::run(opts, [](communicator& world) {
            communicator odd = world.split(world.rank() % 2, 0);
            // World rank 1 is rank 0 of its communicator; the other ranks wait in the world's barrier.
            if (world.rank() == 1) odd.abort(0);
            world.barrier();
        });
        FAIL("the run did not end with baton::aborted");
    } catch (const baton::aborted& e) {
        CHECK(e.rank() == 1);
        CHECK(e.code() == 0);  // an abort, even with status 0, still ends the run
    }
    CHECK(no_child_left());
}

TEST_CASE("abort with a code that is no exit status is a usage_error", "[abort][errors]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3})));
    OPS_DESCRIBE(opts);
    for (const int code : {256, -1}) {
        const auto failure = ops::rank_failure(opts, [code](communicator& world) {
            world.barrier();
            if (world.rank() == 1) world.abort(code);
        });
        REQUIRE(failure);
        CHECK(failure->rank() == 1);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(ops::original_message(*failure),
                   contains("rank 1: abort at tests/operations/abort.cpp:") &&
                       contains("code " + std::to_string(code) + " cannot be an exit status (0..255)"));
    }
}

TEST_CASE("exploration stops at the execution that aborts", "[abort][explore]") {
    // Rank 0 aborts only when rank 2's message matches its wildcard receive first.
    const auto found = baton::sim::explore({.ranks = 3}, [](communicator& world) {
        if (world.rank() == 0) {
            if (world.recv<int>(baton::any_source, 0) == 2) world.abort(4);
            (void)world.recv<int>(baton::any_source, 0);
        } else {
            world.send(world.rank(), 0, 0);
        }
    });
    REQUIRE(found.failure);
    CHECK(found.failure->kind == baton::finding_kind::rank_failure);
    CHECK_THAT(found.failure->summary, contains("rank 0 called abort(4) at tests/operations/abort.cpp:"));
    REQUIRE(found.failure->calls.size() == 1);
    CHECK(found.failure->calls[0].call == "abort(4)");
    CHECK_THAT(found.failure->replay, contains("--replay v1."));
    CHECK(no_child_left());
}
