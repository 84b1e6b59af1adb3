// Lower bounds for the simulator, without baton: what the machine itself costs for what baton's
// designs (a thread, a fiber or a process per rank) have to do. run.py shows them as "floor" rows
// next to baton's.
//
//   floor handoff --threads P --rounds R
//       P threads in a ring, each waiting on its own std::binary_semaphore and releasing the
//       next one's: the CPU handed from thread to thread as baton's engine does, P x R times.
//       Prints per_handoff_us, and create_ms / join_ms for starting and ending P std::threads
//       (default stacks) — what a run on P simulated ranks pays before any rank runs.
//   floor fiber-pair --rounds R
//       Two Boost.Context fibers (the program's own context and one more) resuming each other, R
//       round trips of two jumps: what a fiber ping-pong must switch at least, one jump per
//       hand-off, as baton's fiber ranks hand the CPU straight to one another. Prints
//       per_round_trip_us and per_jump_us.
//   floor memcpy --ranks N --bytes B --iters I
//       What a broadcast must copy: B bytes into N-1 separate buffers, I times, on one thread.
//       Prints total_ms.
//   floor socket --rounds R [--two-cores]
//       Two processes sending 32 bytes back and forth over a Unix socket pair, R round trips: what
//       one call of a process rank costs at least (its request to the engine and the answer), on
//       one core as baton binds them, or wherever the OS puts them (--two-cores). Prints per_round_trip_us.
//   floor fiber-ring --fibers N --passes K [--lines L]
//       N Boost.Context fibers on stacks laid out as baton lays out fiber ranks' (one reserved
//       range, 256 KiB each with a guard page below while the process may have that many
//       mappings, the fiber's first frame below a 576-byte room at the top), and a loop that
//       switches into each in rank order and back, K times: the CPU given once to every rank,
//       which is the least an allreduce on N fiber ranks costs in this design. With --lines L
//       (at most 40), each fiber, each time it runs, also reads and writes L cache lines of its
//       own stack just below its room: what a rank's own memory costs when it is resumed (a
//       blocked rank returns through its frames and calls down through them again; at 100 000
//       ranks and more none of it is still in the caches). The loop then reads ahead as baton's
//       engine does (fiber_contexts.cpp): before resuming a fiber it loads the fiber's L lines,
//       and it asks for the first of the following fiber's. Prints per_pass_us
//       (in rank order), cpu_per_pass_us (its CPU time, which
//       other work on a shared machine inflates less) and shuffled_per_pass_us (each pass in another random order, as baton's
//       random schedule picks ranks), and create_ms for making the fibers.
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include <boost/context/fiber.hpp>

#include "baton_bench.hpp"

namespace {

int handoff(long threads, long rounds) {
    struct slot {
        std::binary_semaphore turn{0};
    };
    std::vector<std::unique_ptr<slot>> slots;
    for (long i = 0; i < threads; ++i) slots.push_back(std::make_unique<slot>());
    std::binary_semaphore done{0};
    double started = 0;
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    const double create_start = bench::wall_seconds();
    for (long i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            auto& mine = slots[static_cast<std::size_t>(i)]->turn;
            auto& next = slots[static_cast<std::size_t>((i + 1) % threads)]->turn;
            for (long r = 0; r < rounds; ++r) {
                mine.acquire();
                if (i == 0 && r == 1) started = bench::wall_seconds();  // round 0 is untimed
                if (i == threads - 1 && r == rounds - 1) {
                    done.release();
                } else {
                    next.release();
                }
            }
        });
    }
    const double created = bench::wall_seconds();
    slots[0]->turn.release();
    done.acquire();
    const double finished = bench::wall_seconds();
    for (auto& t : pool) t.join();
    const double joined = bench::wall_seconds();
    bench::report("create_ms", (created - create_start) * 1e3);
    if (rounds > 1) bench::report("per_handoff_us", (finished - started) / static_cast<double>(threads * (rounds - 1)) * 1e6);
    bench::report("join_ms", (joined - finished) * 1e3);
    return 0;
}

