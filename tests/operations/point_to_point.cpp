// Point-to-point operations on the simulator: send/recv, tags and wildcards, ordering, sendrecv,
// probes, non-blocking requests, and the kinds of buffer a receive can fill.
#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton::status;

namespace {

// A status and the value that came with it, as rank 0 saw them.
template <class T>
struct received {
    status st;
    T value{};
    BATON_TEST_RESULT_FIELDS(st, value)
};

}  // namespace

TEST_CASE("send and recv deliver values, and recv reports source, tag and count", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> request;                 // what a worker received from rank 0
        std::vector<received<double>> replies;   // what rank 0 received back, by worker
        BATON_TEST_RESULT_FIELDS(request, replies)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        if (world.rank() == 0) {
            // Every send first: in synchronous mode each waits for its receive, which every worker
            // posts before replying.
            for (int r = 1; r < world.size(); ++r) world.send(std::vector<int>{r, 10 * r, 100 * r}, r, /*tag=*/3);
            for (int r = 1; r < world.size(); ++r) {
                received<double> reply;
                reply.st = world.recv(reply.value, r, /*tag=*/4);
                out.replies.push_back(reply);
            }
        } else {
            out.request = world.recv<std::vector<int>>(0, 3);
            world.send(out.request.at(2) + 0.5, 0, /*tag=*/4);
        }
        return out;
    });

    const int n = opts.ranks;
    REQUIRE(result.values[0].replies.size() == static_cast<std::size_t>(n - 1));
    for (int r = 1; r < n; ++r) {
        CHECK(result.values[r].request == std::vector<int>{r, 10 * r, 100 * r});
        const auto& reply = result.values[0].replies[static_cast<std::size_t>(r - 1)];
        CHECK(reply.st.source == r);
        CHECK(reply.st.tag == 4);
        CHECK(reply.st.count<double>() == 1);
        CHECK(reply.st.bytes == sizeof(double));
        CHECK(reply.value == 100 * r + 0.5);
    }
}

TEST_CASE("a receive takes only messages with its tag", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    // Every worker sends tags 10, 20, 30; rank 0 asks for them in another order. The sends are
    // non-blocking, since synchronous blocking sends would wait for receives posted later.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<std::pair<int, int>> got;  // (tag, value) in the order received
        if (world.rank() == 0) {
            for (int r = 1; r < world.size(); ++r)
                for (const int tag : {30, 10, 20}) {
                    int value = -1;
                    const status st = world.recv(value, r, tag);
                    REQUIRE(st.tag == tag);
                    got.emplace_back(st.tag, value);
                }
        } else {
            std::vector<baton::request> sends;
            for (const int tag : {10, 20, 30}) sends.push_back(world.isend(world.rank() * 1000 + tag, 0, tag));
            baton::wait_all(sends);
        }
        return got;
    });

    std::vector<std::pair<int, int>> expected;
    for (int r = 1; r < opts.ranks; ++r)
        for (const int tag : {30, 10, 20}) expected.emplace_back(tag, r * 1000 + tag);
    CHECK(result.values[0] == expected);
}

TEST_CASE("any_source and any_tag match any message and the status says which", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<received<int>> by_tag;     // recv(any_source, 2)
        std::vector<received<int>> by_source;  // recv(r, any_tag)
        std::vector<received<int>> anything;   // recv(any_source, any_tag)
        BATON_TEST_RESULT_FIELDS(by_tag, by_source, anything)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        const int n = world.size();
        if (world.rank() == 0) {
            for (int i = 1; i < n; ++i) {
                received<int> m;
                m.st = world.recv(m.value, baton::any_source, 2);
                out.by_tag.push_back(m);
            }
            for (int r = 1; r < n; ++r) {
                received<int> m;
                m.st = world.recv(m.value, r, baton::any_tag);
                out.by_source.push_back(m);
            }
            for (int i = 1; i < n; ++i) {
                received<int> m;
                m.st = world.recv(m.value, baton::any_source, baton::any_tag);
                out.anything.push_back(m);
            }
        } else {
            // In this order, so that blocking synchronous sends meet rank 0's receives.
            world.send(-world.rank(), 0, 2);
            world.send(world.rank(), 0, 1);
            world.send(world.rank() * 7, 0, 100 + world.rank());
        }
        return out;
    });

    const auto& out = result.values[0];
    const int n = opts.ranks;
    std::set<int> sources;
    for (const auto& m : out.by_tag) {
        CHECK(m.st.tag == 2);
        CHECK(m.st.count<int>() == 1);
        CHECK(m.value == -m.st.source);
        sources.insert(m.st.source);
    }
    CHECK(sources.size() == static_cast<std::size_t>(n - 1));  // each worker exactly once
    for (int r = 1; r < n; ++r) {
        const auto& m = out.by_source[static_cast<std::size_t>(r - 1)];
        CHECK(m.st.source == r);
        CHECK(m.st.tag == 1);
        CHECK(m.value == r);
    }
    sources.clear();
    for (const auto& m : out.anything) {
        CHECK(m.st.source >= 1);
        CHECK(m.st.source < n);
        CHECK(m.st.tag == 100 + m.st.source);
        CHECK(m.value == 7 * m.st.source);
        sources.insert(m.st.source);
    }
    CHECK(sources.size() == static_cast<std::size_t>(n - 1));
}

