// Send modes of a call's own on the simulator: ssend and issend complete only once their receive
// has matched, whatever the run's --sends (MPI_Ssend, MPI_Issend); bsend and ibsend complete at
// once, held in the rank's attached buffer (MPI_Bsend, MPI_Buffer_attach/detach); rsend and
// irsend need their receive posted first (MPI_Rsend).
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

// ---- Buffered sends ---------------------------------------------------------------------------

TEST_CASE("bsend and ibsend complete at once under any --sends, and deliver", "[p2p][modes][bsend]") {
    // Head to head: every rank bsends to its right before receiving from its left, which under
    // --sends synchronous deadlocks with send, and not with bsend.
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> numbers;
        std::string text;
        bool ibsend_done = false;
        std::size_t detached = 0;
        BATON_TEST_RESULT_FIELDS(numbers, text, ibsend_done, detached)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        outcome out;
        const std::string text = "from " + std::to_string(me);
        world.attach_buffer(3 * sizeof(int) + text.size() + 2 * baton::bsend_overhead);
        world.bsend(std::vector<int>{me, me + 1, me + 2}, right, 1);
        baton::request sending = world.ibsend(text, right, 2);
        out.ibsend_done = sending.test().has_value();
        world.recv(out.numbers, left, 1);
        world.recv(out.text, left, 2);
        out.detached = world.detach_buffer();
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const int left = (r + n - 1) % n;
        const auto& out = result.values[r];
        CHECK(out.numbers == std::vector<int>{left, left + 1, left + 2});
        CHECK(out.text == "from " + std::to_string(left));
        CHECK(out.ibsend_done);
        CHECK(out.detached == 3 * sizeof(int) + ("from " + std::to_string(r)).size() + 2 * baton::bsend_overhead);
    }
}

TEST_CASE("a bsend gives its room back when it is received", "[p2p][modes][bsend]") {
    // Room for one message of an int: five bsends fit one after the other, each received first.
    const auto opts = GENERATE(from_range(ops::configurations(
        {baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous}, {2, 3, 4, 7})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        int sum = 0;
        if (world.rank() == 0) {
            world.attach_buffer(sizeof(int) + baton::bsend_overhead);
            for (int i = 1; i <= 5; ++i) {
                world.bsend(i, 1, 0);
                sum += world.recv<int>(1, 1);  // rank 1 has received the bsend
            }
            world.detach_buffer();
        } else if (world.rank() == 1) {
            for (int i = 1; i <= 5; ++i) {
                const int got = world.recv<int>(0, 0);
                world.send(got, 0, 1);
                sum += got;
            }
        }
        return sum;
    });
    CHECK(result.values[0] == 15);
    CHECK(result.values[1] == 15);
}

TEST_CASE("a bsend that does not fit is a usage_error naming the rank, the call and the sizes",
          "[p2p][modes][bsend][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3})));
    OPS_DESCRIBE(opts);
    // Room for two ints: the third bsend, before rank 1 receives any, does not fit.
    const auto failure = ops::rank_failure(opts, [](communicator& world) {
        if (world.rank() == 0) {
            world.attach_buffer(2 * (sizeof(int) + baton::bsend_overhead));
            for (int i = 0; i < 3; ++i) world.bsend(i, 1, 0);
        }
        world.barrier();
        if (world.rank() == 1)
            for (int i = 0; i < 3; ++i) (void)world.recv<int>(0, 0);
    });
    REQUIRE(failure);
    CHECK(failure->rank() == 0);
    CHECK(failure->original_is<baton::usage_error>());
    CHECK_THAT(ops::original_message(*failure),
               contains("rank 0: bsend at tests/operations/send_modes.cpp:") &&
                   contains("bsend(dest=1, tag=0): its 4 bytes and the 128 bytes of overhead each bsend takes do not "
                            "fit in the attached buffer: 264 bytes attached at tests/operations/send_modes.cpp:") &&
                   contains("of which 264 bytes held by 2 bsends not yet received, 0 bytes free"));
}

