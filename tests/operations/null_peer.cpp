// The null peer (baton::proc_null, MPI_PROC_NULL) and sendrecv_replace on the simulator: the halo
// exchange of a grid that does not wrap around, where the ranks at its edges send to nobody and
// receive from nobody with the same calls as every other rank.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>

#include "common.hpp"

using baton::communicator;
using baton::proc_null;
using baton::status;
using baton_test::contains;

namespace {

// What a receive from proc_null gives, whatever the tag asked for.
bool from_nobody(const status& st) { return st.source == proc_null && st.tag == baton::any_tag && st.bytes == 0; }

int left_of(const communicator& c) { return c.rank() > 0 ? c.rank() - 1 : proc_null; }
int right_of(const communicator& c) { return c.rank() + 1 < c.size() ? c.rank() + 1 : proc_null; }

}  // namespace

TEST_CASE("a halo exchange on a line: sendrecv to and from proc_null beyond the ends", "[p2p][proc_null]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        int from_left = -7;                 // a scalar: kept where nothing comes
        status left_st;
        std::array<double, 2> from_right{-1.0, -1.0};  // a fixed buffer: kept too
        status right_st;
        std::vector<int> grown{99};         // a vector: resized to what came (nothing, at the edge)
        status grown_st;
        BATON_TEST_RESULT_FIELDS(from_left, left_st, from_right, right_st, grown, grown_st)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank();
        outcome out;
        // Rightwards: each rank's value to its right neighbour; the last one sends to nobody.
        out.left_st = world.sendrecv(me * 10, right_of(world), 1, out.from_left, left_of(world), 1);
        // Leftwards, into a fixed buffer and into a vector.
        const std::array<double, 2> mine{me + 0.5, me + 0.25};
        out.right_st = world.sendrecv(mine, left_of(world), 2, out.from_right, right_of(world), 2);
        out.grown_st = world.sendrecv(std::vector<int>(static_cast<std::size_t>(me + 1), me), left_of(world), 3,
                                      out.grown, right_of(world), 3);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        if (r == 0) {
            CHECK(out.from_left == -7);
            CHECK(from_nobody(out.left_st));
        } else {
            CHECK(out.from_left == (r - 1) * 10);
            CHECK((out.left_st.source == r - 1 && out.left_st.tag == 1 && out.left_st.count<int>() == 1));
        }
        if (r == n - 1) {
            CHECK(out.from_right == std::array<double, 2>{-1.0, -1.0});
            CHECK(from_nobody(out.right_st));
            CHECK(out.grown.empty());
            CHECK(from_nobody(out.grown_st));
        } else {
            CHECK(out.from_right == std::array<double, 2>{r + 1.5, r + 1.25});
            CHECK((out.right_st.source == r + 1 && out.right_st.tag == 2 && out.right_st.count<double>() == 2));
            CHECK(out.grown == std::vector<int>(static_cast<std::size_t>(r + 2), r + 1));
            CHECK((out.grown_st.source == r + 1 && out.grown_st.count<int>() == static_cast<std::size_t>(r + 2)));
        }
    }
}

TEST_CASE("every point-to-point call with proc_null completes at once and moves nothing", "[p2p][proc_null]") {
    // Synchronous sends too: a send to nobody has no receive to wait for.
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        status isent, received, irecv_fixed, irecv_vector, irecv_serialized, probed, iprobed;
        int scalar = 3;
        std::array<int, 2> fixed{4, 5};
        std::string text = "keep";
        std::vector<int> vector{1, 2};
        std::map<int, std::string> table{{1, "one"}}, itable{{2, "two"}};
        int returned = -1;
        BATON_TEST_RESULT_FIELDS(isent, received, irecv_fixed, irecv_vector, irecv_serialized, probed, iprobed,
                                 scalar, fixed, text, vector, table, itable, returned)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        world.send(5, proc_null, 4);
        out.isent = world.isend(std::vector<int>{1, 2, 3}, proc_null, 4).wait();
        out.received = world.recv(out.scalar, proc_null, baton::any_tag);
        world.recv(out.text, proc_null, 0);
        world.recv(out.table, proc_null, 0);  // serialized: nothing to deserialize, the value stays
        out.returned = world.recv<int>(proc_null, 0);
        auto fixed = world.irecv(out.fixed, proc_null, 7);
        auto vector = world.irecv(out.vector, proc_null, 7);
        auto table = world.irecv(out.itable, proc_null, 7);
        out.irecv_fixed = fixed.wait();
        out.irecv_vector = vector.wait();
        out.irecv_serialized = table.wait();
        out.probed = world.probe(proc_null, 9);
        const auto seen = world.iprobe(proc_null);
        REQUIRE(seen);
        out.iprobed = *seen;
        return out;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        // A send's status names its destination, tag and size, as for any send.
        CHECK((out.isent.source == proc_null && out.isent.tag == 4 && out.isent.count<int>() == 3));
        for (const status& st : {out.received, out.irecv_fixed, out.irecv_vector, out.irecv_serialized, out.probed,
                                 out.iprobed})
            CHECK(from_nobody(st));
        CHECK(out.scalar == 3);
        CHECK(out.fixed == std::array<int, 2>{4, 5});
        CHECK(out.text.empty());    // a resizable buffer holds what came: nothing
        CHECK(out.vector.empty());
        CHECK(out.table == std::map<int, std::string>{{1, "one"}});
        CHECK(out.itable == std::map<int, std::string>{{2, "two"}});
        CHECK(out.returned == 0);
    }
}

