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

TEST_CASE("the non-blocking in-place forms give what the blocking ones give, all pending at once",
          "[collectives][icoll][in_place]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    struct outcome {
        std::vector<std::vector<long>> started, blocking;  // each form's data, in the same order
        BATON_TEST_RESULT_FIELDS(started, blocking)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank(), root = n - 1;
        const auto blocks = static_cast<std::size_t>(2 * n), at = static_cast<std::size_t>(2 * me);
        // Each form's input on this rank: a reduction's two values, a gather's blocks ({r, -r}
        // at block r, 99 where nothing is yet), an alltoall's block d for rank d.
        std::vector<std::vector<long>> inputs(7, std::vector<long>{me + 1L, 10L - me});
        inputs[4].assign(me == root ? blocks : 2, 99);
        inputs[5].assign(blocks, 99);
        for (auto* gathered : {&inputs[4], &inputs[5]}) {
            const std::size_t mine = gathered->size() == 2 ? 0 : at;
            (*gathered)[mine] = me;
            (*gathered)[mine + 1] = -me;
        }
        inputs[6].clear();
        for (int dest = 0; dest < n; ++dest) inputs[6].insert(inputs[6].end(), {100L * me + dest, -100L * me - dest});
        outcome out;
        out.started = inputs;
        out.blocking = inputs;
        auto& d = out.started;
        std::vector<baton::request> requests;
        requests.push_back(world.iallreduce_in_place(d[0], baton::op::sum));
        requests.push_back(world.ireduce_in_place(std::span<long>(d[1]), baton::op::prod, root));
        requests.push_back(world.iscan_in_place(d[2], baton::op::max));
        requests.push_back(world.iexscan_in_place(d[3], baton::op::sum));  // rank 0's is left as it was
        requests.push_back(world.igather_in_place(d[4], root));
        requests.push_back(world.iallgather_in_place(std::span<long>(d[5])));
        requests.push_back(world.ialltoall_in_place(d[6]));
        baton::wait_all(requests);
        auto& b = out.blocking;
        world.allreduce_in_place(b[0], baton::op::sum);
        world.reduce_in_place(b[1], baton::op::prod, root);
        world.scan_in_place(b[2], baton::op::max);
        world.exscan_in_place(b[3], baton::op::sum);
        world.gather_in_place(b[4], root);
        world.allgather_in_place(b[5]);
        world.alltoall_in_place(b[6]);
        return out;
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[static_cast<std::size_t>(r)];
        REQUIRE(out.started.size() == 7);
        for (std::size_t form = 0; form < out.started.size(); ++form) {
            INFO("form " << form);
            CHECK(out.started[form] == out.blocking[form]);
        }
        CHECK(out.started[0] == std::vector<long>{n * (n + 1L) / 2, 10L * n - n * (n - 1L) / 2});
        if (r == 0) CHECK(out.started[3] == std::vector<long>{1, 10});  // as it was
    }
}

