// Same options, same run: the same interleaving, the same matches, the same event log.
#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;

namespace {

// Every rank but 0 sends three messages to rank 0, which receives them with wildcards: the
// order rank 0 sees depends only on the schedule.
std::vector<int> arrival_order(communicator& world) {
    std::vector<int> order;
    if (world.rank() == 0) {
        for (int i = 0; i < 3 * (world.size() - 1); ++i) order.push_back(world.recv<int>(baton::any_source, baton::any_tag));
    } else {
        for (int i = 0; i < 3; ++i) world.send(world.rank() * 10 + i, 0, i);
    }
    world.barrier();
    return order;
}

baton::sim::result<std::vector<int>> run_order(std::uint64_t seed, baton::sim::schedule policy) {
    return baton::sim::run({.ranks = 5, .seed = seed, .schedule = policy, .record = true}, arrival_order);
}

}  // namespace

TEST_CASE("the same seed gives an identical event log", "[determinism]") {
    const auto policy = GENERATE(baton::sim::schedule::random, baton::sim::schedule::round_robin);
    for (std::uint64_t seed : {1u, 2u, 77u}) {
        const auto first = run_order(seed, policy);
        const auto second = run_order(seed, policy);
        REQUIRE_FALSE(first.events.empty());
        CHECK(first.events == second.events);
        CHECK(first.values == second.values);
    }
}

TEST_CASE("different seeds give different wildcard matches", "[determinism]") {
    std::set<std::vector<int>> orders;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) orders.insert(run_order(seed, baton::sim::schedule::random).values[0]);
    CHECK(orders.size() > 10);
    for (const auto& order : orders) {
        // Messages from one sender are never overtaken by each other.
        for (int sender = 1; sender < 5; ++sender) {
            std::vector<int> from_sender;
            for (int v : order)
                if (v / 10 == sender) from_sender.push_back(v);
            CHECK(from_sender == std::vector<int>{sender * 10, sender * 10 + 1, sender * 10 + 2});
        }
    }
}

TEST_CASE("event logs record operations, peers and lines", "[determinism]") {
    const auto result = baton::sim::run({.ranks = 2, .record = true}, [](communicator& world) {
        if (world.rank() == 0) world.send(std::vector<double>(4), 1, 9);
        else world.recv<std::vector<double>>(0, 9);
    });
    bool saw_send = false, saw_recv = false;
    for (const auto& e : result.events) {
        if (e.operation == "send") {
            saw_send = true;
            CHECK(e.rank == 0);
            CHECK(e.peer == 1);
            CHECK(e.tag == 9);
            CHECK(e.bytes == 4 * sizeof(double));
            CHECK_THAT(e.location, baton_test::contains("determinism.cpp:"));
        }
        if (e.operation == "recv") {
            saw_recv = true;
            CHECK(e.rank == 1);
            CHECK(e.peer == 0);
        }
    }
    CHECK(saw_send);
    CHECK(saw_recv);
}

TEST_CASE("round-robin runs ranks in rank order", "[determinism]") {
    const auto result = baton::sim::run({.ranks = 4, .schedule = baton::sim::schedule::round_robin, .record = true},
                                        [](communicator& world) { world.barrier(); });
    std::vector<int> arrivals;
    for (const auto& e : result.events) arrivals.push_back(e.rank);
    CHECK(arrivals == std::vector<int>{0, 1, 2, 3});
}
