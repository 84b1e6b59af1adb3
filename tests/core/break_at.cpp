// --break-at STEP (options::break_at_step): SIGTRAP is raised once, in the rank that runs at
// that step of the run, so a debugger stops inside the right rank. Checked against the event log:
// the rank whose send or collective carries step STEP is the one the signal finds running.
// (Receives are logged when they complete, which the sending rank may do.)
#include <atomic>
#include <csignal>
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

namespace {

// Lock-free atomics: safe to touch from a signal handler.
std::atomic<int> traps{0};
std::atomic<int> trapped_rank{-2};

void on_trap(int) {
    ++traps;
    trapped_rank = baton::sim::running_rank();
}

// A ring with some collectives: every rank runs at many different steps.
void ring(baton::communicator& world) {
    const int right = (world.rank() + 1) % world.size();
    const int left = (world.rank() + world.size() - 1) % world.size();
    for (int round = 0; round < 3; ++round) {
        auto sent = world.isend(world.rank() * 10 + round, right, round);
        const int got = world.recv<int>(left, round);
        sent.wait();
        world.allreduce(got, baton::op::sum);
    }
}

}  // namespace

TEST_CASE("--break-at raises SIGTRAP once, in the rank that runs at that step") {
    const baton::sim::options recorded{.ranks = 4, .seed = 3, .record = true};
    const auto events = baton::sim::run(recorded, ring).events;
    REQUIRE(events.size() > 20);
    auto previous = std::signal(SIGTRAP, on_trap);
    // Several steps, so that each rank is the one stopped at least once.
    std::vector<bool> stopped(4, false);
    for (const auto& e : events) {
        if (e.operation != "isend" && e.operation != "allreduce") continue;
        baton::sim::options opts = recorded;
        opts.break_at_step = e.step;
        traps = 0;
        trapped_rank = -2;
        const auto again = baton::sim::run(opts, ring).events;
        REQUIRE(again == events);  // stopping changes nothing in the run
        INFO("step " << e.step << ", event of rank " << e.rank);
        REQUIRE(traps == 1);
        REQUIRE(trapped_rank == e.rank);
        stopped[static_cast<std::size_t>(e.rank)] = true;
    }
    std::signal(SIGTRAP, previous);
    REQUIRE(stopped == std::vector<bool>(4, true));
    REQUIRE(baton::sim::running_rank() == -1);  // outside a run
}