TEST_CASE("the checker and the non-blocking in-place forms: untouched data is no finding, a change is one, and in "
          "place on some ranks only is a mismatch",
          "[collectives][icoll][in_place][checks]") {
    SECTION("the result written into the data it was given is no change of the program's") {
        const auto found = ops::findings_of({.ranks = 3}, [](communicator& world) {
            std::vector<int> data{world.rank(), 1};
            baton::request total = world.iallreduce_in_place(data, baton::op::sum);
            world.barrier();  // the others have joined: on thread ranks the result is written already
            total.wait();
            REQUIRE(data == std::vector<int>{3, 3});
        });
        CHECK(found.empty());
    }
    SECTION("data changed before completion") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            std::vector<int> data{world.rank(), 1};
            baton::request total = world.iallreduce_in_place(data, baton::op::sum);
            data[1] = 5;
            total.wait();
        });
        REQUIRE_FALSE(found.empty());
        CHECK(found[0].kind == baton::finding_kind::send_buffer_modified);
        CHECK_THAT(found[0].summary, contains("changed the buffer of its iallreduce"));
    }
    SECTION("data changed after the collective wrote its result, before the wait") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            int data = world.rank();
            baton::request total = world.iallreduce_in_place(std::span<int>(&data, 1), baton::op::sum);
            world.barrier();
            data = 7;
            total.wait();
        });
        REQUIRE_FALSE(found.empty());
        CHECK(found[0].kind == baton::finding_kind::send_buffer_modified);
    }
    SECTION("iallgather in place on some ranks only") {
        try {
            baton::sim::run({.ranks = 2}, [](communicator& world) {
                std::vector<int> all{world.rank(), world.rank()};
                std::vector<int> got;
                if (world.rank() == 0) world.iallgather_in_place(all).wait();
                else world.iallgather(world.rank(), got).wait();
            });
            FAIL("no mismatch reported");
        } catch (const baton::collective_mismatch& e) {
            CHECK_THAT(e.what(), contains("in place on some ranks only"));
            CHECK_THAT(e.what(), contains("iallgather(in place, 1 x int)"));
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

// ---- Non-blocking gathers, scatters and all-to-alls (issue 14: igather) --------------------------

namespace {

// Rank r gives r % 3 + 1 elements to the v-forms (to rank s in ialltoallv: (r + s) % 3).
std::vector<int> ragged_part(int r) { return std::vector<int>(static_cast<std::size_t>(r % 3 + 1), 100 * r); }
std::vector<std::size_t> ragged_counts(int n) {
    std::vector<std::size_t> counts;
    for (int r = 0; r < n; ++r) counts.push_back(static_cast<std::size_t>(r % 3 + 1));
    return counts;
}
baton::ragged<int> alltoallv_parts(int r, int n) {
    std::vector<std::vector<int>> blocks;
    for (int s = 0; s < n; ++s) blocks.push_back(std::vector<int>(static_cast<std::size_t>((r + s) % 3), 10 * r + s));
    return baton::ragged<int>::from_blocks(blocks);
}

}  // namespace

TEST_CASE("igather ... ialltoallv give what their blocking forms give, once waited for", "[collectives][icoll][igather]") {
    auto opts = GENERATE(from_range(ops::collective_configurations()));
    // Also where ranks that only give leave at once: iscatter's and iscatterv's root too, which
    // takes its own block as it leaves.
    opts.collectives = GENERATE(baton::sim::collective_mode::synchronizing, baton::sim::collective_mode::local);
    OPS_DESCRIBE(opts);
    struct outcome {
        std::vector<int> gathered, allgathered, scattered, alltoall, scatteredv;
        baton::ragged<int> gatheredv, allgatheredv, alltoallv;
        BATON_TEST_RESULT_FIELDS(gathered, allgathered, scattered, alltoall, scatteredv, gatheredv, allgatheredv,
                                 alltoallv)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank(), root = n / 2;
        outcome out;
        std::vector<int> everyone;  // root's: 2 per rank, rank r's are r and -r
        for (int r = 0; r < n; ++r) everyone.insert(everyone.end(), {r, -r});
        out.scattered.assign(2, -1);
        out.scatteredv.assign(static_cast<std::size_t>(me % 3 + 1), -1);
        if (me == root) out.gatheredv = baton::ragged<int>(ragged_counts(n));
        out.allgatheredv = baton::ragged<int>(ragged_counts(n));
        std::vector<std::size_t> from_each;
        for (int s = 0; s < n; ++s) from_each.push_back(static_cast<std::size_t>((s + me) % 3));
        out.alltoallv = baton::ragged<int>(from_each);
        const auto parts = baton::ragged<int>::from_blocks([&] {
            std::vector<std::vector<int>> blocks;
            for (int r = 0; r < n; ++r) blocks.push_back(ragged_part(r));
            return blocks;
        }());
        std::vector<baton::request> requests;
        requests.push_back(world.igather(std::vector<int>{me, -me}, out.gathered, root));  // a temporary, kept
        requests.push_back(world.iallgather(me, out.allgathered));
        requests.push_back(world.iscatter(everyone, out.scattered, root));
        requests.push_back(world.ialltoall(everyone, out.alltoall));
        const std::vector<int> mine = ragged_part(me);
        requests.push_back(world.igatherv(mine, out.gatheredv, root));
        requests.push_back(world.iallgatherv(mine, out.allgatheredv));
        requests.push_back(world.iscatterv(parts, out.scatteredv, root));
        requests.push_back(world.ialltoallv(alltoallv_parts(me, n), out.alltoallv));
        baton::wait_all(requests);
        // The blocking forms, matched after them, give the same.
        REQUIRE(world.gather(std::vector<int>{me, -me}, root) == out.gathered);
        REQUIRE(world.allgather(me) == out.allgathered);
        REQUIRE(world.scatter(everyone, root) == out.scattered);
        REQUIRE(world.alltoall(everyone) == out.alltoall);
        const auto gatheredv = world.gatherv(mine, root);
        if (me == root) REQUIRE(gatheredv == out.gatheredv);
        REQUIRE(world.allgatherv(mine) == out.allgatheredv);
        REQUIRE(world.scatterv(parts, root) == out.scatteredv);
        REQUIRE(world.alltoallv(alltoallv_parts(me, n)) == out.alltoallv);
        return out;
    });
    const int n = opts.ranks, root = n / 2;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[static_cast<std::size_t>(r)];
        CHECK(out.gathered.size() == (r == root ? static_cast<std::size_t>(2 * n) : 0u));  // only the root's is written
        CHECK(out.allgathered.size() == static_cast<std::size_t>(n));
        CHECK(out.scattered == std::vector<int>{r, -r});
        CHECK(out.alltoall.size() == static_cast<std::size_t>(2 * n));
        CHECK(out.scatteredv == ragged_part(r));
        CHECK(out.allgatheredv[static_cast<std::size_t>(n - 1)].front() == 100 * (n - 1));
        CHECK(out.alltoallv.blocks() == static_cast<std::size_t>(n));
    }
}

