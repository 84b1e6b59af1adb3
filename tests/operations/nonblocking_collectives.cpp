// Non-blocking collectives (issue 14: icoll): ibarrier, ibcast, ireduce, iallreduce on the
// simulator; their matching with the other collectives, their completion by wait, wait_any,
// wait_all and test, and the checker's findings about them.
#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton_test::contains;

TEST_CASE("ibcast, ireduce and iallreduce give what their blocking forms give, once waited for",
          "[collectives][icoll]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    struct outcome {
        int bcast_value = 0;
        std::vector<double> bcast_vector;
        long reduced = -1;
        std::vector<int> all_max;
        int all_sum = 0;
        BATON_TEST_RESULT_FIELDS(bcast_value, bcast_vector, reduced, all_max, all_sum)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank(), root = n - 1;
        outcome out;
        out.bcast_value = me == root ? 42 : 0;
        out.bcast_vector.assign(3, me == root ? 1.5 : 0.0);
        std::vector<baton::request> requests;
        requests.push_back(world.ibarrier());
        requests.push_back(world.ibcast(out.bcast_value, root));
        requests.push_back(world.ibcast(out.bcast_vector, root));
        const long mine = me + 1;
        requests.push_back(world.ireduce(mine, out.reduced, baton::op::sum, 0));
        const std::vector<int> values{me, -me};
        requests.push_back(world.iallreduce(values, out.all_max, baton::op::max));
        requests.push_back(world.iallreduce(me + 1, out.all_sum, baton::op::sum));  // a temporary, kept
        baton::wait_all(requests);
        return out;
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[static_cast<std::size_t>(r)];
        CHECK(out.bcast_value == 42);
        CHECK(out.bcast_vector == std::vector<double>(3, 1.5));
        CHECK(out.reduced == (r == 0 ? static_cast<long>(n) * (n + 1) / 2 : -1));  // only the root's is written
        CHECK(out.all_max == std::vector<int>{n - 1, 0});
        CHECK(out.all_sum == n * (n + 1) / 2);
    }
}

TEST_CASE("a rank does not wait in a non-blocking collective: point-to-point goes on until the wait",
          "[collectives][icoll]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::synchronous}, {2, 3, 4})));
    OPS_DESCRIBE(opts);
    // Rank 0 starts an ibarrier, then sends to rank 1 synchronously, which receives before it joins
    // the barrier: blocking barriers would deadlock here.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank();
        int sum = 0;
        if (me == 0) {
            baton::request barrier = world.ibarrier();
            world.ssend(7, 1);
            baton::request total = world.iallreduce(1, sum, baton::op::sum);
            barrier.wait();
            total.wait();
            return sum;
        }
        if (me == 1) REQUIRE(world.recv<int>(0) == 7);
        baton::request barrier = world.ibarrier();
        baton::request total = world.iallreduce(1, sum, baton::op::sum);
        while (!total.test()) {
        }
        barrier.wait();
        return sum;
    });
    for (const int sum : result.values) CHECK(sum == opts.ranks);
}

TEST_CASE("wait_any over two non-blocking collectives completes each once", "[collectives][icoll]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({1, 2, 3, 4})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        int a = 0, b = 0;
        std::array<baton::request, 2> requests{world.iallreduce(world.rank(), a, baton::op::sum),
                                               world.iallreduce(1, b, baton::op::sum)};
        std::vector<std::size_t> order;
        while (const auto done = baton::wait_any(requests)) order.push_back(done->index);
        REQUIRE(order.size() == 2);
        REQUIRE(order[0] != order[1]);
        return std::vector<int>{a, b};
    });
    const int n = opts.ranks;
    for (const auto& got : result.values) CHECK(got == std::vector<int>{n * (n - 1) / 2, n});
}

