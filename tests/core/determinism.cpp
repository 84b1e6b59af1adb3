// Same options, same run: the same interleaving, the same matches, the same event log.
#include "catch2_compat.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <baton/baton.hpp>

using baton::communicator;

namespace {

// Every rank but 0 sends three messages to rank 0, which receives them with wildcards: the
// order rank 0 sees depends only on the schedule.
std::vector<int> arrival_order(communicator& world) {
    std::vector<int> order;
    if (world.rank() == 0) {
        for (int i = 0; i < 3 * (world.size() - 1); ++i) order.push_back(world.recv<int>(baton::any_source, baton::any_tag));
    } else {
        for (int i = 0; i < 3; ++i) world.send(world.rank() * 10 + i, 0, i);
    }
    world.barrier();
    return order;
}

baton::sim::result<std::vector<int>> run_order(std::uint64_t seed, baton::sim::schedule policy) {
    return baton::sim::run({.ranks = 5, .seed = seed, .schedule = policy, .record = true}, arrival_order);
}

}  // namespace

TEST_CASE("the same seed gives an identical event log", "[determinism]") {
    const auto policy = GENERATE(baton::sim::schedule::random, baton::sim::schedule::round_robin);
    for (std::uint64_t seed : {1u, 2u, 77u}) {
        const auto first = run_order(seed, policy);
        const auto second = run_order(seed, policy);
        REQUIRE_FALSE(first.events.empty());
        CHECK(first.events == second.events);
        CHECK(first.values == second.values);
    }
}

TEST_CASE("different seeds give different wildcard matches", "[determinism]") {
    std::set<std::vector<int>> orders;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) orders.insert(run_order(seed, baton::sim::schedule::random).values[0]);
    CHECK(orders.size() > 10);
    for (const auto& order : orders) {
        // Messages from one sender are never overtaken by each other.
        for (int sender = 1; sender < 5; ++sender) {
            std::vector<int> from_sender;
            for (int v : order)
                if (v / 10 == sender) from_sender.push_back(v);
            CHECK(from_sender == std::vector<int>{sender * 10, sender * 10 + 1, sender * 10 + 2});
        }
    }
}

TEST_CASE("event logs record operations, peers and lines", "[determinism]") {
    const auto result = baton::sim::run({.ranks = 2, .record = true}, [](communicator& world) {
        if (world.rank() == 0) world.send(std::vector<double>(4), 1, 9);
        else world.recv<std::vector<double>>(0, 9);
    });
    bool saw_send = false, saw_recv = false;
    for (const auto& e : result.events) {
        if (e.operation == "send") {
            saw_send = true;
            CHECK(e.rank == 0);
            CHECK(e.peer == 1);
            CHECK(e.tag == 9);
            CHECK(e.bytes == 4 * sizeof(double));
            CHECK_THAT(e.location, baton_test::contains("determinism.cpp:"));
        }
        if (e.operation == "recv") {
            saw_recv = true;
            CHECK(e.rank == 1);
            CHECK(e.peer == 0);
        }
    }
    CHECK(saw_send);
    CHECK(saw_recv);
}

TEST_CASE("round-robin runs ranks in rank order", "[determinism]") {
    const auto result = baton::sim::run({.ranks = 4, .schedule = baton::sim::schedule::round_robin, .record = true},
                                        [](communicator& world) { world.barrier(); });
    std::vector<int> arrivals;
    for (const auto& e : result.events) arrivals.push_back(e.rank);
    CHECK(arrivals == std::vector<int>{0, 1, 2, 3});
}

// ---- Simulated time (issue 16): the network model's arithmetic, worked out by hand ----------

namespace {

// L = 1 us, o = g = 0.5 us, G = 1 ns a byte: a message of 8 bytes is 2 o + L + 8 ns = 2.008 us from
// its send to its receive's end.
baton::sim::options timed(int ranks) {
    baton::sim::options opts{.ranks = ranks, .sends = baton::sim::send_mode::eager};
    opts.network = "latency=1us,bandwidth=1GB/s,overhead=0.5us,gap=0.5us";
    opts.computing = baton::sim::compute_time::zero;
    return opts;
}

// Microseconds, to the picosecond (the clock's unit).
double us(double seconds) { return std::round(seconds * 1e12) / 1e6; }

}  // namespace

TEST_CASE("simulated time: a chain of eager sends over three ranks", "[time]") {
    const auto times = baton::sim::run(timed(3), [](communicator& world) {
        const std::int64_t token = 7;
        if (world.rank() == 0) world.send(token, 1, 0);
        if (world.rank() == 1) world.send(world.recv<std::int64_t>(0, 0), 2, 0);
        if (world.rank() == 2) (void)world.recv<std::int64_t>(1, 0);
        return us(baton::wtime());
    });
    // Rank 0 leaves its send at o; the message arrives at o + L + 8 G = 1.508 and rank 1's receive
    // ends o later, 2.008; its send leaves at 2.508 and rank 2's receive ends at 2.508 + 1.508.
    CHECK(times.values == std::vector<double>{0.5, 2.508, 4.016});
}

