// Lower bounds for the simulator, without baton: what the machine itself costs for what baton's
// thread-per-rank design has to do. run.py shows them as "floor" rows next to baton's.
//
//   floor handoff --threads P --rounds R
//       P threads in a ring, each waiting on its own std::binary_semaphore and releasing the
//       next one's: the CPU handed from thread to thread as baton's engine does, P x R times.
//       Prints per_handoff_us, and create_ms / join_ms for starting and ending P std::threads
//       (default stacks) — what a run on P simulated ranks pays before any rank runs.
//   floor memcpy --ranks N --bytes B --iters I
//       What a broadcast must copy: B bytes into N-1 separate buffers, I times, on one thread.
//       Prints total_ms.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

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

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "handoff")
        return handoff(bench::arg_long(argc, argv, "--threads", 2), bench::arg_long(argc, argv, "--rounds", 100000));
    if (mode == "memcpy")
        return copies(bench::arg_long(argc, argv, "--ranks", 16), bench::arg_long(argc, argv, "--bytes", 1L << 20),
                      bench::arg_long(argc, argv, "--iters", 100));
    std::fprintf(stderr, "usage: floor handoff --threads P --rounds R | floor memcpy --ranks N --bytes B --iters I\n");
    return 2;
}