TEST_CASE("test_all and wait_some complete non-blocking collectives together, whatever each rank gets back",
          "[collectives][icoll][completion]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({1, 2, 3, 4})));
    OPS_DESCRIBE(opts);
    // At the root an ibcast gets nothing back, and so does an ireduce elsewhere: their completions
    // sit in one answer beside others that do.
    struct outcome {
        int value = 0, reduced = -1, sum = 0, again = 0, max = 0;
        std::vector<std::size_t> indices;  // what wait_some gave, in order
        std::size_t statuses = 0;          // how many test_all gave
        BATON_TEST_RESULT_FIELDS(value, reduced, sum, again, max, indices, statuses)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank(), mine = me + 1;
        outcome out;
        out.value = me == 0 ? 9 : 0;
        out.again = me == 0 ? 4 : 0;
        std::array<baton::request, 3> requests{world.ibcast(out.value, 0),
                                               world.ireduce(mine, out.reduced, baton::op::sum, 0),
                                               world.iallreduce(mine, out.sum, baton::op::sum)};
        std::optional<std::vector<baton::status>> all;
        while (!(all = baton::test_all(requests))) {
        }
        out.statuses = all->size();
        std::array<baton::request, 2> more{world.ibcast(out.again, 0), world.iallreduce(mine, out.max, baton::op::max)};
        for (auto done = baton::wait_some(more); !done.empty(); done = baton::wait_some(more))
            for (const auto& d : done) out.indices.push_back(d.index);
        return out;
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[static_cast<std::size_t>(r)];
        CHECK(out.value == 9);
        CHECK(out.reduced == (r == 0 ? n * (n + 1) / 2 : -1));
        CHECK(out.sum == n * (n + 1) / 2);
        CHECK(out.statuses == 3);
        CHECK(out.again == 4);
        CHECK(out.max == n);
        auto indices = out.indices;
        std::sort(indices.begin(), indices.end());
        CHECK(indices == std::vector<std::size_t>{0, 1});
    }
}

TEST_CASE("non-blocking collectives match in the order each rank calls them, whatever the waits' order",
          "[collectives][icoll]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3, 4})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        int first = world.rank() == 0 ? 10 : 0, second = world.rank() == 1 ? 20 : 0;
        baton::request a = world.ibcast(first, 0);
        baton::request b = world.ibcast(second, 1);
        if (world.rank() % 2 == 0) {
            b.wait();
            a.wait();
        } else {
            a.wait();
            b.wait();
        }
        world.barrier();  // a blocking collective after them is the next one on every rank
        return std::vector<int>{first, second};
    });
    for (const auto& got : result.values) CHECK(got == std::vector<int>{10, 20});
}

TEST_CASE("a non-blocking collective where another rank calls the blocking one is a collective mismatch",
          "[collectives][icoll][checks]") {
    try {
        baton::sim::run({.ranks = 2}, [](communicator& world) {
            int sum = 0;
            if (world.rank() == 0) {
                world.iallreduce(1, sum, baton::op::sum).wait();
            } else {
                sum = world.allreduce(1, baton::op::sum);
            }
        });
        FAIL("no mismatch reported");
    } catch (const baton::collective_mismatch& e) {
        CHECK_THAT(e.what(), contains("another operation"));
        CHECK_THAT(e.what(), contains("iallreduce(op=sum, 1 x int)"));
        CHECK_THAT(e.what(), contains(" allreduce(op=sum, 1 x int)"));
    }
}

TEST_CASE("the checker reports a non-blocking collective never waited for, and its data changed before completion",
          "[collectives][icoll][checks]") {
    SECTION("never waited for") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            int sum = 0;
            baton::request total = world.iallreduce(1, sum, baton::op::sum);
            (void)total;
        });
        REQUIRE(found.size() == 2);
        CHECK(found[0].kind == baton::finding_kind::request_leak);
        CHECK_THAT(found[0].summary, contains("iallreduce was never completed"));
    }
    SECTION("pending when let go: the other ranks still get its data") {
        const auto found = ops::findings_of({.ranks = 3}, [](communicator& world) {
            int value = world.rank() == 0 ? 5 : 0;
            if (world.rank() == 0) {
                baton::request sending = world.ibcast(value, 0);  // let go before the others arrive
            } else {
                world.ibcast(value, 0).wait();
                REQUIRE(value == 5);
            }
        });
        REQUIRE(found.size() == 1);
        CHECK(found[0].kind == baton::finding_kind::request_leak);
    }
    SECTION("the data changed before completion") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            int mine = 1, sum = 0;
            baton::request total = world.iallreduce(mine, sum, baton::op::sum);
            mine = 2;
            total.wait();
        });
        REQUIRE_FALSE(found.empty());
        CHECK(found[0].kind == baton::finding_kind::send_buffer_modified);
        CHECK_THAT(found[0].summary, contains("before completing it"));
    }
}

TEST_CASE("cancelling a non-blocking collective is a usage_error", "[collectives][icoll][errors]") {
    const auto result = baton::sim::run({.ranks = 2}, [](communicator& world) {
        std::string message;
        baton::request barrier = world.ibarrier();
        try {
            barrier.cancel();
        } catch (const baton::usage_error& e) {
            message = e.what();
        }
        barrier.wait();
        return message;
    });
    CHECK_THAT(result.values[0], contains("of its ibarrier: a non-blocking collective cannot be cancelled"));
}

