// Issue 14: the receive buffer of a pending non-blocking collective is the program's again only
// when a wait or test completes it (MPI 4.1, 6.12: "the contents of the output buffer ... are
// undefined until the operation completes"). A write before then is lost or kept depending on when
// the others arrive, so it is reported either way; the collective's own write of its result is
// not. In place, the one buffer is the input first: watched as what the call gives. Run on
// threads, fibers and process ranks (but --strict-buffers, which process ranks refuse).
#include <numeric>
#include <string>
#include <vector>

#include "catch2_compat.hpp"
#include "findings_of.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton::finding_kind;
using baton_test::contains;
using baton_test::findings_of;
using baton_test::kinds;

namespace {

constexpr std::size_t pages_of_ints = 4 * 4096 / sizeof(int);  // four pages' worth: three whole ones at least

// Rank 0 writes into its iallreduce's result before the wait; the call is on the line below.
constexpr int iallreduce_line = __LINE__ + 4;
constexpr int wait_line = __LINE__ + 5;
void write_result_before_wait(communicator& world) {
    int mine = world.rank() + 1, sum = 0;
    baton::request total = world.iallreduce(mine, sum, baton::op::sum);
    if (world.rank() == 0) sum = 7;  // neither 0 (before the result) nor the result
    total.wait();
}

std::string here(int line) { return "tests/core/pending_collectives.cpp:" + std::to_string(line); }

}  // namespace

TEST_CASE("a write into a pending iallreduce's result is reported, whoever completes the collective",
          "[collective-buffers]") {
    const int ranks = GENERATE(2, 3, 4);
    const std::uint64_t seed = GENERATE(1, 2, 3, 4, 5);
    const auto found = findings_of({.ranks = ranks, .seed = seed}, write_result_before_wait);
    REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
    // Before the collective wrote its result (it then overwrote the write) or after (the write
    // overwrote the result): the same finding, named by the rank, the collective and its lines.
    CHECK_THAT(found[0].summary, contains("rank 0 wrote into the receive buffer of its iallreduce before "));
    const bool at_wait = found[0].summary.find("before completing it at " + here(wait_line)) != std::string::npos;
    const bool at_result = found[0].summary.find("before its collective wrote the result into it") != std::string::npos;
    CHECK((at_wait || at_result));
    REQUIRE(found[0].calls.size() == 1);
    CHECK(found[0].calls[0].rank == 0);
    CHECK_THAT(found[0].calls[0].call, contains("iallreduce(op=sum"));
    CHECK(found[0].calls[0].location == here(iallreduce_line));
}

TEST_CASE("writes into other pending collectives' receive buffers", "[collective-buffers]") {
    SECTION("ibcast, at a rank that receives") {
        const auto found = findings_of({.ranks = 3}, [](communicator& world) {
            std::vector<int> data(4, world.rank() == 0 ? 5 : 0);
            baton::request r = world.ibcast(data, 0);
            if (world.rank() == 2) data[3] = 9;
            r.wait();
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 2 wrote into the receive buffer of its ibcast before"));
    }
    SECTION("igather's root grows the vector the result goes into") {
        const auto found = findings_of({.ranks = 3}, [](communicator& world) {
            std::vector<int> all;
            baton::request r = world.igather(world.rank(), all, 1);
            if (world.rank() == 1) all.push_back(1);
            r.wait();
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 1 wrote into the receive buffer of its igather before") &&
                                         contains("its container changed size, capacity or memory"));
    }
    SECTION("ialltoall, every rank") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            std::vector<int> out{world.rank(), world.rank()}, in(2, -1);
            baton::request r = world.ialltoall(out, in);
            in[0] = 42;
            r.wait();
        });
        CHECK(kinds(found) ==
              std::vector{finding_kind::receive_buffer_modified, finding_kind::receive_buffer_modified});
    }
    SECTION("another operation sends from the pending result") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            int mine = 1, sum = 0;
            baton::request r = world.iallreduce(mine, sum, baton::op::sum);
            if (world.rank() == 0) world.send(sum, 1, 0);
            else world.recv<int>(0, 0);
            r.wait();
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 0's send at") &&
                                         contains("sends from the receive buffer of its iallreduce posted at " +
                                                  std::string("tests/core/pending_collectives.cpp:")));
    }
}

