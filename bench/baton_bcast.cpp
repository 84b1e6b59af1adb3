// (d) Broadcast of 1 MiB (--bytes) from rank 0, --iters times (default 100) after one untimed
// broadcast, then a barrier. Rank 0 prints "BENCH total_ms <milliseconds for all iterations>".
// --ranks 16 on the simulator. Also "BENCH wtime_per_op_us": per bcast by baton::wtime() (with
// --network, the simulated clock: the model's prediction), the closing barrier left out.
#include <cstddef>
#include <stdexcept>
#include <vector>

#include <baton/baton.hpp>

#include "baton_bench.hpp"

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const long iters = bench::arg_long(argc, argv, "--iters", 100);
        const auto bytes = static_cast<std::size_t>(bench::arg_long(argc, argv, "--bytes", 1L << 20));
        std::vector<unsigned char> data(bytes);
        for (std::size_t i = 0; i < bytes; ++i) data[i] = world.rank() == 0 ? static_cast<unsigned char>(i * 7 + 1) : 0;
        world.bcast(data, 0);  // untimed
        world.barrier();
        const double start = bench::wall_seconds(), clock_start = baton::wtime();
        for (long i = 0; i < iters; ++i) {
            if (world.rank() == 0) data[static_cast<std::size_t>(i) % bytes] ^= 1;  // new data every time
            world.bcast(data, 0);
        }
        const double clock_total = world.allreduce(baton::wtime() - clock_start, baton::op::max);
        world.barrier();  // every rank has its copy
        const double total = bench::wall_seconds() - start;
        long wrong = 0;
        for (std::size_t i = 0; i < bytes; ++i) {
            auto expected = static_cast<unsigned char>(i * 7 + 1);
            const auto n = static_cast<std::size_t>(iters);
            if (i < n && (n - i + bytes - 1) / bytes % 2 == 1) expected ^= 1;
            if (data[i] != expected) ++wrong;
        }
        const long wrong_total = world.reduce(wrong, baton::op::sum, 0);
        if (world.rank() == 0) {
            if (wrong_total != 0) throw std::runtime_error("baton_bcast: wrong bytes received");
            bench::report("total_ms", total * 1e3);
            bench::report("per_op_us", total / static_cast<double>(iters > 0 ? iters : 1) * 1e6);
            bench::report("wtime_per_op_us", clock_total / static_cast<double>(iters > 0 ? iters : 1) * 1e6);
        }
    });
}
