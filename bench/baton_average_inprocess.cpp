// (a), inside one process: the seed's average program (examples/average.cpp) run --runs times
// (default 1000) on 4 simulated ranks with baton::sim::run, as a test runs it. Prints
// "BENCH per_op_us <microseconds per sim::run>" after one untimed run.
//
// By default the ranks return their results, as a test would check them; with --print they also
// print what the example prints (run.py sends that to /dev/null).
#include <iostream>

#include <baton/baton.hpp>

#include "average_program.hpp"
#include "baton_bench.hpp"

int main(int argc, char** argv) {
    const long runs = bench::arg_long(argc, argv, "--runs", 1000);
    const int ranks = static_cast<int>(bench::arg_long(argc, argv, "--ranks", 4));
    const bool print = bench::arg_flag(argc, argv, "--print");
    const baton::sim::options opts{.ranks = ranks, .seed = 1};
    auto once = [&] {
        auto result = baton::sim::run(opts, [print](baton::communicator& world) { return bench::average(world, print); });
        const double expected = (1.0 + 5.0 * ranks) / 2.0;
        if (result.values.front() != expected) {
            std::cerr << "baton_average_inprocess: global average " << result.values.front() << ", expected "
                      << expected << '\n';
            std::exit(1);
        }
    };
    once();  // untimed
    const double start = bench::wall_seconds();
    for (long i = 0; i < runs; ++i) once();
    const double total = bench::wall_seconds() - start;
    std::cout << std::flush;
    bench::report("per_op_us", total / static_cast<double>(runs) * 1e6);
    bench::report("total_s", total);
    return 0;
}