TEST_CASE("the timeline and the event log name proc_null as the other side", "[p2p][proc_null]") {
    const auto result = baton::sim::run({.ranks = 2, .record = true}, [](communicator& world) {
        int got = -1;
        world.sendrecv(world.rank(), right_of(world), 0, got, left_of(world), 0);
    });
    std::vector<std::string> lines;
    for (const auto& e : result.events)
        if (e.peer == proc_null) lines.push_back(std::to_string(e.rank) + " " + e.operation);
    // Rank 0 receives from nobody; rank 1 sends to nobody (sendrecv is an isend and a recv).
    CHECK(lines == std::vector<std::string>{"0 recv", "1 isend"});
    const std::string timeline = baton::sim::to_timeline(result.events);
    CHECK_THAT(timeline, contains("-> proc_null") && contains("<- proc_null"));
}

TEST_CASE("sendrecv_replace shifts values around a ring in one buffer", "[p2p][sendrecv_replace]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        int scalar = -1;
        status scalar_st;
        std::vector<int> vector;       // each rank's has another size: it takes the size that came
        status vector_st;
        std::array<int, 2> fixed{};
        std::string text;
        std::map<int, std::string> table;  // serialized
        status table_st;
        int edge = -1;                     // on a line: the first rank keeps its own
        status edge_st;
        BATON_TEST_RESULT_FIELDS(scalar, scalar_st, vector, vector_st, fixed, text, table, table_st, edge, edge_st)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        outcome out;
        out.scalar = me;
        out.scalar_st = world.sendrecv_replace(out.scalar, right, 1, left, 1);
        out.vector.assign(static_cast<std::size_t>(me + 1), me);
        out.vector_st = world.sendrecv_replace(out.vector, right, 2, left, baton::any_tag);
        out.fixed = {me, -me};
        world.sendrecv_replace(out.fixed, right, 3, left, 3);
        out.text = "rank " + std::to_string(me);
        world.sendrecv_replace(out.text, right, 4, left, 4);
        out.table = {{me, std::string(static_cast<std::size_t>(me), 'x')}};
        out.table_st = world.sendrecv_replace(out.table, right, 5, baton::any_source, 5);
        out.edge = me;
        out.edge_st = world.sendrecv_replace(out.edge, right_of(world), 6, left_of(world), 6);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        const int left = (r + n - 1) % n;
        CHECK(out.scalar == left);
        CHECK((out.scalar_st.source == left && out.scalar_st.tag == 1 && out.scalar_st.count<int>() == 1));
        CHECK(out.vector == std::vector<int>(static_cast<std::size_t>(left + 1), left));
        CHECK((out.vector_st.source == left && out.vector_st.tag == 2));
        CHECK(out.fixed == std::array<int, 2>{left, -left});
        CHECK(out.text == "rank " + std::to_string(left));
        CHECK(out.table == std::map<int, std::string>{{left, std::string(static_cast<std::size_t>(left), 'x')}});
        CHECK(out.table_st.source == left);
        if (r == 0) {
            CHECK(out.edge == 0);
            CHECK(from_nobody(out.edge_st));
        } else {
            CHECK(out.edge == r - 1);
        }
    }
}

TEST_CASE("sendrecv_replace into a fixed buffer too small for what comes is a truncation error",
          "[p2p][sendrecv_replace]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3})));
    OPS_DESCRIBE(opts);
    // Rank 0 sends three ints to rank 1, which replaces its one int: it does not fit.
    const auto failure = ops::rank_failure(opts, [](communicator& world) {
        if (world.rank() == 0) world.send(std::vector<int>{1, 2, 3}, 1, 0);
        if (world.rank() == 1) {
            int one = 7;
            world.sendrecv_replace(one, proc_null, 0, 0, 0);
        }
    });
    REQUIRE(failure);
    CHECK(failure->rank() == 1);
    CHECK(failure->original_is<baton::truncation_error>());
}