TEST_CASE("bsend without a buffer, a second attach and a detach of nothing are usage_errors",
          "[p2p][modes][bsend][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {1, 2})));
    OPS_DESCRIBE(opts);
    const std::vector<std::pair<int, std::string>> cases{
        {0, "bsend(dest=0, tag=0): its 8 bytes and the 128 bytes of overhead each bsend takes need an attached "
            "buffer, and none is attached (attach_buffer)"},
        {1, "a buffer of 1000 bytes is attached already (at tests/operations/send_modes.cpp:"},
        {2, "detach_buffer at tests/operations/send_modes.cpp:"},
    };
    for (const auto& [which, message] : cases) {
        const auto failure = ops::rank_failure(opts, [which = which](communicator& world) {
            if (world.rank() != 0) return;
            if (which == 0) world.bsend(1.5, 0, 0);
            if (which == 1) world.attach_buffer(1000), world.attach_buffer(10);
            if (which == 2) world.detach_buffer();
        });
        REQUIRE(failure);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(ops::original_message(*failure), contains(message));
        if (which == 2) CHECK_THAT(ops::original_message(*failure), contains("no buffer is attached (attach_buffer)"));
    }
}

TEST_CASE("detach_buffer waits for its bsends: one never received is a deadlock", "[p2p][modes][bsend]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3})));
    OPS_DESCRIBE(opts);
    try {
        baton::sim::run(opts, [](communicator& world) {
            if (world.rank() != 0) return;
            world.attach_buffer(1024);
            world.bsend(7, 1, 3);
            world.detach_buffer();
        });
        FAIL("no deadlock reported");
    } catch (const baton::deadlock_error& e) {
        REQUIRE(e.blocked().size() == 1);
        CHECK(e.blocked()[0].rank == 0);
        CHECK(e.blocked()[0].call == "detach_buffer() waiting for 1 bsend to be received");
        CHECK(e.blocked()[0].waits_for == std::vector<int>{1});
    }
}

TEST_CASE("bsend and ibsend to proc_null need no buffer", "[p2p][modes][bsend][proc_null]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {1, 2})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        world.bsend(1, baton::proc_null, 0);
        return world.ibsend(std::vector<int>{1, 2}, baton::proc_null, 0).test().has_value();
    });
    for (int r = 0; r < opts.ranks; ++r) CHECK(result.values[r]);
}

// ---- Ready sends -----------------------------------------------------------------------------

TEST_CASE("rsend and irsend to a posted receive deliver like send", "[p2p][modes][rsend]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    struct outcome {
        int scalar = -1;
        std::vector<std::string> serialized;
        BATON_TEST_RESULT_FIELDS(scalar, serialized)
    };
    // Every rank posts its receives, then a barrier: after it, each rank's receives are posted.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        outcome out;
        baton::request receives[] = {world.irecv(out.scalar, left, 1), world.irecv(out.serialized, left, 2)};
        world.barrier();
        world.rsend(me * 3, right, 1);
        world.irsend(std::vector<std::string>{"r", std::to_string(me)}, right, 2).wait();
        baton::wait_all(receives);
        return out;
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int left = (r + n - 1) % n;
        CHECK(result.values[r].scalar == left * 3);
        CHECK(result.values[r].serialized == std::vector<std::string>{"r", std::to_string(left)});
    }
}