TEST_CASE("messages from one sender with the same tag arrive in the order sent", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    constexpr int messages = 24;

    // Every rank sends to the next around a ring, tags cycling 0, 1, 2. The receiver takes the
    // tag-2 messages first, then the rest with any_tag: each group must come in send order.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size();
        const int next = (world.rank() + 1) % n, previous = (world.rank() + n - 1) % n;
        std::vector<baton::request> sends;
        for (int i = 0; i < messages; ++i) sends.push_back(world.isend(world.rank() * 1000 + i, next, i % 3));
        std::vector<int> got;
        for (int i = 0; i < messages / 3; ++i) got.push_back(world.recv<int>(previous, 2));
        for (int i = 0; i < messages - messages / 3; ++i) {
            int value = -1;
            const status st = world.recv(value, previous, baton::any_tag);
            REQUIRE(st.tag == (value % 1000) % 3);
            got.push_back(value);
        }
        baton::wait_all(sends);
        return got;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        const int previous = (r + opts.ranks - 1) % opts.ranks;
        std::vector<int> expected;
        for (int i = 2; i < messages; i += 3) expected.push_back(previous * 1000 + i);
        for (int i = 0; i < messages; ++i)
            if (i % 3 != 2) expected.push_back(previous * 1000 + i);
        CHECK(result.values[r] == expected);
    }
}

TEST_CASE("sendrecv shifts values around a ring without deadlock", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        int shifted = -1;
        status st;
        std::string text;  // a second shift, two steps back, with other types on each side
        status text_st;
        BATON_TEST_RESULT_FIELDS(shifted, st, text, text_st)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        out.st = world.sendrecv(me, (me + 1) % n, 5, out.shifted, (me + n - 1) % n, 5);
        const std::string mine = "from " + std::to_string(me);
        out.text_st = world.sendrecv(mine, (me + 2) % n, 6, out.text, (me + 2 * n - 2) % n, baton::any_tag);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[r];
        CHECK(out.shifted == (r + n - 1) % n);
        CHECK(out.st.source == (r + n - 1) % n);
        CHECK(out.st.tag == 5);
        CHECK(out.st.count<int>() == 1);
        const int from = (r + 2 * n - 2) % n;
        CHECK(out.text == "from " + std::to_string(from));
        CHECK(out.text_st.source == from);
        CHECK(out.text_st.tag == 6);
        CHECK(out.text_st.count<std::string>() == out.text.size());
    }
}

