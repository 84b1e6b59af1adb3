// Issue #12: --deterministic compares what each rank printed (sim::explore_output), so a correct
// program whose ranks print in an order that changes with the schedule passes, and a report of a
// difference names the rank, its line in each execution and the choice that made it.
#include <cstdio>
#include <iostream>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton::sim::output_comparison;
using baton_test::contains;

namespace {

// Rank 0 acknowledges the workers in the order their messages arrive; each worker prints once it
// has its acknowledgement. `partial` leaves text in stdio's buffer across the worker's calls: it
// still counts for the worker that wrote it, not for the rank that happens to flush it.
void workers_print_when_acknowledged(communicator& world, bool partial) {
    if (world.rank() == 0) {
        for (int i = 1; i < world.size(); ++i) world.send(0, world.recv<int>(baton::any_source, 0), 1);
        return;
    }
    if (partial) std::printf("worker %d ", world.rank());
    world.send(world.rank(), 0, 0);
    world.recv<int>(0, 1);
    if (partial) std::printf("done\n");
    else std::cout << "worker " << world.rank() << " done" << std::endl;
}

}  // namespace

TEST_CASE("each rank's output is compared on its own, in every send mode", "[explore][output]") {
    const auto sends = GENERATE(baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous);
    const bool partial = GENERATE(false, true);
    const auto result = baton::sim::explore_output({.ranks = 4, .sends = sends}, [&](communicator& world) {
        workers_print_when_acknowledged(world, partial);
    });
    CHECK_FALSE(result.failure);
    CHECK(result.complete);
    CHECK(result.executions == 6);  // 3! orders of arrival
}

TEST_CASE("compared as one stream, the order in which ranks print is a difference", "[explore][output]") {
    const auto result = baton::sim::explore_output(
        {.ranks = 3}, [](communicator& world) { workers_print_when_acknowledged(world, false); }, 100,
        output_comparison::interleaving);
    REQUIRE(result.failure);
    CHECK(result.failure->kind == baton::finding_kind::schedule_dependence);
    const std::string text = result.failure->text();
    CHECK_THAT(text, contains("line 1 of the output differs"));
    CHECK_THAT(text, contains("first execution, line 1 (rank 1): worker 1 done"));
    CHECK_THAT(text, contains("this execution, line 1 (rank 2): worker 2 done"));
    CHECK_THAT(text, contains("the choice that made the difference: what rank 0's recv(source=any_source, tag=0"));
}

TEST_CASE("a rank that prints something else names the rank and its line in each execution", "[explore][output]") {
    const auto result = baton::sim::explore_output({.ranks = 3}, [](communicator& world) {
        if (world.rank() != 0) {
            world.send(world.rank(), 0, 0);
            return;
        }
        std::cout << "start\n";
        std::cout << "first: " << world.recv<int>(baton::any_source, 0) << '\n';
        world.recv<int>(baton::any_source, 0);
    });
    REQUIRE(result.failure);
    const std::string text = result.failure->text();
    CHECK_THAT(text, contains("rank 0's output differs from the first execution's at its line 2"));
    CHECK_THAT(text, contains("first execution, rank 0's line 2: first: 1"));
    CHECK_THAT(text, contains("this execution, rank 0's line 2: first: 2"));
    REQUIRE(result.failure->calls.size() == 1);
    CHECK(result.failure->calls[0].rank == 0);
}
