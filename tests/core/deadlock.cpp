// Deadlocks end the run at once with a report naming every blocked rank, its call and its line.
#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton_test::contains;

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

// The line of a call in a rank body is taken before the run, as line_here() plus its distance
// below: a rank that wrote it into a variable of the test would write its own copy on process ranks.
int line_here(std::source_location where = std::source_location::current()) { return static_cast<int>(where.line()); }

}  // namespace

TEST_CASE("two ranks receiving from each other deadlock, and the report says so", "[deadlock]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    const int recv_line = line_here() + 3;  // the recv below
    const auto e = run_expecting_deadlock({.ranks = 2, .seed = seed}, [](communicator& world) {
        const int other = 1 - world.rank();
        const int got = world.recv<int>(other, 0);
        world.send(got, other, 0);
    });
    REQUIRE(e.blocked().size() == 2);
    for (int r = 0; r < 2; ++r) {
        const auto& call = e.blocked()[static_cast<std::size_t>(r)];
        CHECK(call.rank == r);
        CHECK(call.call == "recv(source=" + std::to_string(1 - r) + ", tag=0, comm=world)");
        CHECK_THAT(call.location, contains("deadlock.cpp:" + std::to_string(recv_line)));
        CHECK(call.waits_for == std::vector<int>{1 - r});
    }
    CHECK(e.cycle().size() == 3);  // a -> b -> a
    CHECK_THAT(e.what(), contains("cycle: rank 0 -> rank 1 -> rank 0"));
    CHECK_THAT(e.what(), contains("replay: sim::run with --ranks 2 --seed " + std::to_string(seed)));
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
        CHECK_THAT(call.call, contains("barrier(comm=world)"));
        CHECK(call.waits_for == std::vector<int>{ranks - 1});
    }
    CHECK(e.cycle().empty());
    CHECK_THAT(e.what(), contains(std::to_string(ranks - 1) + " (finished)"));
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
    CHECK_THAT(e.what(), contains("(2 blocked, 3 finished)"));
}

TEST_CASE("a wildcard receive nobody sends to lists every other rank", "[deadlock]") {
    const auto e = run_expecting_deadlock({.ranks = 3}, [](communicator& world) {
        if (world.rank() == 0) world.recv<int>(baton::any_source, baton::any_tag);
    });
    REQUIRE(e.blocked().size() == 1);
    CHECK_THAT(e.blocked()[0].call, contains("recv(source=any_source, tag=any_tag, comm=world)"));
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
    CHECK_THAT(e.blocked()[0].call, contains("wait_any of {irecv(source=1, tag=1, comm=world)"));
    CHECK_THAT(e.blocked()[0].call, contains("irecv(source=1, tag=2, comm=world)"));
}

// ---- Certain deadlocks in runs that withheld buffering ------------------------------------------
// A synchronous send (or a root kept in its collective) may be what stops a run, and still the
// program deadlocks whatever MPI buffers: the simulator grants the buffering, goes on, and calls
// it a deadlock when the run gets stuck again, reported where this run first stopped.

TEST_CASE("a receive for a tag nobody sends is a deadlock, even when the send was synchronous", "[deadlock][buffering]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    const int send_line = line_here() + 3;  // the send below
    const auto e = run_expecting_deadlock(
        {.ranks = 2, .seed = seed, .sends = baton::sim::send_mode::synchronous}, [](communicator& world) {
            if (world.rank() == 0) world.send(42, 1, /*tag=*/1);
            else world.recv<int>(0, /*tag=*/2);
        });
    CHECK_FALSE(e.potential());
    CHECK_THAT(e.what(), contains("deadlock: no rank can make progress (2 blocked, 0 finished)"));
    // The ranks as this run left them, the send still waiting.
    REQUIRE(e.blocked().size() == 2);
    CHECK(e.blocked()[0].call == "send(dest=1, tag=1, comm=world)");
    CHECK_THAT(e.blocked()[0].location, contains("deadlock.cpp:" + std::to_string(send_line)));
    CHECK(e.blocked()[1].call == "recv(source=0, tag=2, comm=world)");
    CHECK_THAT(e.what(), contains("--sends synchronous"));
}