TEST_CASE("probe and iprobe describe a waiting message without taking it", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        bool early_iprobe_found = true;  // before anyone has sent
        std::vector<status> probed;
        std::vector<status> probed_again;
        std::vector<status> iprobed;
        std::vector<std::vector<int>> values;
        bool late_iprobe_found = true;  // after every message was received
        BATON_TEST_RESULT_FIELDS(early_iprobe_found, probed, probed_again, iprobed, values, late_iprobe_found)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        if (world.rank() == 0) {
            out.early_iprobe_found = world.iprobe().has_value();
            world.barrier();
            for (int i = 1; i < world.size(); ++i) {
                const status st = world.probe();  // any source, any tag
                out.probed.push_back(st);
                out.probed_again.push_back(world.probe(st.source, st.tag));
                std::optional<status> seen;
                while (!seen) seen = world.iprobe(st.source, baton::any_tag);  // it is there already
                out.iprobed.push_back(*seen);
                // Exactly as large as the probe said: a fixed buffer that must not be too small.
                std::vector<int> storage(st.count<int>());
                std::span<int> buffer(storage);
                const status got = world.recv(buffer, st.source, st.tag);
                REQUIRE(got.source == st.source);
                REQUIRE(got.bytes == st.bytes);
                out.values.push_back(storage);
            }
            out.late_iprobe_found = world.iprobe().has_value();
        } else {
            world.barrier();
            // Rank r sends r elements (rank 1 sends one, ...), tag 50 + r.
            std::vector<int> data(static_cast<std::size_t>(world.rank()));
            for (std::size_t i = 0; i < data.size(); ++i) data[i] = world.rank() * 100 + static_cast<int>(i);
            world.send(data, 0, 50 + world.rank());
        }
        return out;
    });

    const auto& out = result.values[0];
    CHECK_FALSE(out.early_iprobe_found);
    CHECK_FALSE(out.late_iprobe_found);
    REQUIRE(out.probed.size() == static_cast<std::size_t>(opts.ranks - 1));
    std::set<int> sources;
    for (std::size_t i = 0; i < out.probed.size(); ++i) {
        const status& st = out.probed[i];
        sources.insert(st.source);
        CHECK(st.tag == 50 + st.source);
        CHECK(st.count<int>() == static_cast<std::size_t>(st.source));
        CHECK(st.bytes == sizeof(int) * static_cast<std::size_t>(st.source));  // bytes, as on MPI
        CHECK(out.probed_again[i].source == st.source);
        CHECK(out.probed_again[i].tag == st.tag);
        CHECK(out.probed_again[i].bytes == st.bytes);
        CHECK(out.iprobed[i].source == st.source);
        CHECK(out.iprobed[i].tag == st.tag);
        std::vector<int> expected;
        for (int k = 0; k < st.source; ++k) expected.push_back(st.source * 100 + k);
        CHECK(out.values[i] == expected);
    }
    CHECK(sources.size() == static_cast<std::size_t>(opts.ranks - 1));
}

TEST_CASE("isend and irecv complete in wait, in either order of posting", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    const bool receive_first = GENERATE(true, false);
    OPS_DESCRIBE(opts);
    INFO("receive posted first: " << receive_first);

    struct outcome {
        std::vector<double> values;
        std::string text;
        status values_st, text_st;
        BATON_TEST_RESULT_FIELDS(values, text, values_st, text_st)
    };
    const auto result = baton::sim::run(opts, [receive_first](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        outcome out;
        out.values.assign(99, -1.0);  // to be resized to what arrives
        const std::vector<double> mine{me + 0.25, me + 0.5};
        std::vector<baton::request> receives, sends;
        auto post_receives = [&] {
            receives.push_back(world.irecv(out.values, previous, 1));
            receives.push_back(world.irecv(out.text, previous, 2));
        };
        if (receive_first) post_receives();
        sends.push_back(world.isend(mine, next, 1));  // an lvalue: alive until the wait below
        sends.push_back(world.isend(std::string(static_cast<std::size_t>(me + 1), 'x'), next, 2));  // moved in
        if (!receive_first) post_receives();
        REQUIRE(receives[0].pending());
        out.values_st = receives[0].wait();
        out.text_st = receives[1].wait();
        REQUIRE_FALSE(receives[0].pending());
        for (auto& send : sends) send.wait();
        REQUIRE_FALSE(sends[0].pending());
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int previous = (r + n - 1) % n;
        const auto& out = result.values[r];
        CHECK(out.values == std::vector<double>{previous + 0.25, previous + 0.5});
        CHECK(out.values_st.source == previous);
        CHECK(out.values_st.tag == 1);
        CHECK(out.values_st.count<double>() == 2);
        CHECK(out.text == std::string(static_cast<std::size_t>(previous + 1), 'x'));
        CHECK(out.text_st.source == previous);
        CHECK(out.text_st.tag == 2);
        CHECK(out.text_st.count<char>() == static_cast<std::size_t>(previous + 1));
    }
}

TEST_CASE("test polls a request until it completes", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        bool done_before_send = true;  // test() before the sender could have sent
        int value = -1;
        status st;
        bool inactive_after = false;
        bool retest_engaged = false;
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        baton::request receive = world.irecv(out.value, (me + n - 1) % n, 9);
        // Nobody sends before the barrier, so the receive cannot have completed yet.
        out.done_before_send = receive.test().has_value();
        world.barrier();
        baton::request send = world.isend(me * me, (me + 1) % n, 9);
        std::optional<status> st;
        while (!(st = receive.test())) {
            // Each test() lets other ranks run; the sender's message comes eventually.
        }
        out.st = *st;
        out.inactive_after = !receive.pending();
        out.retest_engaged = receive.test().has_value();  // an inactive request tests as done
        while (!send.test()) {
        }
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int previous = (r + n - 1) % n;
        const auto& out = result.values[r];
        CHECK_FALSE(out.done_before_send);
        CHECK(out.value == previous * previous);
        CHECK(out.st.source == previous);
        CHECK(out.st.tag == 9);
        CHECK(out.st.count<int>() == 1);
        CHECK(out.inactive_after);
        CHECK(out.retest_engaged);
    }
}

