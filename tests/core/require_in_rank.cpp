// A Catch2 assertion that fails inside a rank fails its test case, names the rank, and leaves the
// test program able to run the next test case. Run by check_output.py (see meson.build), which
// expects this program to fail in exactly that way.
#include "catch2_compat.hpp"

#include <baton/baton.hpp>

TEST_CASE("a REQUIRE that fails on rank 2") {
    baton::sim::run_ranks({.ranks = 4}, [](baton::communicator& world) {
        world.barrier();
        REQUIRE(world.rank() != 2);
        world.barrier();
    });
}

TEST_CASE("the next test case still runs and passes") {
    const auto result = baton::sim::run({.ranks = 3}, [](baton::communicator& world) {
        return world.allreduce(world.rank(), baton::op::sum);
    });
    REQUIRE(result.values == std::vector<int>{3, 3, 3});
}