TEST_CASE("a rank does not wait in igatherv or ialltoall: point-to-point goes on until the wait",
          "[collectives][icoll][igather]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::synchronous}, {2, 3})));
    OPS_DESCRIBE(opts);
    // Rank 0 starts both, then sends to rank 1 synchronously, which receives before it joins them.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank(), n = world.size();
        baton::ragged<int> all;
        if (me == 0) all = baton::ragged<int>(std::vector<std::size_t>(static_cast<std::size_t>(n), 1));
        std::vector<int> swapped;
        const std::vector<int> mine(static_cast<std::size_t>(n), me);
        if (me == 1) REQUIRE(world.recv<int>(0) == 7);
        baton::request gathering = world.igatherv(me, all, 0);
        baton::request swapping = world.ialltoall(mine, swapped);
        if (me == 0) world.ssend(7, 1);
        swapping.wait();
        gathering.wait();
        return swapped;
    });
    for (const auto& got : result.values) CHECK(got.size() == static_cast<std::size_t>(opts.ranks));
}

TEST_CASE("counts a receiver named beforehand that differ from what it is sent are a collective mismatch",
          "[collectives][icoll][igather][checks]") {
    SECTION("igatherv: the root expects another count from a rank") {
        try {
            baton::sim::run({.ranks = 3}, [](communicator& world) {
                baton::ragged<int> all;
                if (world.rank() == 0) all = baton::ragged<int>(std::vector<std::size_t>{1, 1, 1});
                const std::vector<int> mine(world.rank() == 2 ? 2u : 1u, 5);
                world.igatherv(mine, all, 0).wait();
            });
            FAIL("no mismatch reported");
        } catch (const baton::collective_mismatch& e) {
            CHECK_THAT(e.what(), contains("another element count: rank 2 sends rank 0 2 elements with igatherv("));
            CHECK_THAT(e.what(), contains("but rank 0 expects 1"));
        }
    }
    SECTION("iscatter: a rank's `mine` has another size than its block") {
        try {
            baton::sim::run({.ranks = 2}, [](communicator& world) {
                std::vector<int> mine(world.rank() == 1 ? 3u : 2u);
                world.iscatter(std::vector<int>{1, 2, 3, 4}, mine, 0).wait();
            });
            FAIL("no mismatch reported");
        } catch (const baton::collective_mismatch& e) {
            CHECK_THAT(e.what(), contains("rank 0 sends rank 1 2 elements with iscatter("));
            CHECK_THAT(e.what(), contains("but rank 1 expects 3"));
        }
    }
    SECTION("ialltoall against alltoall") {
        try {
            baton::sim::run({.ranks = 2}, [](communicator& world) {
                std::vector<int> got;
                if (world.rank() == 0) world.ialltoall(std::vector<int>{1, 2}, got).wait();
                else got = world.alltoall(std::vector<int>{1, 2});
            });
            FAIL("no mismatch reported");
        } catch (const baton::collective_mismatch& e) {
            CHECK_THAT(e.what(), contains("another operation"));
            CHECK_THAT(e.what(), contains("ialltoall(2 x int)"));
        }
    }
}

TEST_CASE("the checker's findings about igather ... ialltoallv; a ragged result of the wrong shape is a usage_error",
          "[collectives][icoll][igather][checks]") {
    SECTION("ialltoallv's data changed before completion") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            auto parts = baton::ragged<int>::from_blocks({{1}, {2}});
            baton::ragged<int> got(std::vector<std::size_t>{1, 1});
            baton::request swapping = world.ialltoallv(parts, got);
            // Changed where it is (reallocating it would leave the simulator, as MPI, reading freed
            // memory at completion).
            parts.elements()[0] = 3;
            swapping.wait();
        });
        REQUIRE_FALSE(found.empty());
        CHECK(found[0].kind == baton::finding_kind::send_buffer_modified);
        CHECK_THAT(found[0].summary, contains("of its ialltoallv before completing it"));
    }
    SECTION("let go while pending (iscatterv's root and a rank that gets nothing else): the others complete") {
        const auto found = ops::findings_of({.ranks = 3}, [](communicator& world) {
            const auto parts = baton::ragged<int>::from_blocks({{1}, {2, 2}, {3, 3, 3}});
            std::vector<int> mine(static_cast<std::size_t>(world.rank() + 1));
            if (world.rank() == 1) {
                world.iscatterv(parts, mine, 0).wait();
                REQUIRE(mine == std::vector<int>{2, 2});
            } else {
                baton::request let_go = world.iscatterv(parts, mine, 0);
            }
        });
        REQUIRE(found.size() == 2);
        CHECK(found[0].kind == baton::finding_kind::request_leak);
        CHECK(found[1].kind == baton::finding_kind::request_leak);
    }
    SECTION("a ragged result with a block per rank missing") {
        const auto result = baton::sim::run({.ranks = 3}, [](communicator& world) {
            baton::ragged<int> all(std::vector<std::size_t>{1, 1});
            try {
                world.iallgatherv(world.rank(), all);
            } catch (const baton::usage_error& e) {
                return std::string(e.what());
            }
            return std::string();
        });
        CHECK_THAT(result.values[1], contains("rank 1"));
        CHECK_THAT(result.values[1], contains("iallgatherv"));
        CHECK_THAT(result.values[1], contains("the ragged result has 2 blocks for 3 ranks: it must be shaped before the call"));
    }
}