int fiber_pair(long rounds) {
    namespace ctx = boost::context;
    long answered = 0;
    bool over = false;
    // The other side of the ping-pong: each time it gets the CPU it answers by giving it back.
    ctx::fiber pong{[&](ctx::fiber&& ping) {
        while (!over) {
            ++answered;
            ping = std::move(ping).resume();
        }
        return std::move(ping);
    }};
    pong = std::move(pong).resume();  // round 0 is untimed (it also starts the fiber)
    const double start = bench::wall_seconds();
    for (long r = 0; r < rounds; ++r) pong = std::move(pong).resume();
    const double total = bench::wall_seconds() - start;
    over = true;
    pong = std::move(pong).resume();  // lets it return, which ends it
    if (answered != rounds + 1 || pong) {
        std::fprintf(stderr, "floor fiber-pair: %ld answers to %ld round trips\n", answered, rounds + 1);
        return 1;
    }
    bench::report("per_round_trip_us", total / static_cast<double>(rounds) * 1e6);
    bench::report("per_jump_us", total / static_cast<double>(2 * rounds) * 1e6);
    return 0;
}

int copies(long ranks, long bytes, long iters) {
    std::vector<std::vector<unsigned char>> buffers(static_cast<std::size_t>(ranks),
                                                    std::vector<unsigned char>(static_cast<std::size_t>(bytes), 1));
    const double start = bench::wall_seconds();
    for (long i = 0; i < iters; ++i) {
        buffers[0][static_cast<std::size_t>(i % bytes)] ^= 1;
        for (long r = 1; r < ranks; ++r)
            std::memcpy(buffers[static_cast<std::size_t>(r)].data(), buffers[0].data(), static_cast<std::size_t>(bytes));
    }
    const double total = bench::wall_seconds() - start;
    // Every buffer must hold the root's data: checked, which also keeps the copies from being optimized away.
    for (const auto& b : buffers)
        if (b != buffers[0]) {
            std::fprintf(stderr, "floor memcpy: a copy differs\n");
            return 1;
        }
    bench::report("total_ms", total * 1e3);
    return 0;
}

int sockets(long rounds, bool one_core) {
    if (one_core) {
        cpu_set_t here;
        CPU_ZERO(&here);
        CPU_SET(sched_getcpu(), &here);
        sched_setaffinity(0, sizeof here, &here);  // the child inherits it
    }
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0) return 1;
    char frame[32] = {};
    auto exchange = [&frame](int end, bool first) {
        if (first && write(end, frame, sizeof frame) != sizeof frame) return false;
        if (read(end, frame, sizeof frame) != sizeof frame) return false;
        return first || write(end, frame, sizeof frame) == sizeof frame;
    };
    const pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        for (long r = 0; r <= rounds; ++r)
            if (!exchange(ends[1], false)) _exit(1);
        _exit(0);
    }
    close(ends[1]);
    (void)exchange(ends[0], true);  // round 0 is untimed
    const double start = bench::wall_seconds();
    for (long r = 0; r < rounds; ++r)
        if (!exchange(ends[0], true)) return 1;
    const double total = bench::wall_seconds() - start;
    int status = 0;
    waitpid(child, &status, 0);
    bench::report("per_round_trip_us", total / static_cast<double>(rounds) * 1e6);
    return status == 0 ? 0 : 1;
}

// A stack Boost.Context did not allocate and must not free (all live in one mapping).
struct given_stack {
    boost::context::stack_context stack;
    boost::context::stack_context allocate() { return stack; }
    void deallocate(boost::context::stack_context&) noexcept {}
};

struct pass_times {
    double in_order;  // seconds, wall
    double cpu;       // seconds of the process's CPU time, in order
    double shuffled;  // seconds, wall, each pass in another random order
};