TEST_CASE("an rsend before its receive is posted is reported", "[p2p][modes][rsend]") {
    // Rank 1 posts its receive only after the message that rank 0 sends after its rsend: on
    // every schedule the rsend comes first.
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3, 4})));
    OPS_DESCRIBE(opts);
    const bool nonblocking = GENERATE(false, true);
    try {
        baton::sim::run(opts, [nonblocking](communicator& world) {
            if (world.rank() == 0) {
                if (nonblocking) world.irsend(5, 1, 0).wait();
                else world.rsend(5, 1, 0);
                world.send(0, 1, 1);
            } else if (world.rank() == 1) {
                (void)world.recv<int>(0, 1);
                REQUIRE(world.recv<int>(0, 0) == 5);  // the message itself still arrives
            }
        });
        FAIL("nothing reported");
    } catch (const baton::check_failed& e) {
        REQUIRE(e.findings().size() == 1);
        const baton::finding& f = e.findings()[0];
        CHECK(f.kind == baton::finding_kind::ready_send_without_receive);
        const std::string call = nonblocking ? "irsend" : "rsend";
        CHECK(f.summary == "ready send without a posted receive: rank 0's " + call +
                               " of 4 bytes to rank 1 (tag 0, comm world) started before rank 1 posted a receive "
                               "that matches it; MPI requires the receive first, and may lose the message or fail");
        REQUIRE(f.calls.size() == 1);
        CHECK(f.calls[0].rank == 0);
        CHECK(f.calls[0].call == call + "(dest=1, tag=0, comm=world)");
        CHECK_THAT(f.calls[0].location, contains("tests/operations/send_modes.cpp:"));
    }
}

TEST_CASE("an rsend to a posted wildcard receive is allowed", "[p2p][modes][rsend]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3, 4})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        int got = -1;
        if (world.rank() == 1) {
            baton::request r = world.irecv(got, baton::any_source, baton::any_tag);
            world.send(0, 0, 1);  // "posted"
            r.wait();
        } else if (world.rank() == 0) {
            (void)world.recv<int>(1, 1);
            world.rsend(9, 1, 4);
        }
        return got;
    });
    CHECK(result.values[1] == 9);
}

TEST_CASE("exploration reports an rsend that only this schedule puts after its receive", "[p2p][modes][rsend][explore]") {
    // Nothing orders rank 1's irecv before rank 0's rsend: wrong, whichever comes first in the
    // schedule exploration takes.
    const auto found = baton::sim::explore({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 1) {
            int got = 0;
            world.irecv(got, 0, 0).wait();
        } else {
            world.iprobe(1, 9);  // a call first, so that rank 1 may post before the rsend
            world.rsend(1, 1, 0);
        }
    });
    REQUIRE(found.failure);
    CHECK(found.failure->kind == baton::finding_kind::ready_send_without_receive);
    // Exploration's schedule runs rank 1's irecv first: the receive is posted, and still wrong.
    CHECK_THAT(found.failure->summary,
               contains("rank 0's rsend of 4 bytes to rank 1 (tag 0, comm world) started after rank 1 posted a "
                        "receive that matches it at tests/operations/send_modes.cpp:") &&
                   contains("in this schedule, but nothing orders the two: on another schedule the rsend starts first"));
}

TEST_CASE("exploration accepts an rsend that every schedule puts after its receive", "[p2p][modes][rsend][explore]") {
    // Ordered by a barrier, by a message back, and through a third rank.
    for (const int how : {0, 1, 2}) {
        INFO("ordering " << how);
        const auto found = baton::sim::explore({.ranks = 3}, [how](communicator& world) {
            const int me = world.rank();
            int got = 0;
            std::optional<baton::request> receive;
            if (me == 1) receive = world.irecv(got, 0, 0);
            if (how == 0) world.barrier();
            if (how == 1 && me == 1) world.send(0, 0, 1);
            if (how == 1 && me == 0) (void)world.recv<int>(1, 1);
            if (how == 2 && me == 1) world.send(0, 2, 1);
            if (how == 2 && me == 2) world.send(world.recv<int>(1, 1), 0, 2);
            if (how == 2 && me == 0) (void)world.recv<int>(2, 2);
            if (me == 0) world.rsend(7, 1, 0);
            if (receive) REQUIRE(receive->wait().source == 0);
        });
        CHECK_FALSE(found.failure);
        CHECK(found.complete);
    }
}
