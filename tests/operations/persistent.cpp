// Persistent requests on the simulator: send_init, ssend_init and recv_init made once, started
// many times (MPI_Send_init, MPI_Ssend_init, MPI_Recv_init, MPI_Start, MPI_Startall).
#include <array>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton::status;
using baton_test::contains;

namespace {

constexpr int rounds = 4;

}  // namespace

TEST_CASE("persistent requests carry the value their buffer holds at each start", "[p2p][persistent]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        bool inactive_until_started = false, pending_once_started = false, inactive_once_completed = true;
        std::vector<int> scalars;            // what each round's scalar receive got
        std::vector<std::vector<int>> rows;  // and each round's vector receive
        std::vector<status> statuses;
        BATON_TEST_RESULT_FIELDS(inactive_until_started, pending_once_started, inactive_once_completed, scalars,
                                 rows, statuses)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        outcome out;
        int value = 0, got = -1;
        std::vector<int> row(3, 0), got_row(3, -1);
        // Rounds alternate between a plain and a synchronous persistent send of the same value.
        std::array<baton::request, 4> requests{world.recv_init(got, left, 5), world.recv_init(got_row, left, 6),
                                               world.send_init(value, right, 5), world.send_init(row, right, 6)};
        baton::request synchronous = world.ssend_init(value, right, 5);
        out.inactive_until_started = requests[0].persistent() && !requests[0].pending() && synchronous.persistent();
        for (int round = 0; round < rounds; ++round) {
            value = me * 100 + round;
            row = {me, round, me + round};
            requests[0].start();
            requests[1].start();
            if (round % 2 == 0) {
                requests[2].start();
            } else {
                synchronous.start();
                synchronous.wait();
            }
            requests[3].start();
            if (round == 0) out.pending_once_started = requests[0].pending() && requests[1].pending();
            const auto statuses = baton::wait_all(requests);
            out.statuses.push_back(statuses[0]);
            out.statuses.push_back(statuses[1]);
            out.scalars.push_back(got);
            out.rows.push_back(got_row);
            for (const auto& r : requests) out.inactive_once_completed = out.inactive_once_completed && !r.pending();
        }
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[static_cast<std::size_t>(r)];
        const int left = (r + n - 1) % n;
        CHECK(out.inactive_until_started);
        CHECK(out.pending_once_started);
        CHECK(out.inactive_once_completed);
        REQUIRE(out.scalars.size() == rounds);
        for (int round = 0; round < rounds; ++round) {
            const auto i = static_cast<std::size_t>(round);
            CHECK(out.scalars[i] == left * 100 + round);
            CHECK(out.rows[i] == std::vector<int>{left, round, left + round});
            CHECK(out.statuses[2 * i].source == left);
            CHECK(out.statuses[2 * i].tag == 5);
            CHECK(out.statuses[2 * i + 1].count<int>() == 3);
        }
    }
}

TEST_CASE("start_all starts every persistent request; wait_some and test_all complete them", "[p2p][persistent]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int right = (me + 1) % n, left = (me + n - 1) % n;
        int value = 0, got = -1;
        std::array<baton::request, 2> requests{world.recv_init(got, left, 1), world.send_init(value, right, 1)};
        std::vector<int> seen;
        for (int round = 0; round < rounds; ++round) {
            value = me + round;
            baton::start_all(requests);
            if (round % 2 == 0) {
                while (!baton::wait_some(requests).empty()) {
                }
            } else {
                while (!baton::test_all(requests)) {
                }
            }
            seen.push_back(got);
        }
        return seen;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int left = (r + n - 1) % n;
        CHECK(result.values[static_cast<std::size_t>(r)] == std::vector<int>{left, left + 1, left + 2, left + 3});
    }
}