// `passes` passes in `order` (rank order), then `passes` more, each in another random order.
template <class Pass>
pass_times time_passes(Pass& pass, std::vector<std::size_t>& order, long passes) {
    pass_times times{};
    const double start = bench::wall_seconds();
    const std::clock_t cpu_start = std::clock();
    for (long k = 0; k < passes; ++k) pass();
    times.in_order = bench::wall_seconds() - start;
    times.cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::mt19937_64 random(1);
    for (long k = 0; k < passes; ++k) {
        std::shuffle(order.begin(), order.end(), random);  // untimed
        const double t = bench::wall_seconds();
        pass();
        times.shuffled += bench::wall_seconds() - t;
    }
    return times;
}

int fiber_ring(long count, long passes) {
    namespace ctx = boost::context;
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), usable = 256 * 1024, room = 576;
    const auto n = static_cast<std::size_t>(count);
    std::size_t max_maps = 65530;
    std::ifstream("/proc/sys/vm/max_map_count") >> max_maps;
    const bool guarded = 2 * n + 4096 < max_maps;  // as baton's stack_region decides
    const std::size_t stride = usable + (guarded ? page : 0), bytes = page + stride * n;
    auto* base = static_cast<std::byte*>(
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (base == MAP_FAILED) {
        std::perror("floor fiber-ring: mmap");
        return 1;
    }
    for (std::size_t i = 0; i < (guarded ? n : 1); ++i) ::mprotect(base + i * stride, page, PROT_NONE);
    std::vector<ctx::fiber> ranks(n);
    ctx::fiber loop;  // the switching loop, while a fiber runs
    long switches = 0;
    const double create_start = bench::wall_seconds();
    for (std::size_t i = 0; i < n; ++i) {
        ctx::stack_context stack;
        stack.size = usable - room;
        stack.sp = base + page + i * stride + usable - room;  // below the room, as a rank's stack
        ranks[i] = ctx::fiber(std::allocator_arg, given_stack{stack}, [&](ctx::fiber&& back) {
            loop = std::move(back);
            for (;;) {
                ++switches;
                loop = std::move(loop).resume();
            }
            return std::move(loop);  // never: the fibers are dropped suspended
        });
    }
    const double created = bench::wall_seconds();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto pass = [&] {
        for (const std::size_t i : order) ranks[i] = std::move(ranks[i]).resume();
    };
    pass();  // untimed: each fiber's first run, and its stack's first touches
    const auto [in_order, cpu, shuffled] = time_passes(pass, order, passes);
    if (switches != count * (2 * passes + 1)) {
        std::fprintf(stderr, "floor fiber-ring: %ld switches, expected %ld\n", switches, count * (2 * passes + 1));
        return 1;
    }
    bench::report("create_ms", (created - create_start) * 1e3);
    bench::report("per_pass_us", in_order / static_cast<double>(passes) * 1e6);
    bench::report("cpu_per_pass_us", cpu / static_cast<double>(passes) * 1e6);
    bench::report("shuffled_per_pass_us", shuffled / static_cast<double>(passes) * 1e6);
    // The suspended fibers' stacks go with the mapping: Boost's unwinding of them is not needed.
    for (auto& f : ranks) (void)new ctx::fiber(std::move(f));  // leaked on purpose, with the process
    ::munmap(base, bytes);
    return 0;
}

// The most lines --lines may ask for: with the room and the fiber's first frames they stay in the
// top 4 KiB page of the fiber's stack, as a blocked baton rank's frames do.
constexpr long most_own_lines = 40;

