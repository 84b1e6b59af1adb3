// Lower bounds for the simulator, without baton: what the machine itself costs for what baton's
// designs (a thread, a fiber or a process per rank) have to do. run.py shows them as "floor" rows
// next to baton's.
//
//   floor handoff --threads P --rounds R
//       P threads in a ring, each waiting on its own std::binary_semaphore and releasing the
//       next one's: the CPU handed from thread to thread as baton's engine does, P x R times.
//       Prints per_handoff_us, and create_ms / join_ms for starting and ending P std::threads
//       (default stacks) — what a run on P simulated ranks pays before any rank runs.
//   floor fibers --rounds R
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
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
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

int fibers(long rounds) {
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
        std::fprintf(stderr, "floor fibers: %ld answers to %ld round trips\n", answered, rounds + 1);
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

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "handoff")
        return handoff(bench::arg_long(argc, argv, "--threads", 2), bench::arg_long(argc, argv, "--rounds", 100000));
    if (mode == "fibers") return fibers(bench::arg_long(argc, argv, "--rounds", 1000000));
    if (mode == "memcpy")
        return copies(bench::arg_long(argc, argv, "--ranks", 16), bench::arg_long(argc, argv, "--bytes", 1L << 20),
                      bench::arg_long(argc, argv, "--iters", 100));
    if (mode == "socket") {
        return sockets(bench::arg_long(argc, argv, "--rounds", 20000), !bench::arg_flag(argc, argv, "--two-cores"));
    }
    std::fprintf(stderr, "usage: floor handoff --threads P --rounds R | floor fibers --rounds R | floor memcpy --ranks N --bytes B --iters I"
                         " | floor socket --rounds R [--two-cores]\n");
    return 2;
}