TEST_CASE("starting a persistent request that is still pending is a usage_error naming the rank and lines",
          "[p2p][persistent][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::string message;
        int got = 0;
        if (world.rank() == 0) {
            baton::request receiving = world.recv_init(got, 1, 0);
            receiving.start();
            try {
                receiving.start();
            } catch (const baton::usage_error& e) {
                message = e.what();
            }
            world.barrier();
            receiving.wait();
        } else {
            world.barrier();
            if (world.rank() == 1) world.send(7, 0, 0);
        }
        return message;
    });
    const std::string& message = result.values[0];
    CHECK_THAT(message, contains("rank 0: start at tests/operations/persistent.cpp:"));
    CHECK_THAT(message, contains("its recv_init (made at tests/operations/persistent.cpp:"));
    CHECK_THAT(message, contains("is still pending since its start at tests/operations/persistent.cpp:"));
}

TEST_CASE("start of a request that is not persistent is a usage_error", "[p2p][persistent][errors]") {
    baton::request plain;
    CHECK_THROWS_AS(plain.start(), baton::usage_error);
    CHECK_FALSE(plain.persistent());
}

TEST_CASE("a persistent send whose vector was resized since send_init is refused at start", "[p2p][persistent][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {1, 2})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<int> row(2, world.rank());
        baton::request sending = world.send_init(row, world.rank(), 0);
        row.resize(100);
        try {
            sending.start();
        } catch (const baton::usage_error& e) {
            return std::string(e.what());
        }
        return std::string("started");
    });
    CHECK_THAT(result.values[0], contains("rank 0: start at tests/operations/persistent.cpp:"));
    CHECK_THAT(result.values[0], contains("the buffer of its send_init (made at tests/operations/persistent.cpp:"));
    CHECK_THAT(result.values[0], contains("moved or changed size"));
}

TEST_CASE("a persistent receive whose vector was resized or reallocated since recv_init is refused at start",
          "[p2p][persistent][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {1, 2})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<int> row(2, -1);
        baton::request receiving = world.recv_init(row, world.rank(), 0);
        std::vector<std::string> messages;
        row.resize(1);  // shrunk: a message of 2 would land beyond its end
        try {
            receiving.start();
        } catch (const baton::usage_error& e) {
            messages.emplace_back(e.what());
        }
        row.resize(2);
        row.shrink_to_fit();
        row.reserve(1000);  // the same size, another memory
        try {
            receiving.start();
        } catch (const baton::usage_error& e) {
            messages.emplace_back(e.what());
        }
        return messages;
    });
    const auto& messages = result.values[0];
    REQUIRE(messages.size() == 2);
    for (const auto& message : messages) {
        CHECK_THAT(message, contains("rank 0: start at tests/operations/persistent.cpp:"));
        CHECK_THAT(message, contains("the buffer of its recv_init (made at tests/operations/persistent.cpp:"));
        CHECK_THAT(message, contains("moved or changed size"));
    }
}

TEST_CASE("the checker looks at each activation: a pending one destroyed is a leak, a buffer changed while pending "
          "is reported",
          "[p2p][persistent][checks]") {
    SECTION("destroyed while pending") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            int got = 0;
            baton::request receiving = world.recv_init(got, 1 - world.rank(), 0);
            receiving.start();
        });
        REQUIRE(found.size() == 2);
        CHECK(found[0].kind == baton::finding_kind::request_leak);
        CHECK_THAT(found[0].calls[0].call, contains("(still pending)"));
    }
    SECTION("a send's buffer changed before the activation completed") {
        const auto found = ops::findings_of({.ranks = 2}, [](communicator& world) {
            int value = 1, got = 0;
            std::array<baton::request, 2> requests{world.recv_init(got, 1 - world.rank(), 0),
                                                   world.send_init(value, 1 - world.rank(), 0)};
            baton::start_all(requests);
            baton::wait_all(requests);  // the first activation is clean
            baton::start_all(requests);
            value = 2;
            baton::wait_all(requests);
        });
        REQUIRE(found.size() == 2);
        CHECK(found[0].kind == baton::finding_kind::send_buffer_modified);
        CHECK(found[1].kind == baton::finding_kind::send_buffer_modified);
    }
}