TEST_CASE("a send to oneself that no receive matches is a deadlock with synchronous sends", "[deadlock][buffering]") {
    const auto e = run_expecting_deadlock({.ranks = 1, .sends = baton::sim::send_mode::synchronous},
                                          [](communicator& world) {
                                              world.send(7, 0, /*tag=*/1);
                                              world.recv<int>(0, /*tag=*/2);
                                          });
    CHECK_FALSE(e.potential());
    REQUIRE(e.blocked().size() == 1);
    CHECK(e.blocked()[0].call == "send(dest=0, tag=1, comm=world)");
}

TEST_CASE("a root kept in its bcast while the others wait on another communicator is a deadlock", "[deadlock][buffering]") {
    const auto seed = GENERATE(1u, 2u, 3u, 4u);
    const auto e = run_expecting_deadlock({.ranks = 3, .seed = seed}, [](communicator& world) {
        communicator copy = world.dup();
        int value = 1;
        if (world.rank() == 0) world.bcast(value, 0);
        else copy.bcast(value, 0);
    });
    CHECK_FALSE(e.potential());
    REQUIRE(e.blocked().size() == 3);
    CHECK_THAT(e.blocked()[0].call, contains("bcast(root=0, 1 x int, comm=world)"));
    CHECK_THAT(e.blocked()[1].call, contains("comm=world.dup1"));
}

TEST_CASE("ranks that get past a withheld send and then deadlock are reported at the send", "[deadlock][buffering]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    const auto e = run_expecting_deadlock(
        {.ranks = 2, .seed = seed, .sends = baton::sim::send_mode::synchronous}, [](communicator& world) {
            const int other = 1 - world.rank();
            world.send(std::vector<double>(100, 1.0), other, 0);  // needs buffering: both send first
            world.recv<std::vector<double>>(other, 0);
            world.recv<int>(other, 9);  // and with buffering both wait for what nobody sends
        });
    CHECK_FALSE(e.potential());
    REQUIRE(e.blocked().size() == 2);
    CHECK(e.blocked()[0].call == "send(dest=1, tag=0, comm=world)");
    CHECK(e.blocked()[1].call == "send(dest=0, tag=0, comm=world)");
}

TEST_CASE("a deadlock of other ranks after a potential one is reported where it is", "[deadlock][buffering]") {
    // Ranks 0 and 1 only need buffering; ranks 2 and 3 wait for each other whatever MPI does.
    const auto seed = GENERATE(1u, 2u, 3u, 4u, 5u, 6u);
    const auto e = run_expecting_deadlock(
        {.ranks = 4, .seed = seed, .sends = baton::sim::send_mode::synchronous}, [](communicator& world) {
            if (world.rank() < 2) {
                const int other = 1 - world.rank();
                world.send(world.rank(), other, 0);
                world.recv<int>(other, 0);
            } else {
                world.recv<int>(5 - world.rank(), 1);
            }
        });
    CHECK_FALSE(e.potential());
    REQUIRE(e.blocked().size() == 2);
    CHECK(e.blocked()[0].rank == 2);
    CHECK(e.blocked()[1].rank == 3);
}

// ---- Polling loops that can never succeed ------------------------------------------------------
// They never block, so without a bound they would run forever; see backends/sim/polling.hpp.

namespace {
constexpr int poll_bound = 10'000;  // poll_watch::bound in backends/sim/polling.hpp
}

TEST_CASE("an iprobe loop for a message nobody sends is a deadlock naming the loop", "[deadlock][polling]") {
    const auto schedule = GENERATE(baton::sim::schedule::random, baton::sim::schedule::round_robin,
                                   baton::sim::schedule::pct, baton::sim::schedule::systematic);
    const int poll_line = line_here() + 3;  // the iprobe loop below
    const auto e = run_expecting_deadlock({.ranks = 2, .schedule = schedule}, [](communicator& world) {
        if (world.rank() == 0)
            while (!world.iprobe(1, 0)) {
            }
    });
    CHECK_FALSE(e.potential());
    CHECK_THAT(e.what(), contains("deadlock: no rank can make progress (1 polling in vain, 0 blocked, 1 finished)"));
    REQUIRE(e.blocked().size() == 1);
    CHECK(e.blocked()[0].rank == 0);
    CHECK_THAT(e.blocked()[0].call, contains("iprobe(source=1, tag=0, comm=world) in a loop, in vain"));
    CHECK_THAT(e.blocked()[0].location, contains("deadlock.cpp:" + std::to_string(poll_line)));
    CHECK(e.blocked()[0].waits_for == std::vector<int>{1});
}

