// Bad input: ranks, tags and roots outside what MPI allows, wildcards where they mean nothing,
// counts that do not split. Each is a usage_error thrown by the rank that made the call, whose
// message names that rank, the operation and what was wrong, and ends the run as rank_failed.
#include <functional>
#include <string>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton_test::contains;

namespace {

struct bad_call {
    std::string operation;  // as the message must name it
    std::string complaint;  // what the message must say was wrong
    std::function<void(communicator&)> call;
};

// Every bad call, for a world of n ranks.
std::vector<bad_call> bad_calls(int n) {
    const std::string size = std::to_string(n);
    const std::string not_a_rank = " is not a rank of world (ranks 0.." + std::to_string(n - 1) + ")";
    const std::string too_large = "tag " + std::to_string(baton::max_tag + 1) + " is outside 0..32767";
    return {
        // Destinations.
        {"send", "dest " + size + not_a_rank, [n](communicator& w) { w.send(1, n, 0); }},
        {"send", "dest -5" + not_a_rank, [](communicator& w) { w.send(1, -5, 0); }},
        {"send", "dest any_source" + not_a_rank, [](communicator& w) { w.send(1, baton::any_source, 0); }},
        {"isend", "dest " + size + not_a_rank, [n](communicator& w) { w.isend(1, n, 0).wait(); }},
        {"isend", "dest -5" + not_a_rank, [](communicator& w) { w.isend(std::vector<int>{1}, -5, 0).wait(); }},
        {"sendrecv", "dest " + size + not_a_rank, [n](communicator& w) {
             int in = 0;
             w.sendrecv(1, n, 0, in, 0, 0);
         }},
        {"sendrecv_replace", "dest " + size + not_a_rank, [n](communicator& w) {
             int value = 0;
             w.sendrecv_replace(value, n, 0, 0, 0);
         }},
        // Sources.
        {"recv", "source " + size + not_a_rank, [n](communicator& w) { w.recv<int>(n, 0); }},
        {"recv", "source -5" + not_a_rank, [](communicator& w) {
             std::vector<int> into;
             w.recv(into, -5, 0);
         }},
        {"irecv", "source " + size + not_a_rank, [n](communicator& w) {
             int into = 0;
             w.irecv(into, n, 0).wait();
         }},
        {"probe", "source -5" + not_a_rank, [](communicator& w) { w.probe(-5, 0); }},
        {"iprobe", "source " + size + not_a_rank, [n](communicator& w) { w.iprobe(n); }},
        {"sendrecv", "source -5" + not_a_rank, [](communicator& w) {
             int in = 0;
             w.sendrecv(1, 0, 0, in, -5, 0);
         }},
        {"sendrecv_replace", "source -5" + not_a_rank, [](communicator& w) {
             std::vector<int> value{1};
             w.sendrecv_replace(value, 0, 0, -5, 0);
         }},
        // Tags.
        {"send", "tag -2 is outside 0..32767", [](communicator& w) { w.send(1, 0, -2); }},
        {"send", too_large, [](communicator& w) { w.send(1, 0, baton::max_tag + 1); }},
        {"send", "tag any_tag is only for receives and probes", [](communicator& w) { w.send(1, 0, baton::any_tag); }},
        {"isend", "tag any_tag is only for receives and probes",
         [](communicator& w) { w.isend(std::string("x"), 0, baton::any_tag).wait(); }},
        {"sendrecv", "tag any_tag is only for receives and probes", [](communicator& w) {
             int in = 0;
             w.sendrecv(1, 0, baton::any_tag, in, 0, 0);
         }},
        {"recv", "tag -5 is outside 0..32767", [](communicator& w) { w.recv<int>(0, -5); }},
        {"recv", too_large, [](communicator& w) { w.recv<int>(baton::any_source, baton::max_tag + 1); }},
        {"irecv", "tag -2 is outside 0..32767", [](communicator& w) {
             int into = 0;
             w.irecv(into, 0, -2).wait();
         }},
        {"probe", too_large, [](communicator& w) { w.probe(0, baton::max_tag + 1); }},
        {"send", "tag any_tag is only for receives and probes",
         [](communicator& w) { w.send(1, baton::proc_null, baton::any_tag); }},  // checked with no rank too
        {"recv", too_large, [](communicator& w) { w.recv<int>(baton::proc_null, baton::max_tag + 1); }},
        // Roots.
        {"bcast", "root " + size + not_a_rank, [n](communicator& w) {
             int value = 0;
             w.bcast(value, n);
         }},
        {"bcast", "root -5" + not_a_rank, [](communicator& w) {
             std::vector<double> value;
             w.bcast(value, -5);
         }},
        {"scatter", "root " + size + not_a_rank, [n](communicator& w) { w.scatter(std::vector<int>{}, n); }},
        {"gather", "root -5" + not_a_rank, [](communicator& w) { w.gather(1, -5); }},
        {"bcast", "root proc_null" + not_a_rank + " (proc_null is only for point-to-point calls)",
         [](communicator& w) {
             int value = 0;
             w.bcast(value, baton::proc_null);
         }},
        {"reduce", "root " + size + not_a_rank, [n](communicator& w) { w.reduce(1, baton::op::sum, n); }},
        {"reduce", "root any_source" + not_a_rank,
         [](communicator& w) { w.reduce(1, baton::op::sum, baton::any_source); }},
        {"gatherv", "root " + size + not_a_rank, [n](communicator& w) { w.gatherv(std::vector<int>{}, n); }},
        {"scatterv", "root -5" + not_a_rank, [](communicator& w) { w.scatterv(baton::ragged<int>{}, -5); }},
        // Counts and colors.
        {"scatterv", "0 blocks given for " + size + " ranks", [](communicator& w) {
             w.scatterv(baton::ragged<int>{}, w.rank());
         }},
        {"split", "color must be non-negative or baton::undefined", [](communicator& w) { w.split(-3, 0); }},
    };
}

}  // namespace

