// Simulated time's model (issue 16) on hand-computed cases: ranks per node, and the collective
// algorithm Open MPI would choose at each side of its switch points.
#include "catch2_compat.hpp"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <ctime>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

#include <baton/baton.hpp>
#include <baton/clock.hpp>

using baton::communicator;

namespace {

// Across nodes L = 1 us, o = g = 0.5 us, G = 1 ns a byte: step(m) = 2o + L + mG = 2 us + m ns, and
// k messages one rank sends in turn fan(k, m) = (k - 1)(0.5 us + m ns) + step(m). Inside a node
// the shm preset: o = g = 0.08 us; up to 4064 bytes L = 0.269 us and 3.536 GB/s, to 32 KiB
// L = 1.669 us and 5.067 GB/s, beyond L = 4.63 us and 9.455 GB/s (a transfer rounded down to the ps).
baton::sim::options timed(int ranks, int ranks_per_node = 0) {
    baton::sim::options opts{.ranks = ranks, .sends = baton::sim::send_mode::eager};
    opts.network = "latency=1us,bandwidth=1GB/s,overhead=0.5us,gap=0.5us";
    opts.computing = baton::sim::compute_time::zero;
    opts.ranks_per_node = ranks_per_node;
    return opts;
}

// Microseconds, to the picosecond (the clock's unit).
double us(double seconds) { return std::round(seconds * 1e12) / 1e6; }

// Every rank's clock after a bcast of `bytes` from `root`.
std::vector<double> bcast_times(const baton::sim::options& opts, std::size_t bytes, int root = 0) {
    return baton::sim::run(opts, [&](communicator& world) {
               std::vector<std::int8_t> data(bytes, world.rank() == root ? 1 : 0);
               world.bcast(data, root);
               return us(baton::wtime());
           }).values;
}

// The same after an allreduce of `count` elements of T.
template <class T>
std::vector<double> allreduce_times(int ranks, std::size_t count) {
    return baton::sim::run(timed(ranks), [&](communicator& world) {
               (void)world.allreduce(std::vector<T>(count, T{1}), baton::op::sum);
               return us(baton::wtime());
           }).values;
}

std::vector<double> all(int ranks, double t) { return std::vector<double>(static_cast<std::size_t>(ranks), t); }

// Equal to the picosecond: the expected sums are worked out in doubles.
bool same(const std::vector<double>& got, const std::vector<double>& expected) {
    if (got.size() != expected.size()) return false;
    for (std::size_t i = 0; i < got.size(); ++i)
        if (std::abs(got[i] - expected[i]) > 1e-7) {
            std::fprintf(stderr, "rank %zu: %.6f us, expected %.6f us\n", i, got[i], expected[i]);
            return false;
        }
    return true;
}

}  // namespace

TEST_CASE("ranks per node: a message inside a node takes the shm model, one between nodes the network", "[time]") {
    const auto times = baton::sim::run(timed(4, 2), [](communicator& world) {
                           const std::int64_t token = 7;
                           if (world.rank() == 0) {
                               world.send(token, 1, 0);
                               world.send(token, 2, 0);
                           }
                           if (world.rank() == 1 || world.rank() == 2) (void)world.recv<std::int64_t>(0, 0);
                           return us(baton::wtime());
                       }).values;
    // To rank 1 (node 0): gone at o = 0.08, arrived at 0.08 + 0.269 + 8 B / 3.536 GB/s (0.002262),
    // received o later. To rank 2 (node 1): injected at 0.08 (the shm gap has passed), gone at
    // 0.58, arrived at 0.58 + 1 + 0.008, received at + 0.5.
    CHECK(same(times, std::vector<double>{0.58, 0.431262, 2.088, 0}));
}