TEST_CASE("wait_all completes every request and returns their statuses in order", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> values;
        std::vector<status> statuses;
        bool all_inactive = false;
        BATON_TEST_RESULT_FIELDS(values, statuses, all_inactive)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        out.values.assign(static_cast<std::size_t>(n), -1);
        // Every rank exchanges with every rank (itself too), tag = the sender's rank.
        std::vector<baton::request> requests;
        for (int r = 0; r < n; ++r) requests.push_back(world.irecv(out.values[static_cast<std::size_t>(r)], r, r));
        for (int r = 0; r < n; ++r) requests.push_back(world.isend(me * 100 + r, r, me));
        const auto statuses = baton::wait_all(requests);
        out.statuses.assign(statuses.begin(), statuses.begin() + n);  // the receives' statuses
        out.all_inactive = std::none_of(requests.begin(), requests.end(),
                                        [](const baton::request& r) { return r.pending(); });
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[r];
        CHECK(out.all_inactive);
        for (int s = 0; s < n; ++s) {
            CHECK(out.values[static_cast<std::size_t>(s)] == s * 100 + r);
            CHECK(out.statuses[static_cast<std::size_t>(s)].source == s);
            CHECK(out.statuses[static_cast<std::size_t>(s)].tag == s);
        }
    }
}

TEST_CASE("wait_any returns each request once, then nothing", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<std::size_t> order;  // indices wait_any gave, in order
        std::vector<int> values;
        bool all_correct = true;
        bool nothing_left = false;
        bool empty_span_gives_nothing = false;
        BATON_TEST_RESULT_FIELDS(order, values, all_correct, nothing_left, empty_span_gives_nothing)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        out.empty_span_gives_nothing = !baton::wait_any(std::span<baton::request>{}).has_value();
        if (me == 0) {
            out.values.assign(static_cast<std::size_t>(n - 1), -1);
            std::vector<baton::request> receives;
            for (int r = 1; r < n; ++r)
                receives.push_back(world.irecv(out.values[static_cast<std::size_t>(r - 1)], r, 0));
            while (const auto done = baton::wait_any(receives)) {
                out.order.push_back(done->index);
                const int source = static_cast<int>(done->index) + 1;
                out.all_correct = out.all_correct && done->status.source == source && done->status.tag == 0 &&
                                  out.values[done->index] == -source && !receives[done->index].pending();
            }
            out.nothing_left = !baton::wait_any(receives).has_value();
        } else {
            world.send(-me, 0, 0);
        }
        return out;
    });

    const auto& out = result.values[0];
    CHECK(out.empty_span_gives_nothing);
    CHECK(out.all_correct);
    CHECK(out.nothing_left);
    std::vector<std::size_t> sorted = out.order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> every(static_cast<std::size_t>(opts.ranks - 1));
    for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
    CHECK(sorted == every);
}

