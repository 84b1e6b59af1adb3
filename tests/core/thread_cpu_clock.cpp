// Issue #16, measured compute: thread_cpu_ns (backends/sim/thread_cpu_clock.cpp) reads the same CPU
// time as clock_gettime(CLOCK_THREAD_CPUTIME_ID) while mostly avoiding the system call. Checked
// against that clock and by counting system calls, never by timing.
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <semaphore>
#include <thread>

#include <pthread.h>
#include <sched.h>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

#include "thread_cpu_clock.hpp"

using baton::communicator;
namespace detail = baton::sim::detail;

namespace {

std::int64_t read_ns(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// Burns the calling thread's CPU until its clock has advanced `ns`.
void burn_cpu(std::int64_t ns) {
    const std::int64_t start = read_ns(CLOCK_THREAD_CPUTIME_ID);
    volatile double sink = 0;
    while (read_ns(CLOCK_THREAD_CPUTIME_ID) - start < ns)
        for (int i = 0; i < 200; ++i) sink = sink + i;
}

void pin_to(int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    REQUIRE(::pthread_setaffinity_np(::pthread_self(), sizeof one, &one) == 0);
}

int first_allowed_cpu() {
    cpu_set_t allowed;
    REQUIRE(::sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &allowed)) return cpu;
    FAIL("no CPU allowed");
    return 0;
}

}  // namespace

TEST_CASE("thread_cpu_ns leaves out the time another thread has the CPU, in turns too short to re-read the clock") {
    if (!detail::thread_cpu_clock_is_cheap()) WARN("every reading is the system call on this machine: compared with itself");
    // This thread and a partner share one CPU and hand it to each other; the partner computes
    // 3 us at each turn. Turns shorter than an anchor's lifetime (50 us) are where only noticing
    // the switch keeps the partner's time out of this thread's readings: those are compared.
    const int cpu = first_allowed_cpu();
    cpu_set_t before;
    REQUIRE(::pthread_getaffinity_np(::pthread_self(), sizeof before, &before) == 0);
    pin_to(cpu);
    std::binary_semaphore partners_turn{0}, my_turn{0};
    constexpr int turns = 5000;
    std::thread partner([&] {
        pin_to(cpu);
        for (int i = 0; i < turns; ++i) {
            partners_turn.acquire();
            burn_cpu(3'000);
            my_turn.release();
        }
    });
    std::int64_t read_sum = 0, exact_sum = 0, wall_sum = 0;
    int short_turns = 0;
    for (int i = 0; i < turns; ++i) {
        const std::int64_t wall0 = read_ns(CLOCK_MONOTONIC);
        const std::int64_t read0 = detail::thread_cpu_ns(), exact0 = read_ns(CLOCK_THREAD_CPUTIME_ID);
        partners_turn.release();
        my_turn.acquire();
        const std::int64_t read1 = detail::thread_cpu_ns(), exact1 = read_ns(CLOCK_THREAD_CPUTIME_ID);
        const std::int64_t wall = read_ns(CLOCK_MONOTONIC) - wall0;
        if (wall >= 40'000) continue;  // long enough for a new anchor anyway
        ++short_turns;
        wall_sum += wall;
        read_sum += read1 - read0;
        exact_sum += exact1 - exact0;
    }
    partner.join();
    REQUIRE(::pthread_setaffinity_np(::pthread_self(), sizeof before, &before) == 0);
    INFO(short_turns << " turns under 40 us: read " << read_sum << " ns, exact " << exact_sum << " ns, wall " << wall_sum
                     << " ns");
    // The partner's turns: at least 3 us each, on the wall clock but not this thread's.
    REQUIRE(wall_sum - exact_sum >= std::int64_t{short_turns} * 3'000);
    CHECK(read_sum >= 0);
    // Each pair of readings is a few hundred ns from the exact pair (a system call between them).
    CHECK(std::abs(read_sum - exact_sum) <= (wall_sum - exact_sum) / 10);
    if (short_turns < 100) WARN("only " << short_turns << " short turns: the machine is too busy for this test to see much");
}

TEST_CASE("thread_cpu_ns follows the CPU clock over a long computation and a sleep") {
    const std::int64_t read0 = detail::thread_cpu_ns(), exact0 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    burn_cpu(20'000'000);
    const std::int64_t read1 = detail::thread_cpu_ns(), exact1 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    const timespec nap{0, 20'000'000};
    ::nanosleep(&nap, nullptr);
    const std::int64_t read2 = detail::thread_cpu_ns(), exact2 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    INFO("read " << read1 - read0 << " / " << read2 - read1 << " ns, exact " << exact1 - exact0 << " / "
                 << exact2 - exact1 << " ns");
    CHECK(std::abs((read1 - read0) - (exact1 - exact0)) < 1'000'000);
    CHECK(read2 - read1 < 1'000'000);  // asleep: no CPU (the system calls around it: some 10 us)
}

TEST_CASE("most readings are no system call: alone, and in a fiber ping-pong with measured compute") {
    if (!detail::thread_cpu_clock_is_cheap()) {
        WARN("every reading is the system call on this machine (no rseq area, or a kernel that keeps the mark)");
        return;
    }
    // A fresh anchor every 50 us of running and after each time the thread lost its CPU: bounded by
    // the wall time, however slow the build (sanitizers) or busy the machine.
    const std::uint64_t reads_before = detail::thread_cpu_clock_system_reads();
    const std::int64_t wall_before = read_ns(CLOCK_MONOTONIC);
    auto anchors_allowed = [&] { return static_cast<std::uint64_t>((read_ns(CLOCK_MONOTONIC) - wall_before) / 40'000 + 1000); };
    SECTION("100 000 readings in a row") {
        std::int64_t last = 0;
        for (int i = 0; i < 100'000; ++i) {
            const std::int64_t now = detail::thread_cpu_ns();
            CHECK(now >= last);
            last = now;
        }
        CHECK(detail::thread_cpu_clock_system_reads() - reads_before <= anchors_allowed());
    }
    SECTION("5000 round trips on fibers: 20 000 calls, two readings each") {
        baton::sim::options opts;
        opts.ranks = 2;
        opts.context = baton::sim::rank_context::fiber;
        opts.network = "shm";
        opts.computing = baton::sim::compute_time::measured;
        baton::sim::run(opts, [](communicator& world) {
            double value = 0;
            for (int i = 0; i < 5000; ++i) {
                if (world.rank() == 0) {
                    world.send(value, 1, 0);
                    world.recv(value, 1, 0);
                } else {
                    world.recv(value, 0, 0);
                    world.send(value + 1, 0, 0);
                }
            }
        });
        const std::uint64_t reads = detail::thread_cpu_clock_system_reads() - reads_before;
        INFO(reads << " system calls for 40 000 readings");
        CHECK(reads <= anchors_allowed());
        CHECK(reads < 20'000);
    }
}