TEST_CASE("simulated time: a rendezvous send waits for its late receiver, an eager one does not", "[time]") {
    const bool rendezvous = GENERATE(false, true);
    auto opts = timed(3);
    opts.eager_limit = rendezvous ? 64 : 65536;
    const auto times = baton::sim::run(opts, [](communicator& world) {
        if (world.rank() == 0) world.send(std::vector<char>(1000), 1, 0);
        if (world.rank() == 2) world.send(std::int64_t{1}, 1, 0);
        if (world.rank() == 1) {
            (void)world.recv<std::int64_t>(2, 0);  // ends at 2.008: its receive from rank 0 is posted then
            (void)world.recv<std::vector<char>>(0, 0);
        }
        return us(baton::wtime());
    });
    if (rendezvous) {
        // Both sides are there at max(2.008, 0.5 + L) = 2.008; clear to send comes back at + L, the
        // 1000 bytes take 1 us more: rank 0 is done at 4.008, rank 1 at 2.008 + 2 L + 1 + o.
        CHECK(times.values == std::vector<double>{4.008, 5.508, 0.5});
    } else {
        // Gone at 0.5, arrived at 0.5 + L + 1 = 2.5, received at 2.5 + o.
        CHECK(times.values == std::vector<double>{0.5, 3.0, 0.5});
    }
}

TEST_CASE("simulated time: a binomial bcast over 8 ranks takes 3 steps", "[time]") {
    const auto times = baton::sim::run(timed(8), [](communicator& world) {
        std::vector<std::int8_t> value(16384, world.rank() == 3 ? 42 : 0);
        world.bcast(value, 3);
        return us(baton::wtime());
    });
    // Open MPI bcasts 16384 to 32767 bytes over 8 to 15 ranks by binomial tree (collective_algorithms.cpp):
    // ceil(log2 8) = 3 rounds of 2 o + L + 16384 G.
    CHECK(times.values == std::vector<double>(8, 55.152));
}

namespace {

// Every rank's clock after each step of a program with every kind of call: point-to-point in a
// ring, non-blocking, and collectives.
std::vector<double> clock_readings(communicator& world) {
    std::vector<double> readings{baton::wtime()};
    const int next = (world.rank() + 1) % world.size(), previous = (world.rank() + world.size() - 1) % world.size();
    for (int round = 0; round < 3; ++round) {
        std::vector<double> arrived;
        auto incoming = world.irecv(arrived, previous, round);
        world.send(std::vector<double>(static_cast<std::size_t>(100 * (world.rank() + 1))), next, round);
        (void)incoming.wait();
        readings.push_back(baton::wtime());
    }
    (void)world.allreduce(world.rank(), baton::op::sum);
    readings.push_back(baton::wtime());
    (void)world.alltoall(std::vector<int>(static_cast<std::size_t>(world.size()), world.rank()));
    readings.push_back(baton::wtime());
    (void)world.gather(world.rank(), 0);
    readings.push_back(baton::wtime());
    auto synchronous = world.issend(world.rank(), next, 9);
    (void)world.recv<int>(previous, 9);
    (void)synchronous.wait();
    readings.push_back(baton::wtime());
    return readings;
}

}  // namespace

TEST_CASE("simulated time: wtime never goes back, and is the same for every seed and context", "[time]") {
    using baton::sim::rank_context;
    std::optional<std::vector<std::vector<double>>> first;
    for (const auto context : {rank_context::thread, rank_context::fiber, rank_context::process})
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            auto opts = timed(4);
            opts.seed = seed;
            opts.context = context;
            // A standard send of 400 bytes or more is a rendezvous: the ring's ssends and sends wait.
            opts.eager_limit = 256;
            const auto readings = baton::sim::run(opts, clock_readings).values;
            for (const auto& rank : readings) CHECK(std::is_sorted(rank.begin(), rank.end()));
            if (!first) first = readings;
            CHECK(readings == *first);
        }
    CHECK(first->front().back() > 0);
}

TEST_CASE("simulated time: measured computing advances the clock", "[time]") {
    auto opts = timed(2);
    opts.computing = baton::sim::compute_time::measured;
    const auto times = baton::sim::run(opts, [](communicator& world) {
        const double start = baton::wtime();
        volatile double sum = 0;  // some milliseconds of CPU time
        for (int i = 0; i < 3'000'000; ++i) sum = sum + i * 0.5;
        world.barrier();
        return baton::wtime() - start;
    });
    for (double t : times.values) CHECK(t > 1e-4);
}