// A vector takes the whole message whatever its capacity; with a bound (baton::at_most) a
// container takes up to that many elements and is cut to what came.
TEST_CASE("a receive fills a vector, a string, an array, a span or a scalar; a bounded one up to its bound",
          "[p2p][buffers]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> grown, shrunk;
        std::string text;
        std::array<int, 5> array{};
        status array_st;
        std::array<int, 3> exact{};
        int scalar = 0;
        status scalar_st;
        std::vector<int> into_vector_from_scalar;
        std::vector<int> longer_than_capacity, bounded_grown, bounded_shrunk, bounded_exact, returned, from_nobody;
        std::string bounded_text;
        std::size_t capacity_before = 0;
        status longer_st, grown_st, nobody_st;
        BATON_TEST_RESULT_FIELDS(grown, shrunk, text, array, array_st, exact, scalar, scalar_st, into_vector_from_scalar,
                                 longer_than_capacity, bounded_grown, bounded_shrunk, bounded_exact, returned,
                                 from_nobody, bounded_text, capacity_before, longer_st, grown_st, nobody_st)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        // All sends are non-blocking, so that no order of receives can deadlock on synchronous sends.
        std::vector<baton::request> sends;
        sends.push_back(world.isend(std::vector<int>{me, me + 1, me + 2, me + 3}, next, 1));
        sends.push_back(world.isend(std::vector<int>{me}, next, 2));
        sends.push_back(world.isend(std::string("rank ") + std::to_string(me), next, 3));
        sends.push_back(world.isend(std::vector<int>{me, -me}, next, 4));
        sends.push_back(world.isend(std::array<int, 3>{7, me, 9}, next, 5));
        sends.push_back(world.isend(me * 3, next, 6));
        sends.push_back(world.isend(me * 5, next, 7));
        std::vector<int> long_one(1000);
        for (std::size_t i = 0; i < long_one.size(); ++i) long_one[i] = me + static_cast<int>(i);
        sends.push_back(world.isend(long_one, next, 8));
        sends.push_back(world.isend(std::vector<int>{me, me, me}, next, 9));
        sends.push_back(world.isend(std::vector<int>{1, 2}, next, 10));
        sends.push_back(world.isend(std::vector<int>(8, me), next, 11));
        sends.push_back(world.isend(std::string("rank ") + std::to_string(me), next, 12));
        sends.push_back(world.isend(std::vector<int>{me * 7}, next, 13));

        outcome out;
        out.shrunk.assign(10, -1);
        world.recv(out.grown, previous, 1);   // empty, grows to 4
        world.recv(out.shrunk, previous, 2);  // 10 long, shrinks to 1
        world.recv(out.text, previous, 3);
        out.array.fill(-1);
        out.array_st = world.recv(out.array, previous, 4);  // room for 5, 2 arrive
        std::span<int> exact(out.exact);
        world.recv(exact, previous, 5);
        out.scalar_st = world.recv(out.scalar, previous, 6);
        world.recv(out.into_vector_from_scalar, previous, 7);  // one int is a message of one int
        out.longer_than_capacity = {-1};
        out.longer_than_capacity.reserve(2);
        out.capacity_before = out.longer_than_capacity.capacity();
        out.longer_st = world.recv(out.longer_than_capacity, previous, 8);               // no bound: all of it
        out.grown_st = world.recv(out.bounded_grown, previous, 9, baton::at_most(8));  // empty: 3 arrive
        out.bounded_shrunk.assign(20, -1);
        world.recv(out.bounded_shrunk, previous, 10, baton::at_most(4));  // 20 long: 2 arrive
        world.recv(out.bounded_exact, previous, 11, baton::at_most(8));   // as many as the bound
        world.recv(out.bounded_text, previous, 12, baton::at_most(16));
        out.returned = world.recv<std::vector<int>>(previous, 13, baton::at_most(1));
        out.from_nobody = {9, 9};
        out.nobody_st = world.recv(out.from_nobody, baton::proc_null, 14, baton::at_most(4));  // nothing comes
        baton::wait_all(sends);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int p = (r + n - 1) % n;
        const auto& out = result.values[r];
        CHECK(out.grown == std::vector<int>{p, p + 1, p + 2, p + 3});
        CHECK(out.shrunk == std::vector<int>{p});
        CHECK(out.text == "rank " + std::to_string(p));
        CHECK(out.array == std::array<int, 5>{p, -p, -1, -1, -1});  // the rest untouched
        CHECK(out.array_st.count<int>() == 2);
        CHECK(out.exact == std::array<int, 3>{7, p, 9});
        CHECK(out.scalar == 3 * p);
        CHECK(out.scalar_st.count<int>() == 1);
        CHECK(out.into_vector_from_scalar == std::vector<int>{5 * p});
        CHECK(out.capacity_before < 1000);
        REQUIRE(out.longer_than_capacity.size() == 1000);
        CHECK(out.longer_than_capacity.front() == p);
        CHECK(out.longer_than_capacity.back() == p + 999);
        CHECK(out.longer_st.count<int>() == 1000);
        CHECK(out.bounded_grown == std::vector<int>{p, p, p});
        CHECK(out.grown_st.count<int>() == 3);
        CHECK(out.grown_st.source == p);
        CHECK(out.bounded_shrunk == std::vector<int>{1, 2});
        CHECK(out.bounded_exact == std::vector<int>(8, p));
        CHECK(out.bounded_text == "rank " + std::to_string(p));
        CHECK(out.returned == std::vector<int>{p * 7});
        CHECK(out.from_nobody.empty());
        CHECK(out.nobody_st.source == baton::proc_null);
    }
}