TEST_CASE("ranks per node: a binomial bcast's rounds inside a node take shm, those across the network", "[time]") {
    // 16384 bytes on 8 ranks: a binomial tree. step_shm(16384) = 0.16 + 1.669 + 3.233471 (16384 B
    // at 5.067 GB/s) = 5.062471 us, step(16384) = 18.384 us.
    SECTION("from rank 0, the rounds at distance 1 and 2 stay in nodes of 4, the one at 4 crosses") {
        CHECK(same(bcast_times(timed(8, 4), 16384, 0), all(8, 2 * 5.062471 + 18.384)));
    }
    SECTION("from rank 3 (ranks counted from the root) every round has a pair that crosses") {
        CHECK(same(bcast_times(timed(8, 4), 16384, 3), all(8, 3 * 18.384)));
    }
    SECTION("all eight in one node: shm only") { CHECK(same(bcast_times(timed(8, 8), 16384, 3), all(8, 3 * 5.062471))); }
    SECTION("one rank a node, as without ranks per node") {
        CHECK(same(bcast_times(timed(8, 1), 16384, 0), bcast_times(timed(8), 16384, 0)));
    }
}

TEST_CASE("bcast: Open MPI's choice on 4 to 7 ranks, at each switch point", "[time]") {
    // 2048 bytes and more (below 64 too): a binary tree, floor(log2 4) = 2 levels of fan(2, m).
    CHECK(same(bcast_times(timed(4), 2047, 0), all(4, 2 * ((0.5 + 2.047) + (2 + 2.047)))));
    // From 2048 a binomial tree: 2 rounds of step(m).
    CHECK(same(bcast_times(timed(4), 2048, 0), all(4, 2 * (2 + 2.048))));
    CHECK(same(bcast_times(timed(4), 8191, 0), all(4, 2 * (2 + 8.191))));
    // From 8192 linear: the root sends to the 3 others in turn.
    CHECK(same(bcast_times(timed(4), 8192, 0), all(4, 2 * (0.5 + 8.192) + (2 + 8.192))));
}

TEST_CASE("bcast: Open MPI's choice on 8 to 15 ranks, at each switch point", "[time]") {
    // Below 4096 bytes (from 64) a k-nomial tree of radix 4: the root sends to 3 in turn, then
    // one level more, at distance 4, to 1.
    CHECK(same(bcast_times(timed(8), 4095, 0), all(8, 2 * (0.5 + 4.095) + (2 + 4.095) + (2 + 4.095))));
    // From 4096 a binary tree: 3 levels of fan(2, m).
    CHECK(same(bcast_times(timed(8), 4096, 0), all(8, 3 * ((0.5 + 4.096) + (2 + 4.096)))));
    // From 16384 a binomial tree: 3 rounds.
    CHECK(same(bcast_times(timed(8), 16384, 0), all(8, 3 * (2 + 16.384))));
    // From 32768 linear: the root sends to 7 in turn.
    CHECK(same(bcast_times(timed(8), 32768, 0), all(8, 6 * (0.5 + 32.768) + (2 + 32.768))));
}

TEST_CASE("bcast: Open MPI's choice on 16 to 31 ranks: k-nomial, binomial, scatter-allgather", "[time]") {
    // 16 ranks, below 4096 bytes: radix 4, two levels where the root's node sends to 3 in turn.
    CHECK(same(bcast_times(timed(16), 4095, 0), all(16, 2 * (2 * (0.5 + 4.095) + (2 + 4.095)))));
    // From 4096 a binomial tree: 4 rounds.
    CHECK(same(bcast_times(timed(16), 4096, 0), all(16, 4 * (2 + 4.096))));
    // From 1 MiB scatter-allgather: blocks of 65536 doubling over 4 rounds, twice.
    const double doubling = (2 + 65.536) + (2 + 131.072) + (2 + 262.144) + (2 + 524.288);
    CHECK(same(bcast_times(timed(16), 1048576, 0), all(16, 2 * doubling)));
}

TEST_CASE("allreduce: Open MPI's choice on 4 and 8 ranks, at each switch point", "[time]") {
    // 4 to 7 ranks, below 16 bytes: a ring, 2 (n - 1) steps of ceil(m / n).
    CHECK(same(allreduce_times<std::int8_t>(4, 15), all(4, 6 * (2 + 0.004))));
    // From 16 bytes recursive doubling: log2 4 = 2 steps of m.
    CHECK(same(allreduce_times<std::int8_t>(4, 16), all(4, 2 * (2 + 0.016))));
    // A ring needs an element for every rank: with 2 Open MPI takes recursive doubling.
    CHECK(same(allreduce_times<std::int8_t>(4, 2), all(4, 2 * (2 + 0.002))));
    // 8 to 15 ranks: recursive doubling below 8192 bytes (3 steps) ...
    CHECK(same(allreduce_times<double>(8, 1023), all(8, 3 * (2 + 8.184))));
    // ... Rabenseifner from 8192: halving to 1024 bytes, and back.
    CHECK(same(allreduce_times<double>(8, 1024), all(8, 2 * ((2 + 4.096) + (2 + 2.048) + (2 + 1.024)))));
}

