// Issue 17: before a fiber rank is resumed, the engine starts on the memory of the rank the random
// schedule will most likely pick after it (scheduler::guess_after), so that the TLB misses of one
// rank's pages are under way while the rank before it runs. The guess draws nothing, so it cannot
// change a schedule; and when the rank that runs blocks (as every rank of a collective but the
// last does) it is the rank picked next, except when that draw starts a new block of numbers.
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

#include "scheduler.hpp"

namespace sim = baton::sim;

TEST_CASE("the random schedule's guess of the rank after the next is the rank it picks then", "[scheduler]") {
    const auto seed = GENERATE(1u, 2u, 12345u);
    const int ranks = GENERATE(2, 7, 64, 1000);
    sim::options opts;
    opts.seed = seed;
    sim::detail::scheduler guessing(opts, ranks), plain(opts, ranks);
    int guessed = 0, passes = 0;
    // Passes as an allreduce makes them: every rank woken, then each blocks when it runs.
    for (; passes < 5; ++passes) {
        for (int r = 0; r < ranks; ++r) {
            guessing.add(r);
            plain.add(r);
        }
        int guess = -1;
        while (!guessing.empty()) {
            const int next = guessing.pick(-1);
            CHECK(next == plain.pick(-1));  // guessing draws nothing
            if (guess >= 0) {
                CHECK(next == guess);
                ++guessed;
            }
            guess = guessing.guess_after(next);
            guessing.remove(next);
            plain.remove(next);
        }
        CHECK(guess == -1);  // nobody left to guess
    }
    // No guess for each pass's first pick, nor where a draw starts a block of 312.
    CHECK(guessed >= passes * (ranks - 1) - (passes * ranks / 312 + 1));
}

TEST_CASE("only the random schedule guesses", "[scheduler]") {
    sim::options opts;
    opts.schedule = GENERATE(sim::schedule::round_robin, sim::schedule::pct, sim::schedule::systematic);
    sim::detail::scheduler sched(opts, 4);
    for (int r = 0; r < 4; ++r) sched.add(r);
    CHECK(sched.guess_after(sched.pick(-1)) == -1);
}