TEST_CASE("a message larger than a fixed receive buffer or a bound is a truncation error naming the rank", "[p2p][buffers]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    const int receiver = opts.ranks - 1;
    const int sender = 0;
    // The receiver's truncation_error, naming it and its call.
    auto check_truncation = [&](const std::optional<baton::rank_failed>& failure, const std::string& call) {
        REQUIRE(failure);
        CHECK(failure->rank() == receiver);
        CHECK(failure->original_is<baton::truncation_error>());
        CHECK_THAT(ops::original_message(*failure), ops::mentions_rank(receiver) && ops::mentions_word(call));
    };

    SECTION("into a span") {
        const auto failure = ops::rank_failure(opts, [=](communicator& world) {
            baton::request send;  // waited for last, so that one rank can be both ends
            if (world.rank() == sender) send = world.isend(std::vector<int>{1, 2, 3, 4}, receiver, 0);
            if (world.rank() == receiver) {
                std::array<int, 3> storage{};
                std::span<int> buffer(storage);
                world.recv(buffer, sender, 0);
            }
            send.wait();
        });
        check_truncation(failure, "recv");
        CHECK_THAT(ops::original_message(*failure),
                   baton_test::contains("4 elements of int") && baton_test::contains("the 3"));
    }
    SECTION("into a scalar") {
        const auto failure = ops::rank_failure(opts, [=](communicator& world) {
            baton::request send;
            if (world.rank() == sender) send = world.isend(std::vector<double>{1.0, 2.0}, receiver, 0);
            if (world.rank() == receiver) world.recv<double>(sender, 0);
            send.wait();
        });
        check_truncation(failure, "recv");
    }
    SECTION("into an irecv's array") {
        const auto failure = ops::rank_failure(opts, [=](communicator& world) {
            baton::request send;
            if (world.rank() == sender) send = world.isend(std::string("too long"), receiver, 0);
            if (world.rank() == receiver) {
                std::array<char, 4> buffer{};
                world.irecv(buffer, sender, 0).wait();
            }
            send.wait();
        });
        check_truncation(failure, "irecv");
    }
    SECTION("into a vector with a bound") {
        const auto failure = ops::rank_failure(opts, [=](communicator& world) {
            baton::request send;
            if (world.rank() == sender) send = world.isend(std::vector<int>(9, 1), receiver, 0);
            if (world.rank() == receiver) {
                std::vector<int> values;
                values.reserve(100);  // the capacity is no bound: the program's bound is
                world.recv(values, sender, 0, baton::at_most(8));
            }
            send.wait();
        });
        check_truncation(failure, "recv");
        CHECK_THAT(ops::original_message(*failure),
                   baton_test::contains("9 elements of int") && baton_test::contains("the 8"));
    }
}

TEST_CASE("a receive for another element type is a type mismatch", "[p2p][buffers]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    const int receiver = opts.ranks - 1;

    SECTION("double sent, int received") {
        const auto failure = ops::rank_failure(opts, [=](communicator& world) {
            baton::request send;
            if (world.rank() == 0) send = world.isend(2.5, receiver, 0);
            if (world.rank() == receiver) world.recv<int>(0, 0);
            send.wait();
        });
        REQUIRE(failure);
        CHECK(failure->rank() == receiver);
        CHECK(failure->original_is<baton::type_mismatch_error>());
        CHECK_THAT(ops::original_message(*failure),
                   ops::mentions_rank(receiver) && ops::mentions_word("double") && ops::mentions_word("int"));
    }
    SECTION("ints sent, longs received, through irecv") {
        const auto failure = ops::rank_failure(opts, [=](communicator& world) {
            baton::request send;
            if (world.rank() == 0) send = world.isend(std::vector<int>{1, 2}, receiver, 3);
            if (world.rank() == receiver) {
                std::vector<long> values;
                world.irecv(values, 0, 3).wait();
            }
            send.wait();
        });
        REQUIRE(failure);
        CHECK(failure->rank() == receiver);
        CHECK(failure->original_is<baton::type_mismatch_error>());
    }
}

