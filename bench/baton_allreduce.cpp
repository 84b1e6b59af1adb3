// (c) Allreduce of one double (sum) on every rank, --iters times (default 100) after one untimed
// allreduce. Rank 0 prints "BENCH per_op_us <microseconds per allreduce>": every rank times its
// own loop, from its return from the untimed allreduce to its return from the last, and per_op_us
// is the mean of those times over the ranks, divided by --iters. One rank's time alone is not an
// allreduce's: the simulator resumes a collective's ranks one at a time, in the schedule's order,
// so a rank's loop starts and ends where it happens to be resumed in the first and the last pass
// (at 100 000 fiber ranks, rank 0 timing 2 allreduces measured 62 ms each; the passes take 94).
// The mean over all ranks starts and ends mid-pass on average, whatever the order. --ranks N on
// the simulator. Also "BENCH wtime_per_op_us": the same by baton::wtime() (with --network, the
// simulated clock: the model's prediction). And "BENCH cpu_per_op_us": the process's CPU time per
// allreduce over rank 0's loop, which other work on a shared machine inflates much less than the
// wall time (fiber ranks all run on one thread); it has rank 0's bias above, less with more --iters.
#include <ctime>
#include <stdexcept>

#include <baton/baton.hpp>

#include "baton_bench.hpp"

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const long iters = bench::arg_long(argc, argv, "--iters", 100);
        const double mine = world.rank();
        double sum = world.allreduce(mine, baton::op::sum);  // untimed: every rank is running
        const double start = bench::wall_seconds(), clock_start = baton::wtime();
        // Rank 0 only: the process's CPU clock sums every thread's, a pass over all of them in the
        // kernel, which on thread ranks every rank reading it would make O(ranks^2) of the timed loop.
        const std::clock_t cpu_start = world.rank() == 0 ? std::clock() : 0;
        for (long i = 0; i < iters; ++i) sum = world.allreduce(mine, baton::op::sum);
        const double total = bench::wall_seconds() - start, clock_total = baton::wtime() - clock_start;
        const double cpu_total = world.rank() == 0 ? static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC : 0;
        const double mean_total = world.allreduce(total, baton::op::sum) / world.size();  // untimed
        if (world.rank() == 0) {
            const double n = world.size();
            if (sum != n * (n - 1) / 2) throw std::runtime_error("baton_allreduce: wrong sum");
            bench::report("per_op_us", mean_total / static_cast<double>(iters > 0 ? iters : 1) * 1e6);
            bench::report("total_s", mean_total);
            bench::report("cpu_per_op_us", cpu_total / static_cast<double>(iters > 0 ? iters : 1) * 1e6);
            bench::report("wtime_per_op_us", clock_total / static_cast<double>(iters > 0 ? iters : 1) * 1e6);
        }
    });
}
