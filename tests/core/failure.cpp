// A rank that throws ends the whole run cleanly: every other rank unwinds, the caller gets the
// original exception tagged with the rank.
#include <stdexcept>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton_test::contains;

namespace {

// Counts live objects, to show that every rank's stack was unwound.
struct guard {
    static inline int alive = 0;
    guard() { ++alive; }
    ~guard() { --alive; }
};

}  // namespace

TEST_CASE("an exception on one rank tears the run down and names the rank", "[failure]") {
    const int ranks = GENERATE(2, 3, 4, 7, 16);
    const int thrower = ranks / 2;
    guard::alive = 0;
    try {
        baton::sim::run_ranks({.ranks = ranks, .seed = 8}, [&](communicator& world) {
            guard alive;
            if (world.rank() == thrower) throw std::runtime_error("bad input file");
            world.barrier();                              // the others are blocked here...
            world.recv<int>(baton::any_source, 0);        // ...and never get this far
        });
        FAIL("no exception");
    } catch (const baton::rank_failed& e) {
        CHECK(e.rank() == thrower);
        CHECK(e.original_is<std::runtime_error>());
        CHECK_THAT(e.what(), contains("rank " + std::to_string(thrower) + " failed: bad input file"));
        CHECK_THROWS_WITH(e.rethrow_original(), "bad input file");
    }
    CHECK(guard::alive == 0);
}

TEST_CASE("a usage error escaping a rank is its failure", "[failure]") {
    try {
        baton::sim::run_ranks({.ranks = 3}, [](communicator& world) {
            if (world.rank() == 1) world.send(1, 3, 0);
        });
        FAIL("no exception");
    } catch (const baton::rank_failed& e) {
        CHECK(e.rank() == 1);
        CHECK(e.original_is<baton::usage_error>());
        CHECK_THAT(e.what(), contains("rank 1 failed: send at"));
        CHECK_THAT(e.what(), contains("dest 3 is not a rank of world (ranks 0..2)"));
    }
}

TEST_CASE("a rank may catch baton's errors and go on", "[failure]") {
    const auto result = baton::sim::run({.ranks = 2}, [](communicator& world) {
        try {
            world.send(1, 0, -4);
        } catch (const baton::usage_error&) {
            return world.allreduce(1, baton::op::sum);
        }
        return 0;
    });
    CHECK(result.values == std::vector<int>{2, 2});
}

TEST_CASE("the first failure wins when several ranks fail", "[failure]") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        try {
            baton::sim::run_ranks({.ranks = 4, .seed = seed}, [](communicator& world) {
                throw std::logic_error("rank " + std::to_string(world.rank()));
            });
            FAIL("no exception");
        } catch (const baton::rank_failed& e) {
            CHECK_THAT(e.what(), contains("failed: rank " + std::to_string(e.rank())));
        }
    }
}

TEST_CASE("a run needs at least one rank", "[failure]") {
    CHECK_THROWS_AS(baton::sim::run_ranks({.ranks = 0}, [](communicator&) {}), baton::usage_error);
}
