// Non-blocking collectives (issue 14: icoll): ibarrier, ibcast, ireduce, iallreduce on the
// simulator; their matching with the other collectives, their completion by wait, wait_any,
// wait_all and test, and the checker's findings about them.
#include <array>
#include <functional>
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

// ---- Non-blocking scans and reduce-scatter (issue 14: iscan) -----------------------------------

TEST_CASE("iscan, iexscan, ireduce_scatter_block and ireduce_scatter give what their blocking forms give",
          "[collectives][icoll][iscan]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    struct outcome {
        long scanned = 0;
        std::vector<int> scanned_max;
        int exscanned = 0;
        std::vector<double> exscanned_vector;
        std::vector<long> block, blocks;
        std::vector<long> expected_block, expected_blocks;
        BATON_TEST_RESULT_FIELDS(scanned, scanned_max, exscanned, exscanned_vector, block, blocks, expected_block,
                                 expected_blocks)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        out.exscanned = -7;  // rank 0's is left as it was
        std::vector<long> mine(static_cast<std::size_t>(2 * n));
        for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = me * 100 + static_cast<long>(i);
        std::vector<baton::request> requests;
        requests.push_back(world.iscan(static_cast<long>(me + 1), out.scanned, baton::op::sum));  // a temporary
        const std::vector<int> values{me, -me};
        requests.push_back(world.iscan(values, out.scanned_max, baton::op::max));
        requests.push_back(world.iexscan(me % 3 + 1, out.exscanned, baton::op::prod));
        const std::vector<double> halves{0.5 * me, 1.0};
        requests.push_back(world.iexscan(halves, out.exscanned_vector, baton::op::sum));
        requests.push_back(world.ireduce_scatter_block(mine, out.block, baton::op::sum));
        std::vector<std::size_t> counts_given;
        {
            // Every block to the last rank but one element to rank 0; the counts change and go
            // before the wait (the backend keeps its own copy).
            std::vector<std::size_t> counts(static_cast<std::size_t>(n), 0);
            counts[0] += 1;
            counts.back() += mine.size() - 1;
            counts_given = counts;
            requests.push_back(world.ireduce_scatter(mine, counts, out.blocks, baton::op::max));
            counts.assign(counts.size(), 99);
        }
        // Completed by wait_some: several completions in one answer on process ranks.
        while (!baton::wait_some(requests).empty()) {
        }
        out.expected_blocks = world.reduce_scatter(mine, counts_given, baton::op::max);
        out.expected_block = world.reduce_scatter_block(mine, baton::op::sum);
        return out;
    });
    const int n = opts.ranks;
    long product = 1;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[static_cast<std::size_t>(r)];
        CHECK(out.scanned == static_cast<long>(r + 1) * (r + 2) / 2);
        CHECK(out.scanned_max == std::vector<int>{r, 0});
        CHECK(out.exscanned == (r == 0 ? -7 : product));
        if (r == 0) CHECK(out.exscanned_vector.empty());  // never resized
        else CHECK(out.exscanned_vector == std::vector<double>{0.25 * r * (r - 1), 1.0 * r});
        CHECK(out.block == out.expected_block);
        CHECK(out.block.size() == 2);
        CHECK(out.blocks == out.expected_blocks);
        product *= r % 3 + 1;
    }
}

TEST_CASE("the checker treats iscan and ireduce_scatter as the other non-blocking collectives",
          "[collectives][icoll][iscan][checks]") {
    SECTION("iscan where another rank calls scan is a collective mismatch") {
        try {
            baton::sim::run({.ranks = 2}, [](communicator& world) {
                int prefix = 0;
                if (world.rank() == 0) world.iscan(1, prefix, baton::op::sum).wait();
                else prefix = world.scan(1, baton::op::sum);
            });
            FAIL("no mismatch reported");
        } catch (const baton::collective_mismatch& e) {
            CHECK_THAT(e.what(), contains("another operation"));
            CHECK_THAT(e.what(), contains("iscan(op=sum, 1 x int)"));
        }
    }
    SECTION("ireduce_scatter with other counts on another rank is a collective mismatch") {
        try {
            baton::sim::run({.ranks = 2}, [](communicator& world) {
                const std::vector<int> mine{1, 2};
                const std::vector<std::size_t> counts = world.rank() == 0 ? std::vector<std::size_t>{1, 1}
                                                                          : std::vector<std::size_t>{2, 0};
                std::vector<int> got;
                world.ireduce_scatter(mine, counts, got, baton::op::sum).wait();
            });
            FAIL("no mismatch reported");
        } catch (const baton::collective_mismatch& e) {
            CHECK_THAT(e.what(), contains("other block counts"));
            CHECK_THAT(e.what(), contains("ireduce_scatter("));
        }
    }
    SECTION("an iexscan never waited for, an ireduce_scatter_block whose input changed") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            int before = 0;
            baton::request prefix = world.iexscan(1, before, baton::op::sum);
            (void)prefix;
            std::vector<int> mine{1, 2}, got;
            baton::request scattered = world.ireduce_scatter_block(mine, got, baton::op::sum);
            mine[1] = 5;
            scattered.wait();
        });
        REQUIRE(found.size() >= 2);
        bool leak = false, changed = false;
        for (const auto& f : found) {
            leak = leak || (f.kind == baton::finding_kind::request_leak &&
                            f.summary.find("iexscan was never completed") != std::string::npos);
            changed = changed || (f.kind == baton::finding_kind::send_buffer_modified &&
                                  f.summary.find("ireduce_scatter_block") != std::string::npos);
        }
        CHECK(leak);
        CHECK(changed);
    }
}
