// (f) Exploration throughput: executions (schedules) per second of baton::sim::explore.
//
//   baton_explore --program average [--explorations N]
//       explores the seed's average program on 4 ranks N times (default 2000); it has no
//       wildcard, so each exploration is one complete execution;
//   baton_explore --program race [--senders K]
//       K ranks send to rank 0, which takes them with K wildcard receives: K! executions
//       (default K = 6: 720), each of them run.
// Prints "BENCH executions_per_s <n>" and "BENCH per_op_us <microseconds per execution>". The
// ranks run on threads, or on fibers with BATON_CONTEXT=fiber.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <baton/baton.hpp>

#include "average_program.hpp"
#include "baton_bench.hpp"

namespace {

// Every rank but 0 sends its rank; rank 0 receives them in whatever order they match.
int race(baton::communicator& world) {
    if (world.rank() != 0) {
        world.send(world.rank(), 0, 0);
        return 0;
    }
    int sum = 0;
    for (int i = 1; i < world.size(); ++i) sum += world.recv<int>(baton::any_source, 0);
    return sum;
}

}  // namespace

int main(int argc, char** argv) {
    std::string program = "average";
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--program") == 0) program = argv[i + 1];
    std::size_t executions = 0;
    const double start = bench::wall_seconds();
    if (program == "average") {
        const long explorations = bench::arg_long(argc, argv, "--explorations", 2000);
        for (long i = 0; i < explorations; ++i) {
            const auto found = baton::sim::explore_results(
                {.ranks = 4}, [](baton::communicator& world) { return bench::average(world, false); });
            if (found.failure || !found.complete) {
                std::cerr << "baton_explore: " << found.summary() << '\n';
                return 1;
            }
            executions += found.executions;
        }
    } else if (program == "race") {
        const int senders = static_cast<int>(bench::arg_long(argc, argv, "--senders", 6));
        const auto found = baton::sim::explore_results({.ranks = senders + 1}, race);
        if (found.failure || !found.complete) {
            std::cerr << "baton_explore: " << found.summary() << '\n';
            return 1;
        }
        executions = found.executions;
    } else {
        std::cerr << "baton_explore: --program average|race\n";
        return 2;
    }
    const double total = bench::wall_seconds() - start;
    bench::report("executions", static_cast<double>(executions));
    bench::report("executions_per_s", static_cast<double>(executions) / total);
    bench::report("per_op_us", total / static_cast<double>(executions) * 1e6);
    return 0;
}
