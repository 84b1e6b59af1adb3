// (b) Ping-pong of one 8-byte value (a double) between ranks 0 and 1, --iters round trips
// (default 100000) after one untimed round trip. Rank 0 prints "BENCH per_op_us <microseconds per
// round trip>". Runs on whichever backend baton::run picks (--ranks 2 on the simulator).
// (k) --bytes N: a message of N bytes each way instead. Rank 0 also prints "BENCH wtime_per_op_us":
// the same by baton::wtime(), which with --network is the simulated clock (the model's prediction).
#include <cstdio>
#include <vector>

#include <baton/baton.hpp>

#include "baton_bench.hpp"

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const long iters = bench::arg_long(argc, argv, "--iters", 100000);
        if (world.size() != 2) throw std::runtime_error("baton_pingpong needs exactly 2 ranks (--ranks 2)");
        const long bytes = bench::arg_long(argc, argv, "--bytes", 0);
        double value = 0.0;
        std::vector<char> payload(static_cast<std::size_t>(bytes > 0 ? bytes : 0));
        auto round_trip = [&] {
            if (bytes > 0) {  // the payload, as it is (its size is what is measured)
                if (world.rank() == 0) {
                    world.send(payload, 1, 0);
                    world.recv(payload, 1, 0);
                } else {
                    world.recv(payload, 0, 0);
                    world.send(payload, 0, 0);
                }
                value += 1.0;
                return;
            }
            if (world.rank() == 0) {
                world.send(value, 1, 0);
                world.recv(value, 1, 0);
            } else {
                world.recv(value, 0, 0);
                value += 1.0;
                world.send(value, 0, 0);
            }
        };
        round_trip();  // untimed
        value = 0.0;
        const double start = bench::wall_seconds(), clock_start = baton::wtime();
        for (long i = 0; i < iters; ++i) round_trip();
        const double total = bench::wall_seconds() - start, clock_total = baton::wtime() - clock_start;
        if (world.rank() == 0) {
            if (value != static_cast<double>(iters)) throw std::runtime_error("baton_pingpong: wrong value");
            bench::report("per_op_us", total / static_cast<double>(iters) * 1e6);
            bench::report("total_s", total);
            bench::report("wtime_per_op_us", clock_total / static_cast<double>(iters) * 1e6);
        }
    });
}