TEST_CASE("correct programs: results used after the wait, inputs read while pending", "[collective-buffers]") {
    const auto mode = GENERATE(baton::sim::collective_mode::synchronizing, baton::sim::collective_mode::local);
    const std::uint64_t seed = GENERATE(1, 2, 3);
    const auto found = findings_of({.ranks = 3, .seed = seed, .collectives = mode}, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        int mine = me + 1, sum = -1, prefix = -1, below = -1, at_root = -1;
        std::vector<int> bcast(3, me == 0 ? 8 : 0), gathered, all, blocks(static_cast<std::size_t>(n), me), swapped,
            scattered(2), reduced;
        std::vector<int> to_scatter(static_cast<std::size_t>(n) * 2, 6);
        std::vector<baton::request> requests;
        requests.push_back(world.iallreduce(mine, sum, baton::op::sum));
        requests.push_back(world.iscan(mine, prefix, baton::op::sum));
        requests.push_back(world.iexscan(mine, below, baton::op::sum));
        requests.push_back(world.ireduce(mine, at_root, baton::op::max, 1));
        requests.push_back(world.ibcast(bcast, 0));
        requests.push_back(world.igather(mine, gathered, 2));
        requests.push_back(world.iallgather(mine, all));
        requests.push_back(world.ialltoall(blocks, swapped));
        requests.push_back(world.iscatter(to_scatter, scattered, 0));
        requests.push_back(world.ireduce_scatter_block(blocks, reduced, baton::op::sum));
        // Reading what a pending collective gives is allowed (as a pending isend's data).
        CHECK(mine == me + 1);
        CHECK(std::accumulate(blocks.begin(), blocks.end(), 0) == n * me);
        baton::wait_all(requests);
        CHECK(sum == n * (n + 1) / 2);
        CHECK(prefix == (me + 1) * (me + 2) / 2);
        if (me > 0) CHECK(below == me * (me + 1) / 2);
        if (me == 1) CHECK(at_root == n);
        CHECK(bcast == std::vector<int>(3, 8));
        if (me == 2) CHECK(gathered.size() == static_cast<std::size_t>(n));
        CHECK(all.size() == static_cast<std::size_t>(n));
        CHECK(swapped.size() == static_cast<std::size_t>(n));
        CHECK(scattered == std::vector<int>(2, 6));
        CHECK(reduced == std::vector<int>{n * (n - 1) / 2});
        // Written now that they are the program's again.
        sum = 0;
        bcast[0] = 0;
        all.clear();
    });
    std::string said;
    for (const auto& f : found) said += f.summary + "\n";
    INFO(said);
    CHECK(found.empty());
}

TEST_CASE("in place, the one buffer is watched as the input it is, and reported once", "[collective-buffers]") {
    SECTION("written before the wait") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            std::vector<int> data{world.rank(), 1};
            baton::request r = world.iallreduce_in_place(data, baton::op::sum);
            if (world.rank() == 1) data[1] = 5;
            r.wait();
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::send_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 1 changed the buffer of its iallreduce"));
    }
    SECTION("used after the wait") {
        const auto found = findings_of({.ranks = 3}, [](communicator& world) {
            std::vector<int> data{world.rank(), 1}, blocks(3, world.rank());
            std::vector<baton::request> requests;
            requests.push_back(world.iallreduce_in_place(data, baton::op::sum));
            requests.push_back(world.iallgather_in_place(blocks));
            baton::wait_all(requests);
            CHECK(data == std::vector<int>{3, 3});
            CHECK(blocks == std::vector<int>{0, 1, 2});
            data[0] = -1;
        });
        CHECK(found.empty());
    }
}

TEST_CASE("--strict-buffers catches a read of a pending collective's result", "[collective-buffers][strict]") {
    const auto found = findings_of({.ranks = 2, .strict_buffers = true}, [](communicator& world) {
        std::vector<int> mine(pages_of_ints, world.rank()), all(2 * pages_of_ints, -1);
        baton::request r = world.iallgather(mine, all);
        long sum = 0;
        for (const int x : mine) sum += x;  // its input may be read
        REQUIRE(sum == static_cast<long>(pages_of_ints) * world.rank());
        if (world.rank() == 0) {
            [[maybe_unused]] const int early = *static_cast<volatile int*>(&all[pages_of_ints]);
        }
        r.wait();
        REQUIRE(all[pages_of_ints] == 1);  // the read went through, and the result arrived
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
    CHECK_THAT(found[0].summary, contains("rank 0 read the receive buffer of its iallgather before") &&
                                     contains("--strict-buffers caught the first read at"));
}

TEST_CASE("--strict-buffers passes pending collectives used correctly", "[collective-buffers][strict]") {
    const auto found = findings_of({.ranks = 3, .strict_buffers = true}, [](communicator& world) {
        std::vector<int> mine(pages_of_ints, world.rank()), total(pages_of_ints, -1), all;
        for (int round = 0; round < 2; ++round) {
            std::vector<baton::request> requests;
            requests.push_back(world.iallreduce(mine, total, baton::op::sum));
            requests.push_back(world.iallgather(mine, all));
            baton::wait_all(requests);
            REQUIRE(total[7] == 3);
            REQUIRE(all.size() == 3 * pages_of_ints);
            total[7] = -1;
            all.clear();
        }
    });
    CHECK(found.empty());
}
