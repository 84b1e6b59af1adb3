// Deadlocks end the run at once with a report naming every blocked rank, its call and its line.
#include <catch2/catch.hpp>

#include <baton/baton.hpp>

using baton::communicator;
using Catch::Matchers::Contains;

namespace {

baton::deadlock_error run_expecting_deadlock(const baton::sim::options& opts,
                                             const std::function<void(communicator&)>& body) {
    try {
        baton::sim::run_ranks(opts, body);
    } catch (const baton::deadlock_error& e) {
        return e;
    }
    FAIL("the run did not deadlock");
    throw;  // unreachable
}

int line_here(std::source_location where = std::source_location::current()) { return static_cast<int>(where.line()); }

}  // namespace

TEST_CASE("two ranks receiving from each other deadlock, and the report says so", "[deadlock]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    int recv_line = 0;
    const auto e = run_expecting_deadlock({.ranks = 2, .seed = seed}, [&](communicator& world) {
        const int other = 1 - world.rank();
        recv_line = line_here() + 1;
        const int got = world.recv<int>(other, 0);
        world.send(got, other, 0);
    });
    REQUIRE(e.blocked().size() == 2);
    for (int r = 0; r < 2; ++r) {
        const auto& call = e.blocked()[static_cast<std::size_t>(r)];
        CHECK(call.rank == r);
        CHECK(call.call == "recv(source=" + std::to_string(1 - r) + ", tag=0, comm=world)");
        CHECK_THAT(call.location, Contains("deadlock.cpp:" + std::to_string(recv_line)));
        CHECK(call.waits_for == std::vector<int>{1 - r});
    }
    CHECK(e.cycle().size() == 3);  // a -> b -> a
    CHECK_THAT(e.what(), Contains("cycle: rank 0 -> rank 1 -> rank 0"));
    CHECK_THAT(e.what(), Contains("replay: sim::run with --ranks 2 --seed " + std::to_string(seed)));
}

TEST_CASE("a ring of receives deadlocks on any number of ranks", "[deadlock]") {
    const int ranks = GENERATE(2, 3, 4, 7, 16);
    const auto e = run_expecting_deadlock({.ranks = ranks, .seed = 5}, [](communicator& world) {
        const int left = (world.rank() + world.size() - 1) % world.size();
        const int right = (world.rank() + 1) % world.size();
        const auto token = world.recv<long>(left, 3);
        world.send(token, right, 3);
    });
    REQUIRE(e.blocked().size() == static_cast<std::size_t>(ranks));
    CHECK(e.cycle().size() == static_cast<std::size_t>(ranks) + 1);
    CHECK(e.cycle().front() == e.cycle().back());
}

TEST_CASE("a collective only some ranks call is reported with the ranks it waits for", "[deadlock]") {
    const int ranks = GENERATE(2, 3, 4, 7);
    const auto e = run_expecting_deadlock({.ranks = ranks, .seed = 9}, [](communicator& world) {
        if (world.rank() != world.size() - 1) world.barrier();
    });
    REQUIRE(e.blocked().size() == static_cast<std::size_t>(ranks - 1));
    for (const auto& call : e.blocked()) {
        CHECK_THAT(call.call, Contains("barrier(comm=world)"));
        CHECK(call.waits_for == std::vector<int>{ranks - 1});
    }
    CHECK(e.cycle().empty());
    CHECK_THAT(e.what(), Contains(std::to_string(ranks - 1) + " (finished)"));
}

TEST_CASE("a program that only works because sends are buffered deadlocks with synchronous sends", "[deadlock]") {
    auto exchange = [](communicator& world) {
        const int other = 1 - world.rank();
        world.send(std::vector<double>(1000, 1.0), other, 0);
        return world.recv<std::vector<double>>(other, 0).size();
    };
    CHECK(baton::sim::run({.ranks = 2}, exchange).values == std::vector<std::size_t>{1000, 1000});
    const auto e = run_expecting_deadlock({.ranks = 2, .sends = baton::sim::send_mode::synchronous},
                                          [&](communicator& world) { exchange(world); });
    REQUIRE(e.blocked().size() == 2);
    CHECK(e.blocked()[0].call == "send(dest=1, tag=0, comm=world)");
}

TEST_CASE("a deadlock inside part of the ranks is found while the others have finished", "[deadlock]") {
    const auto e = run_expecting_deadlock({.ranks = 5, .seed = 4}, [](communicator& world) {
        if (world.rank() >= 2) return;  // ranks 2..4 finish; 0 and 1 wait for each other
        world.recv<int>(1 - world.rank(), 1);
    });
    CHECK(e.blocked().size() == 2);
    CHECK_THAT(e.what(), Contains("(2 blocked, 3 finished)"));
}

TEST_CASE("a wildcard receive nobody sends to lists every other rank", "[deadlock]") {
    const auto e = run_expecting_deadlock({.ranks = 3}, [](communicator& world) {
        if (world.rank() == 0) world.recv<int>(baton::any_source, baton::any_tag);
    });
    REQUIRE(e.blocked().size() == 1);
    CHECK_THAT(e.blocked()[0].call, Contains("recv(source=any_source, tag=any_tag, comm=world)"));
    CHECK(e.blocked()[0].waits_for == std::vector<int>{1, 2});
}

TEST_CASE("waiting on requests that can never complete is a deadlock naming the requests", "[deadlock]") {
    const auto e = run_expecting_deadlock({.ranks = 2}, [](communicator& world) {
        int a = 0, b = 0;
        std::vector<baton::request> requests;
        requests.push_back(world.irecv(a, 1 - world.rank(), 1));
        requests.push_back(world.irecv(b, 1 - world.rank(), 2));
        baton::wait_any(requests);
    });
    REQUIRE(e.blocked().size() == 2);
    CHECK_THAT(e.blocked()[0].call, Contains("wait_any of {irecv(source=1, tag=1, comm=world)"));
    CHECK_THAT(e.blocked()[0].call, Contains("irecv(source=1, tag=2, comm=world)"));
}