TEST_CASE("a message goes to the earliest posted receive that accepts it", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    // Rank 0 posts three receives that all accept rank `sender`'s tag-5 messages, then the sender
    // sends three: they must fill the receives in the order posted.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int sender = world.size() - 1;
        std::array<int, 3> got{-1, -1, -1};
        std::array<status, 3> statuses{};
        std::vector<baton::request> requests;
        if (world.rank() == 0) {
            requests.push_back(world.irecv(got[0], sender, baton::any_tag));
            requests.push_back(world.irecv(got[1], baton::any_source, 5));
            requests.push_back(world.irecv(got[2], baton::any_source, baton::any_tag));
        }
        world.barrier();  // all three are posted before anything is sent
        // Each isend reads its own element until it completes, so the values cannot share a variable.
        static constexpr std::array<int, 3> values{10, 20, 30};
        if (world.rank() == sender)
            for (const int& value : values) requests.push_back(world.isend(value, 0, 5));
        const auto all = baton::wait_all(requests);
        if (world.rank() == 0) std::copy_n(all.begin(), 3, statuses.begin());
        return std::pair{got, statuses};
    });

    const auto& [got, statuses] = result.values[0];
    CHECK(got == std::array<int, 3>{10, 20, 30});
    for (const status& st : statuses) {
        CHECK(st.source == opts.ranks - 1);
        CHECK(st.tag == 5);
    }
}

TEST_CASE("irecv with any_source takes one message from each sender", "[p2p]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> values;
        std::vector<status> statuses;
        BATON_TEST_RESULT_FIELDS(values, statuses)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size();
        outcome out;
        out.values.assign(static_cast<std::size_t>(n), -1);
        if (world.rank() == 0) {
            std::vector<baton::request> receives;
            for (int i = 1; i < n; ++i)
                receives.push_back(world.irecv(out.values[static_cast<std::size_t>(i)], baton::any_source, baton::any_tag));
            out.statuses = baton::wait_all(receives);
        } else {
            world.send(world.rank() * 3, 0, world.rank());
        }
        return out;
    });

    const auto& [values, statuses] = result.values[0];
    std::set<int> sources;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        CHECK(statuses[i].tag == statuses[i].source);
        CHECK(values[i + 1] == 3 * statuses[i].source);
        sources.insert(statuses[i].source);
    }
    CHECK(sources.size() == static_cast<std::size_t>(opts.ranks - 1));
    CHECK((sources.empty() || (*sources.begin() == 1 && *sources.rbegin() == opts.ranks - 1)));
}

// A string literal (an array of characters ending in NUL) travels as its text, as
// send(std::string(...)) does; a character array without a NUL travels whole, and one with a NUL
// inside up to it, as std::string_view reads it.
TEST_CASE("a character array travels as its text, without the NUL", "[p2p][text]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::string literal, from_buffer, unterminated, from_isend;
        std::wstring wide;
        status literal_st;
        BATON_TEST_RESULT_FIELDS(literal, from_buffer, unterminated, from_isend, wide, literal_st)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        char buffer[16] = "hi";                      // 2 characters, then 14 NULs
        const char unterminated[3] = {'a', 'b', 'c'};
        // Non-blocking sends: with --sends synchronous a blocking one would wait for a receive
        // that comes after it.
        baton::request sending[] = {world.isend("hello", next, 0), world.isend(buffer, next, 1),
                                    world.isend(unterminated, next, 2), world.isend(L"wide", next, 3),
                                    world.isend("async", next, 4)};
        outcome out;
        out.literal_st = world.recv(out.literal, previous, 0);
        world.recv(out.from_buffer, previous, 1);
        world.recv(out.unterminated, previous, 2);
        world.recv(out.wide, previous, 3);
        world.recv(out.from_isend, previous, 4);
        baton::wait_all(sending);
        return out;
    });
    for (int r = 0; r < opts.ranks; ++r) {
        const auto& out = result.values[r];
        CHECK(out.literal == "hello");
        CHECK(out.literal_st.count<char>() == 5);
        CHECK(out.from_buffer == "hi");
        CHECK(out.unterminated == "abc");
        CHECK(out.wide == L"wide");
        CHECK(out.from_isend == "async");
    }
}
