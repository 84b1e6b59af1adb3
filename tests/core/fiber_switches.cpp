// Fiber ranks that hand the CPU round and round and then run to their end, with a simulation of
// their own nested in one of them. Built with fiber_contexts.cpp alone (without the engine) and
// always at -O0, where Boost.Context's functions are not inlined: in a build with
// -Db_sanitize=thread that is the case where ThreadSanitizer must be told of each switch in the
// frame that calls resume(), or its shadow stacks of function entries go out of step and libtsan
// crashes in __tsan_func_exit (issue #11). In other builds it checks the order of the switches.
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "catch2_compat.hpp"

#include "contexts.hpp"

using baton::sim::detail::make_fiber_contexts;
using baton::sim::detail::rank_contexts;

namespace {

using trace = std::vector<std::pair<int, int>>;  // (rank, round), in the order they ran

// `ranks` fiber ranks, each `rounds` times: note (rank, round), hand the CPU to the next rank.
// Then each ends, handing the CPU on to the next one; the last ends the run. `inside`, when set,
// runs in rank 0 before its first round.
trace ring(int ranks, int rounds, void (*inside)() = nullptr) {
    trace seen;
    std::unique_ptr<rank_contexts> contexts;
    contexts = make_fiber_contexts(ranks, 128 * 1024, [&](int rank) {
        if (rank == 0 && inside) inside();
        for (int round = 0; round < rounds; ++round) {
            seen.emplace_back(rank, round);
            contexts->transfer(rank, (rank + 1) % ranks);
        }
        contexts->leave(rank, rank + 1 < ranks ? rank + 1 : -1);
    });
    for (int r = 0; r < ranks; ++r) contexts->create(r);
    contexts->run(0);
    return seen;
}

trace expected(int ranks, int rounds) {
    trace t;
    for (int round = 0; round < rounds; ++round)
        for (int rank = 0; rank < ranks; ++rank) t.emplace_back(rank, round);
    return t;
}

}  // namespace

TEST_CASE("fiber ranks switch in turn and run to their end, run after run", "[fiber]") {
    // Every rank's end is a switch on which the old annotations lost shadow-stack entries: 64
    // ranks, three runs, are many more than a thread's shadow stack holds below a test case.
    for (int run = 0; run < 3; ++run) CHECK(ring(64, 20) == expected(64, 20));
}

TEST_CASE("a fiber rank runs a simulation of its own on fibers", "[fiber]") {
    static trace inner;
    inner.clear();
    const trace outer = ring(4, 5, [] { inner = ring(3, 4); });
    CHECK(outer == expected(4, 5));
    CHECK(inner == expected(3, 4));
}

TEST_CASE("each fiber rank keeps its own exception state as ranks hand the CPU to one another", "[fiber]") {
    // Ranks hand the CPU straight to the next rank's fiber: the thread's caught exceptions must
    // follow each rank, and the thread's own (run() is called here inside a catch block) come
    // back when the run ends.
    constexpr int ranks = 3, rounds = 4;
    std::vector<int> mismatches(ranks, 0);
    std::unique_ptr<rank_contexts> contexts;
    contexts = make_fiber_contexts(ranks, 128 * 1024, [&](int rank) {
        try {
            throw rank;
        } catch (int mine) {
            for (int round = 0; round < rounds; ++round) {
                contexts->transfer(rank, (rank + 1) % ranks);
                try {
                    throw;  // rethrows what this rank caught, whichever rank ran in between
                } catch (int again) {
                    if (again != mine) ++mismatches[static_cast<std::size_t>(rank)];
                }
                if (std::uncaught_exceptions() != 0) ++mismatches[static_cast<std::size_t>(rank)];
            }
        }
        contexts->leave(rank, rank + 1 < ranks ? rank + 1 : -1);
    });
    for (int r = 0; r < ranks; ++r) contexts->create(r);
    try {
        throw -1;
    } catch (int thread_own) {
        contexts->run(0);
        try {
            throw;
        } catch (int again) {
            CHECK(again == thread_own);
        }
    }
    CHECK(mismatches == std::vector<int>(ranks, 0));
}
