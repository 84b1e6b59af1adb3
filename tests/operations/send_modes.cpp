// Send modes of a call's own on the simulator: ssend and issend complete only once their receive
// has matched, whatever the run's --sends (MPI_Ssend, MPI_Issend).
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton::status;
using baton_test::contains;

TEST_CASE("issend's request completes only once its receive has matched, under any --sends", "[p2p][modes]") {
    // Under --sends buffered an isend would be complete at once: an issend is not.
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        bool pending_before = false;  // test() before the receive was posted
        status sent;
        std::vector<int> got;
        status got_st;
        BATON_TEST_RESULT_FIELDS(pending_before, sent, got, got_st)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        outcome out;
        auto sending = world.issend(std::vector<int>{me, me * 2}, right, 3);
        out.pending_before = !sending.test().has_value();
        // No rank receives before every rank has tested.
        world.barrier();
        out.got_st = world.recv(out.got, left, 3);
        out.sent = sending.wait();
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        const int left = (r + n - 1) % n, right = (r + 1) % n;
        CHECK(out.pending_before);
        CHECK((out.sent.source == right && out.sent.tag == 3 && out.sent.count<int>() == 2));
        CHECK(out.got == std::vector<int>{left, left * 2});
        CHECK((out.got_st.source == left && out.got_st.tag == 3 && out.got_st.count<int>() == 2));
    }
}

TEST_CASE("ssend delivers like send, from every kind of value", "[p2p][modes]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        int scalar = -1;
        std::string text;
        std::vector<std::string> serialized;
        BATON_TEST_RESULT_FIELDS(scalar, text, serialized)
    };
    // Every rank posts its receives first (non-blocking), then ssends to its right neighbour: each
    // ssend finds its receive posted, so none waits for another.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        outcome out;
        baton::request receives[] = {world.irecv(out.scalar, left, 1), world.irecv(out.text, left, 2),
                                     world.irecv(out.serialized, left, 3)};
        world.ssend(me * 7, right, 1);
        world.ssend("from " + std::to_string(me), right, 2);
        world.ssend(std::vector<std::string>{"a", std::to_string(me)}, right, 3);
        baton::wait_all(receives);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int left = (r + n - 1) % n;
        CHECK(result.values[r].scalar == left * 7);
        CHECK(result.values[r].text == "from " + std::to_string(left));
        CHECK(result.values[r].serialized == std::vector<std::string>{"a", std::to_string(left)});
    }
}

TEST_CASE("two ranks that ssend to each other first deadlock, even with buffered sends", "[p2p][modes]") {
    // With send instead of ssend this program passes under --sends buffered; with ssend MPI may
    // not buffer, so it is a deadlock, not a potential one.
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3, 4, 7})));
    OPS_DESCRIBE(opts);
    try {
        baton::sim::run(opts, [](communicator& world) {
            const int me = world.rank();
            if (me > 1) return;
            const int other = 1 - me;
            world.ssend(me, other, 0);
            world.recv<int>(other, 0);
        });
        FAIL("no deadlock reported");
    } catch (const baton::deadlock_error& e) {
        CHECK_FALSE(e.potential());
        CHECK(e.cycle() == std::vector<int>{0, 1, 0});
        CHECK_THAT(e.what(), contains("ssend(dest=1, tag=0, comm=world)") && contains("ssend(dest=0, tag=0, comm=world)"));
    }
}

TEST_CASE("an issend whose message is never received is a deadlock of its waiting sender", "[p2p][modes]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3})));
    OPS_DESCRIBE(opts);
    try {
        baton::sim::run(opts, [](communicator& world) {
            if (world.rank() == 0) world.issend(5, 1, 9).wait();
        });
        FAIL("nothing reported");
    } catch (const baton::check_failed& e) {
        CHECK_THAT(e.what(), contains("message never received") && contains("its issend is synchronous") &&
                                 contains("waits for that receive forever"));
    }
}

TEST_CASE("ssend and issend to proc_null complete at once", "[p2p][modes][proc_null]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        world.ssend(1, baton::proc_null, 0);
        return world.issend(std::vector<int>{1, 2}, baton::proc_null, 0).test().has_value();
    });
    for (int r = 0; r < opts.ranks; ++r) CHECK(result.values[r]);
}

TEST_CASE("ssend and issend refuse bad destinations and tags, naming the call", "[p2p][modes][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {1, 3})));
    OPS_DESCRIBE(opts);
    for (const bool nonblocking : {false, true}) {
        const auto failure = ops::rank_failure(opts, [&](communicator& world) {
            if (world.rank() != 0) return;
            if (nonblocking) world.issend(1, world.size(), 0).wait();
            else world.ssend(1, 0, baton::any_tag);
        });
        REQUIRE(failure);
        CHECK(failure->rank() == 0);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(ops::original_message(*failure),
                   ops::mentions_word(nonblocking ? "issend" : "ssend") &&
                       contains(nonblocking ? "is not a rank of world" : "tag any_tag is only for receives"));
    }
}