TEST_CASE("ireduce and iallreduce into their own input are a usage_error pointing at the in-place forms",
          "[collectives][icoll][errors]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({1, 2, 3})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<std::string> messages;
        auto refused = [&](auto&& start) {
            try {
                start().wait();
                messages.emplace_back("started");
            } catch (const baton::usage_error& e) {
                messages.emplace_back(e.what());
            }
        };
        int x = world.rank();
        std::vector<double> row(3, 1.0);
        refused([&] { return world.iallreduce(x, x, baton::op::sum); });
        refused([&] { return world.iallreduce(row, row, baton::op::max); });
        refused([&] { return world.ireduce(x, x, baton::op::sum, 0); });
        refused([&] { return world.iallreduce(std::span<const double>(row), row, baton::op::sum); });
        return messages;
    });
    for (int r = 0; r < opts.ranks; ++r) {
        const auto& messages = result.values[static_cast<std::size_t>(r)];
        REQUIRE(messages.size() == 4);
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const bool reduce = i == 2;
            CHECK_THAT(messages[i], ops::mentions_rank(r));
            CHECK_THAT(messages[i], contains(reduce ? "ireduce at tests/operations/nonblocking_collectives.cpp:"
                                                    : "iallreduce at tests/operations/nonblocking_collectives.cpp:"));
            CHECK_THAT(messages[i], contains("the result is the input's memory"));
            CHECK_THAT(messages[i], contains(reduce ? "reduce_in_place" : "allreduce_in_place"));
        }
    }
}

TEST_CASE("a wait on a non-blocking collective MPI may complete locally is a potential deadlock, as its blocking form",
          "[collectives][icoll][deadlock]") {
    // The root of a broadcast may leave before the others arrive, on MPI; a run with
    // --collectives synchronizing (the default) keeps it. Rank 1 joins only once its synchronous send is received, which
    // rank 0 does only after the broadcast: a deadlock only where MPI keeps the root too.
    const bool nonblocking = GENERATE(false, true);
    const auto collectives = GENERATE(baton::sim::collective_mode::synchronizing, baton::sim::collective_mode::local);
    INFO((nonblocking ? "ibcast" : "bcast") << ", --collectives " << baton::sim::to_string(collectives));
    const auto found = ops::findings_of({.ranks = 2, .collectives = collectives}, [nonblocking](communicator& world) {
        int value = world.rank() == 0 ? 3 : 0;
        auto broadcast = [&] {
            if (nonblocking) world.ibcast(value, 0).wait();
            else world.bcast(value, 0);
        };
        if (world.rank() == 0) {
            broadcast();
            REQUIRE(world.recv<int>(1) == 8);
        } else {
            world.ssend(8, 0);
            broadcast();
            REQUIRE(value == 3);
        }
    });
    // Where the run lets the root leave early (--collectives local), as MPI may, nothing is wrong.
    if (collectives == baton::sim::collective_mode::local) {
        CHECK(found.empty());
        return;
    }
    REQUIRE(baton_test::kinds(found) == std::vector{baton::finding_kind::potential_deadlock});
    CHECK_THAT(found[0].calls[0].call, contains(nonblocking ? "wait for ibcast(root=0" : "bcast(root=0"));
}

TEST_CASE("exploration reports an rsend between a non-blocking collective and its wait: the collective orders nothing yet",
          "[collectives][icoll][rsend][explore]") {
    // Rank 1 posts its receive before joining the ibarrier; rank 0 rsends after starting it, before
    // (wrong) or after (right) waiting for it. Until rank 0's wait, nothing tells it that rank 1 has
    // joined, let alone posted: on MPI the rsend may come first, whichever order this schedule took.
    const bool waits_first = GENERATE(false, true);
    INFO((waits_first ? "rsend after the wait" : "rsend before the wait"));
    const auto found = baton::sim::explore({.ranks = 2}, [waits_first](communicator& world) {
        if (world.rank() == 1) {
            int got = 0;
            baton::request receive = world.irecv(got, 0, 0);
            world.ibarrier().wait();
            receive.wait();
        } else {
            baton::request barrier = world.ibarrier();
            world.iprobe(1, 9);  // a call first, so that rank 1 may post and join before the rsend
            if (waits_first) barrier.wait();
            world.rsend(1, 1, 0);
            if (!waits_first) barrier.wait();
        }
    });
    if (waits_first) {
        CHECK_FALSE(found.failure);
        CHECK(found.complete);
        return;
    }
    REQUIRE(found.failure);
    CHECK(found.failure->kind == baton::finding_kind::ready_send_without_receive);
    CHECK_THAT(found.failure->summary, contains("nothing orders the two"));
}