TEST_CASE("bad ranks, tags and roots are usage errors naming the rank and the operation", "[errors]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    const int n = opts.ranks;
    const int culprit = n - 1;

    for (const auto& bad : bad_calls(n)) {
        INFO(bad.operation << ": " << bad.complaint);
        // Only the culprit makes the bad call; the others wait at a barrier it never reaches. The
        // run must end with the culprit's error, not a deadlock.
        const auto failure = ops::rank_failure(opts, [&](communicator& world) {
            if (world.rank() == culprit) bad.call(world);
            world.barrier();
        });
        REQUIRE(failure);
        CHECK(failure->rank() == culprit);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(failure->what(), ops::mentions_rank(culprit));
        CHECK_THAT(ops::original_message(*failure), ops::mentions_rank(culprit) && ops::mentions_word(bad.operation) &&
                                                        contains("errors.cpp:") && contains(bad.complaint));
    }
}

TEST_CASE("counts that do not split into equal blocks are usage errors", "[errors]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3, 4, 7, 16})));
    OPS_DESCRIBE(opts);
    const int n = opts.ranks;
    const std::string uneven = std::to_string(n + 1) + " elements do not split into " + std::to_string(n) +
                               " equal blocks";

    SECTION("scatter at the root") {
        const auto failure = ops::rank_failure(opts, [&](communicator& world) {
            std::vector<int> all(static_cast<std::size_t>(world.rank() == 1 ? n + 1 : 0));
            world.scatter(all, 1);
        });
        REQUIRE(failure);
        CHECK(failure->rank() == 1);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(ops::original_message(*failure),
                   ops::mentions_rank(1) && ops::mentions_word("scatter") && contains(uneven) && contains("scatterv"));
    }
    SECTION("alltoall") {
        const auto failure = ops::rank_failure(opts, [&](communicator& world) {
            world.alltoall(std::vector<int>(static_cast<std::size_t>(n + 1)));
        });
        REQUIRE(failure);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(ops::original_message(*failure), ops::mentions_word("alltoall") && contains(uneven));
    }
    SECTION("scatterv counts that do not add up") {
        const auto failure = ops::rank_failure(opts, [&](communicator& world) {
            baton::ragged<int> parts;
            if (world.rank() == 0)
                parts = baton::ragged<int>(std::vector<int>(static_cast<std::size_t>(n + 1)),
                                           std::vector<std::size_t>(static_cast<std::size_t>(n), 1));
            world.scatterv(parts, 0);
        });
        REQUIRE(failure);
        CHECK(failure->rank() == 0);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(ops::original_message(*failure), ops::mentions_rank(0) && ops::mentions_word("scatterv") &&
                                                        contains("block counts add up to " + std::to_string(n)));
    }
}

TEST_CASE("errors on a sub-communicator name it and both of the rank's numbers", "[errors]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3, 4, 7, 16})));
    OPS_DESCRIBE(opts);
    const int n = opts.ranks;
    // The odd ranks, reversed: world rank 1 is the last rank of `odds`.
    const auto failure = ops::rank_failure(opts, [&](communicator& world) {
        communicator odds = world.split(world.rank() % 2, -world.rank());
        if (world.rank() == 1) odds.send(1, odds.size(), 0);
    });
    const int odds = n / 2;
    REQUIRE(failure);
    CHECK(failure->rank() == 1);
    CHECK(failure->original_is<baton::usage_error>());
    // World rank 1, and rank odds-1 of the new communicator.
    CHECK_THAT(ops::original_message(*failure),
               ops::mentions_rank(1) && ops::mentions_rank(odds - 1) && ops::mentions_word("send") &&
                   contains("dest " + std::to_string(odds) + " is not a rank of world.split1(color=1)"));
}

TEST_CASE("the largest tag and every rank are accepted", "[errors]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    // Every rank sends to every rank with tag max_tag, and roots range over every rank.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        std::vector<baton::request> sends;
        for (int r = 0; r < n; ++r) sends.push_back(world.isend(me, r, baton::max_tag));
        int sum = 0;
        for (int r = 0; r < n; ++r) sum += world.recv<int>(r, baton::max_tag);
        baton::wait_all(sends);
        for (int root = 0; root < n; ++root) sum += world.reduce(1, baton::op::sum, root);
        return sum;
    });
    for (int r = 0; r < opts.ranks; ++r) CHECK(result.values[r] == opts.ranks * (opts.ranks - 1) / 2 + opts.ranks);
}