// fiber-ring --lines L: as fiber_ring, each fiber touching L lines of its own stack each time it
// runs, and the loop reading ahead as baton's engine does. A function of its own: the plain ring
// is kept as it was measured before, since its times moved 4x with the layout of its frame.
int fiber_ring_own_lines(long count, long passes, long lines) {
    if (lines < 1 || lines > most_own_lines) {
        std::fprintf(stderr, "floor fiber-ring: --lines %ld: from 1 to %ld\n", lines, most_own_lines);
        return 2;
    }
    namespace ctx = boost::context;
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), usable = 256 * 1024, room = 576;
    const auto n = static_cast<std::size_t>(count);
    const std::size_t stride = usable + page, bytes = page + stride * n;  // no guard pages: only the lines matter
    auto* base = static_cast<std::byte*>(
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (base == MAP_FAILED) {
        std::perror("floor fiber-ring: mmap");
        return 1;
    }
    struct fiber_state {
        ctx::fiber fiber;
        const volatile unsigned char* lines = nullptr;  // where its L lines start, once it has run
    };
    std::vector<fiber_state> fibers(n);
    ctx::fiber loop;
    for (std::size_t i = 0; i < n; ++i) {
        ctx::stack_context stack;
        stack.size = usable - room;
        stack.sp = base + page + i * stride + usable - room;
        fibers[i].fiber = ctx::fiber(std::allocator_arg, given_stack{stack}, [&, i](ctx::fiber&& back) {
            loop = std::move(back);
            // Its own lines: the last L lines of an array in its frame, nearest the top of its stack.
            alignas(64) volatile unsigned char frame[most_own_lines * 64] = {};
            fibers[i].lines = frame + (most_own_lines - lines) * 64;
            for (;;) {
                for (long l = most_own_lines - lines; l < most_own_lines; ++l)
                    frame[l * 64] = static_cast<unsigned char>(frame[l * 64] + 1);
                loop = std::move(loop).resume();
            }
            return std::move(loop);  // never: the fibers are dropped suspended
        });
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Before resuming a fiber, its lines are loaded and the next fiber's first line asked for
    // (fiber_contexts.cpp's warm() and read_soon()).
    auto pass = [&] {
        for (std::size_t k = 0; k < n; ++k) {
            fiber_state& f = fibers[order[k]];
            if (k + 1 < n && fibers[order[k + 1]].lines)
                __builtin_prefetch(const_cast<const unsigned char*>(fibers[order[k + 1]].lines));
            if (f.lines)
                for (long l = 0; l < lines; ++l) (void)f.lines[l * 64];
            f.fiber = std::move(f.fiber).resume();
        }
    };
    pass();  // untimed: each fiber's first run
    const auto [in_order, cpu, shuffled] = time_passes(pass, order, passes);
    bench::report("per_pass_us", in_order / static_cast<double>(passes) * 1e6);
    bench::report("cpu_per_pass_us", cpu / static_cast<double>(passes) * 1e6);
    bench::report("shuffled_per_pass_us", shuffled / static_cast<double>(passes) * 1e6);
    for (auto& f : fibers) (void)new ctx::fiber(std::move(f.fiber));  // leaked on purpose, as above
    ::munmap(base, bytes);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "handoff")
        return handoff(bench::arg_long(argc, argv, "--threads", 2), bench::arg_long(argc, argv, "--rounds", 100000));
    if (mode == "fiber-pair") return fiber_pair(bench::arg_long(argc, argv, "--rounds", 1000000));
    if (mode == "memcpy")
        return copies(bench::arg_long(argc, argv, "--ranks", 16), bench::arg_long(argc, argv, "--bytes", 1L << 20),
                      bench::arg_long(argc, argv, "--iters", 100));
    if (mode == "socket") {
        return sockets(bench::arg_long(argc, argv, "--rounds", 20000), !bench::arg_flag(argc, argv, "--two-cores"));
    }
    if (mode == "fiber-ring" && bench::arg_long(argc, argv, "--lines", 0) != 0)
        return fiber_ring_own_lines(bench::arg_long(argc, argv, "--fibers", 100000),
                                    bench::arg_long(argc, argv, "--passes", 5), bench::arg_long(argc, argv, "--lines", 0));
    if (mode == "fiber-ring")
        return fiber_ring(bench::arg_long(argc, argv, "--fibers", 100000), bench::arg_long(argc, argv, "--passes", 5));
    std::fprintf(stderr, "usage: floor handoff --threads P --rounds R | floor fiber-pair --rounds R"
                         " | floor fiber-ring --fibers N --passes K [--lines L] | floor memcpy --ranks N --bytes B --iters I"
                         " | floor socket --rounds R [--two-cores]\n");
    return 2;
}