TEST_CASE("allreduce: recursive doubling on a number of ranks that is no power of two folds the rest in", "[time]") {
    // 6 ranks, 8 bytes: 2 steps over the 4, and the 2 beyond them in and out.
    CHECK(same(allreduce_times<double>(6, 1), all(6, 4 * (2 + 0.008))));
}

namespace {

std::int64_t read_ns(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

void pin_to(const cpu_set_t& cpus) { ::sched_setaffinity(0, sizeof cpus, &cpus); }

// Keeps one CPU busy until it is destroyed: a rank pinned to the same CPU gets it about half the time.
class cpu_hog {
public:
    explicit cpu_hog(const cpu_set_t& cpu)
        : thread_([this, cpu] {
              pin_to(cpu);
              running_ = true;
              while (!stop_) {
              }
          }) {
        while (!running_) std::this_thread::yield();
    }
    ~cpu_hog() {
        stop_ = true;
        thread_.join();
    }

private:
    std::atomic<bool> running_{false}, stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("measured compute: a rank is charged the CPU time it burns, not time without the CPU or asleep", "[time]") {
    // The CPU this process may use first, shared by the hog and rank 0 (in its thread, the fibers'
    // thread or its process) while it burns 30 ms of its own CPU time.
    cpu_set_t allowed, one;
    REQUIRE(::sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &allowed)) {
            CPU_SET(cpu, &one);
            break;
        }
    const cpu_hog hog(one);
    baton::sim::options opts;
    opts.ranks = 2;
    opts.network = "shm";
    opts.computing = baton::sim::compute_time::measured;
    const auto seconds = baton::sim::run(opts, [&](communicator& world) -> std::vector<double> {
                             if (world.rank() == 0) {
                                 cpu_set_t before;
                                 ::sched_getaffinity(0, sizeof before, &before);
                                 pin_to(one);
                                 const double clock0 = baton::wtime();
                                 const std::int64_t cpu0 = read_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = read_ns(CLOCK_MONOTONIC);
                                 volatile double sink = 0;
                                 while (read_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0 < 30'000'000)
                                     for (int i = 0; i < 200; ++i) sink = sink + i;
                                 const std::int64_t cpu1 = read_ns(CLOCK_THREAD_CPUTIME_ID), wall1 = read_ns(CLOCK_MONOTONIC);
                                 const double clock1 = baton::wtime();
                                 pin_to(before);
                                 return {clock1 - clock0, (cpu1 - cpu0) * 1e-9, (wall1 - wall0) * 1e-9};
                             }
                             // Rank 1 sleeps 30 ms, then calls baton 100 times with nothing in between.
                             const double clock0 = baton::wtime();
                             const timespec nap{0, 30'000'000};
                             ::nanosleep(&nap, nullptr);
                             const double clock1 = baton::wtime();
                             for (int i = 0; i < 100; ++i) (void)baton::wtime();
                             return {clock1 - clock0, baton::wtime() - clock1};
                         }).values;
    const double charged = seconds[0][0], burnt = seconds[0][1], wall = seconds[0][2];
    INFO("rank 0 burnt " << burnt << " s of CPU in " << wall << " s and was charged " << charged << " s");
    REQUIRE(wall - burnt > 5e-3);  // the hog had the CPU a good part of the time
    CHECK(charged >= burnt - 1e-4);
    CHECK(charged <= burnt + 2e-3);
    INFO("rank 1 was charged " << seconds[1][0] << " s for its sleep, " << seconds[1][1] << " s for 100 idle calls");
    CHECK(seconds[1][0] < 2e-3);
    CHECK(seconds[1][1] < 2e-3);
}

TEST_CASE("bcast: Open MPI 4.1.4's chain is one chain (its fixed rules give it no fan-out)", "[time]") {
    // 3 ranks, 128 KiB to 256 KiB: chain. One chain is (n - 1) steps of m, where four chains (the
    // fan-out Open MPI takes only when the algorithm is forced) would be fan(2, m).
    CHECK(same(bcast_times(timed(3), 131072, 0), all(3, 2 * (2 + 131.072))));
    // 4 to 7 ranks, 1 MiB and more: chain again, 4 steps on 5 ranks.
    CHECK(same(bcast_times(timed(5), 1048576, 0), all(5, 4 * (2 + 1048.576))));
}

TEST_CASE("allreduce: a nonoverlapping one reduces as Open MPI 4.1.4's reduce rules say", "[time]") {
    // 4096 ranks, 16 bytes: nonoverlapping, whose reduce is Open MPI's in-order binary tree there:
    // 12 levels of fan(2, 16) into rank 4095, then step(16) to rank 0 (a binomial tree would be
    // 12 steps); then the bcast, k-nomial at 4096 ranks: 6 levels of fan(3, 16).
    auto opts = timed(4096);
    opts.context = baton::sim::rank_context::fiber;
    opts.fiber_stack_bytes = 64 * 1024;
    const auto times = baton::sim::run(opts, [](communicator& world) {
                           (void)world.allreduce(std::vector<double>(2, 1.0), baton::op::sum);
                           return us(baton::wtime());
                       }).values;
    const double fan2 = (0.5 + 0.016) + (2 + 0.016), fan3 = 2 * (0.5 + 0.016) + (2 + 0.016);
    CHECK(same(times, all(4096, 12 * fan2 + (2 + 0.016) + 6 * fan3)));
    // From 32 bytes binomial again: 12 steps.
    const auto binomial = baton::sim::run(opts, [](communicator& world) {
                              (void)world.allreduce(std::vector<double>(4, 1.0), baton::op::sum);
                              return us(baton::wtime());
                          }).values;
    const double fan3_32 = 2 * (0.5 + 0.032) + (2 + 0.032);
    CHECK(same(binomial, all(4096, 12 * (2 + 0.032) + 6 * fan3_32)));
}

TEST_CASE("the shm preset takes L and the bandwidth of the message's size range", "[time]") {
    // One message of m bytes from rank 0 to rank 1 on --network shm: received at
    // o + L(m) + m / bandwidth(m) + o, each range's L and bandwidth (see the top of this file).
    auto one_way = [](std::size_t bytes, baton::sim::send_mode sends) {
        baton::sim::options opts{.ranks = 2, .sends = sends};
        opts.network = "shm";
        opts.computing = baton::sim::compute_time::zero;
        return baton::sim::run(opts, [&](communicator& world) {
                   std::vector<std::int8_t> data(bytes, 1);
                   if (world.rank() == 0) world.send(data, 1, 0);
                   else data = world.recv<std::vector<std::int8_t>>(0, 0);
                   return us(baton::wtime());
               }).values[1];
    };
    using baton::sim::send_mode;
    // 4064 bytes: the eager range, 1149.321 ns on the wire; 4065: the next, 802.249 ns.
    CHECK(std::abs(one_way(4064, send_mode::buffered) - (0.16 + 0.269 + 1.149321)) < 1e-7);
    CHECK(std::abs(one_way(4065, send_mode::buffered) - (0.16 + 1.669 + 0.802249)) < 1e-7);
    // 1 MiB: L = 4.63 us, 9.455 GB/s: 110.901745 us on the wire.
    CHECK(std::abs(one_way(1048576, send_mode::buffered) - (0.16 + 4.63 + 110.901745)) < 1e-7);
    // A synchronous send's request and clear-to-send are 0-byte messages: L(0) = 0.269 each,
    // then the data's L and transfer: 0.08 + 0.269 + 0.269 + 0.802249 + 1.669 + 0.08.
    CHECK(std::abs(one_way(4065, send_mode::synchronous) - (0.16 + 2 * 0.269 + 1.669 + 0.802249)) < 1e-7);
}