TEST_CASE("a test loop on a receive nobody matches is a deadlock naming the loop", "[deadlock][polling]") {
    const int post_line = line_here() + 4, poll_line = post_line + 1;  // the irecv and the test loop below
    const auto e = run_expecting_deadlock({.ranks = 3}, [](communicator& world) {
        if (world.rank() != 0) return;
        int value = 0;
        baton::request r = world.irecv(value, 2, 0);
        while (!r.test()) {
        }
    });
    REQUIRE(e.blocked().size() == 1);
    CHECK_THAT(e.blocked()[0].call, contains("test of irecv(source=2, tag=0, comm=world) posted at") &&
                                        contains("deadlock.cpp:" + std::to_string(post_line)));
    CHECK_THAT(e.blocked()[0].location, contains("deadlock.cpp:" + std::to_string(poll_line)));
    CHECK(e.blocked()[0].waits_for == std::vector<int>{2});
    CHECK_THAT(e.what(), contains("rank 2 (finished)"));
}

TEST_CASE("ranks polling for each other, or polling for a blocked rank, are a deadlock", "[deadlock][polling]") {
    const auto seed = GENERATE(1u, 2u, 3u);
    SECTION("both poll") {
        const auto e = run_expecting_deadlock({.ranks = 2, .seed = seed}, [](communicator& world) {
            if (world.rank() == 0) {
                while (!world.iprobe(1, 0)) {
                }
            } else {
                int value = 0;
                baton::request r = world.irecv(value, 0, 0);
                while (!r.test()) {
                }
            }
        });
        CHECK_THAT(e.what(), contains("(2 polling in vain, 0 blocked, 0 finished)"));
        CHECK(e.cycle() == std::vector<int>{0, 1, 0});
    }
    SECTION("one polls, the other is blocked") {
        const auto e = run_expecting_deadlock({.ranks = 2, .seed = seed}, [](communicator& world) {
            if (world.rank() == 0) {
                while (!world.iprobe(1, 0)) {
                }
            } else {
                world.recv<int>(0, 0);
            }
        });
        CHECK_THAT(e.what(), contains("(1 polling in vain, 1 blocked, 0 finished)"));
        CHECK(e.blocked()[1].call == "recv(source=0, tag=0, comm=world)");
    }
}

TEST_CASE("polling loops that succeed later are not reported, however long they poll", "[deadlock][polling]") {
    // Rank 1 keeps acting (a message to itself and back, poll_bound times) before it sends to
    // rank 0; round-robin makes rank 0 poll once between any two of its calls, so rank 0 polls
    // in vain far more often than the bound, but never while nothing else happens.
    const auto schedule = GENERATE(baton::sim::schedule::round_robin, baton::sim::schedule::random);
    const bool use_test = GENERATE(false, true);
    const auto result = baton::sim::run({.ranks = 2, .schedule = schedule}, [&](communicator& world) {
        long polls = 0;
        if (world.rank() == 1) {
            for (int i = 0; i < poll_bound; ++i) {
                world.send(i, 1, 7);
                world.recv<int>(1, 7);
            }
            world.send(42, 0, 0);
        } else if (use_test) {
            int value = 0;
            baton::request r = world.irecv(value, 1, 0);
            while (!r.test()) ++polls;
            REQUIRE(value == 42);
        } else {
            while (!world.iprobe(1, 0)) ++polls;
            REQUIRE(world.recv<int>(1, 0) == 42);
        }
        return polls;
    });
    if (schedule == baton::sim::schedule::round_robin) CHECK(result.values[0] > poll_bound);
}

TEST_CASE("a polling loop does not starve the rank it waits for under PCT", "[deadlock][polling][pct]") {
    // With pct_depth 1 priorities never change by themselves: a poller that outranks the sender
    // would poll forever if polling in vain did not drop its priority.
    const auto seed = GENERATE(1u, 2u, 3u, 4u, 5u, 6u);
    const auto result = baton::sim::run(
        {.ranks = 2, .seed = seed, .schedule = baton::sim::schedule::pct, .pct_depth = 1}, [](communicator& world) {
            if (world.rank() == 1) {
                for (int i = 0; i < 5; ++i) {  // some work of its own first
                    world.send(i, 1, 1);
                    world.recv<int>(1, 1);
                }
                world.send(42, 0, 0);
                return 0;
            }
            while (!world.iprobe(1, 0)) {
            }
            return world.recv<int>(1, 0);
        });
    CHECK(result.values[0] == 42);
}