// On process ranks one answer brings back every request wait_some completed: a rank that gets
// nothing from igather must not leave the next one's result misread.
TEST_CASE("wait_some over an igather that gives this rank nothing and an iallgather completes both",
          "[collectives][icoll][igather]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<int> gathered, everyone;
        std::array<baton::request, 2> requests{world.igather(world.rank(), gathered, 0),
                                               world.iallgather(world.rank() * 2, everyone)};
        std::size_t completed = 0;
        while (completed < requests.size()) completed += baton::wait_some(requests).size();
        return std::vector<int>{static_cast<int>(gathered.size()), everyone.back()};
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r)
        CHECK(result.values[static_cast<std::size_t>(r)] == std::vector<int>{r == 0 ? n : 0, 2 * (n - 1)});
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

// x -> a x + b; the reduction composes them, which is not commutative: the ranks' order shows.
struct affine {
    long a = 1, b = 0;
    friend bool operator==(const affine&, const affine&) = default;
};

TEST_CASE("the non-blocking reductions take what the blocking ones take: callables of the program's own, structs, "
          "bool, minloc",
          "[collectives][icoll][user_op]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        // Modulo a prime, so that 16 ranks of it do not overflow a long (still associative, still
        // not commutative).
        const auto compose = [](const affine& f, const affine& g) {
            constexpr long prime = 1000003;
            const auto reduced = [](long x) { return (x % prime + prime) % prime; };
            return affine{reduced(f.a * g.a), reduced(f.a * g.b + f.b)};
        };
        const int n = world.size(), me = world.rank(), root = n / 2;
        const affine mine{me + 2, 3L * me + 1};
        const std::vector<affine> row{mine, affine{1, me}};
        std::vector<affine> blocks;
        for (int b = 0; b < n; ++b) blocks.push_back(affine{b + me + 1, me - b});
        affine reduced, prefix, before;
        std::vector<affine> all, block;
        std::vector<long> in_place{me + 1L, 2L};
        bool any = false;
        baton::value_index<double> lowest;
        std::vector<baton::request> requests;
        requests.push_back(world.ireduce(mine, reduced, compose, root));
        requests.push_back(world.iallreduce(row, all, compose));
        requests.push_back(world.iscan(mine, prefix, compose));
        requests.push_back(world.iexscan(mine, before, compose));
        requests.push_back(world.ireduce_scatter_block(blocks, block, compose));
        requests.push_back(world.iallreduce(me % 2 == 1, any, baton::op::logical_or));
        requests.push_back(world.iallreduce(baton::value_index<double>{1.0 * ((me + 1) % 3), me}, lowest,
                                            baton::op::minloc));
        requests.push_back(world.iallreduce_in_place(in_place, [](long x, long y) { return x * 10 + y; }));
        baton::wait_all(requests);
        std::vector<std::string> differ;  // the forms whose result is not the blocking form's
        auto same = [&](const char* form, const auto& got, const auto& expected) {
            if (!(got == expected)) differ.emplace_back(form);
        };
        same("ireduce", reduced, world.reduce(mine, compose, root));
        same("iallreduce", all, world.allreduce(row, compose));
        same("iscan", prefix, world.scan(mine, compose));
        same("iexscan", before, world.exscan(mine, compose));
        same("ireduce_scatter_block", block, world.reduce_scatter_block(blocks, compose));
        same("iallreduce of bool", any, n > 1);
        same("iallreduce minloc", lowest, world.allreduce(baton::value_index<double>{1.0 * ((me + 1) % 3), me},
                                                          baton::op::minloc));
        std::vector<long> blocking{me + 1L, 2L};
        world.allreduce_in_place(blocking, [](long x, long y) { return x * 10 + y; });
        same("iallreduce_in_place", in_place, blocking);
        return differ;
    });
    for (const auto& differ : result.values) CHECK(differ == std::vector<std::string>{});
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
