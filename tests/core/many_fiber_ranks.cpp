// Issue 17: from 4 096 fiber ranks on, the engine reads a rank's memory before resuming it (its
// slot, room, recent calls' next entry and frames, and a turn ahead the page of the rank the
// schedule will likely pick after it: fiber_contexts.cpp, scheduler::guess_after). Those reads are
// hints and must change nothing: results, schedules and reports are those of fewer ranks.
#include <cstdint>
#include <string>
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton_test::contains;

namespace {

constexpr int many = 5000;  // above the 4 096 ranks from which the engine reads ahead

baton::sim::options on_fibers(std::uint64_t seed = 1) {
    return {.ranks = many, .seed = seed, .context = baton::sim::rank_context::fiber};
}

// An allreduce from `depth` frames down: ranks blocked at different depths of their own stacks.
[[gnu::noinline]] long sum_from(communicator& world, int depth) {
    volatile char frame[64] = {};
    if (depth > 0) return sum_from(world, depth - 1) + frame[0];
    return world.allreduce(static_cast<long>(world.rank()), baton::op::sum);
}

}  // namespace

TEST_CASE("allreduces on 5 000 fiber ranks, blocked at different depths, give every rank the sum", "[fiber]") {
    std::vector<int> right(many);
    baton::sim::run_ranks(on_fibers(), [&](communicator& world) {
        const long expected = static_cast<long>(many) * (many - 1) / 2;
        int good = 0;
        for (int i = 0; i < 4; ++i) good += sum_from(world, (world.rank() + i) % 5) == expected;
        right[static_cast<std::size_t>(world.rank())] = good;
    });
    CHECK(right == std::vector<int>(many, 4));
}

TEST_CASE("the same seed gives the same schedule on 5 000 fiber ranks, another seed another", "[fiber]") {
    const auto order = [](std::uint64_t seed) {
        std::vector<int> resumed;  // one rank runs at a time
        baton::sim::run_ranks(on_fibers(seed), [&](communicator& world) {
            for (int i = 0; i < 3; ++i) {
                world.allreduce(1, baton::op::sum);
                resumed.push_back(world.rank());
            }
        });
        return resumed;
    };
    const auto first = order(7);
    CHECK(first.size() == std::size_t{3} * many);
    CHECK(order(7) == first);
    CHECK(order(8) != first);
}

TEST_CASE("a deadlock on 5 000 fiber ranks names the rank, its line and its recent calls", "[fiber]") {
    int recv_line = 0;
    try {
        baton::sim::run_ranks(on_fibers(), [&](communicator& world) {
            for (int i = 0; i < 3; ++i) world.allreduce(1, baton::op::sum);
            if (world.rank() == 4321) {
                recv_line = __LINE__ + 1;
                (void)world.recv<int>(17, 5);
            }
            world.barrier();
        });
        FAIL("no deadlock was reported");
    } catch (const baton::deadlock_error& e) {
        const auto& calls = e.deadlock().calls;
        const baton::rank_call* stuck = nullptr;
        for (const auto& call : calls)
            if (call.rank == 4321) stuck = &call;
        REQUIRE(stuck != nullptr);
        CHECK_THAT(stuck->call, contains("recv(source=17, tag=5"));
        CHECK_THAT(stuck->location, contains("many_fiber_ranks.cpp:" + std::to_string(recv_line)));
        REQUIRE(stuck->recent.size() == 3);  // the history keeps three calls: the allreduces
        for (const auto& line : stuck->recent) CHECK_THAT(line, contains("allreduce"));
    }
}
