// The differential test: random valid programs (program.hpp), each run on the backend this
// process was started on and, in the same process, on the simulator with the same number of
// ranks and synchronous sends; every rank's record must be the same.
//
//     mpiexec -n 4 differential [--programs 300] [--first-seed 1] [--show SEED]
//
// BATON_DIFFERENTIAL_PROGRAMS overrides --programs (for thousands on demand under meson test).
// A mismatch prints the program and the first line that differs, and the job fails.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "harness.hpp"
#include "program.hpp"

namespace {

struct arguments {
    long programs = 300;
    std::uint64_t first_seed = 1;
    long show = -1;
};

arguments parse(int argc, char** argv) {
    arguments args;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const long value = std::stol(argv[i + 1]);
        if (name == "--programs") args.programs = value;
        else if (name == "--first-seed") args.first_seed = static_cast<std::uint64_t>(value);
        else if (name == "--show") args.show = value;
        else throw std::invalid_argument("unknown argument " + name);
    }
    if (const char* env = std::getenv("BATON_DIFFERENTIAL_PROGRAMS")) args.programs = std::stol(env);
    return args;
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const arguments args = parse(argc, argv);
        if (args.show >= 0) {
            if (world.rank() == 0)
                std::fputs(differential::describe(differential::generate(static_cast<std::uint64_t>(args.show))).c_str(), stdout);
            return;
        }
        const bool mpi = harness::on_mpi();
        long failed = 0;
        for (long i = 0; i < args.programs; ++i) {
            const std::uint64_t seed = args.first_seed + static_cast<std::uint64_t>(i);
            const auto program = differential::generate(seed);
            std::string here;
            try {
                here = differential::run(program, world);
            } catch (const std::exception& e) {
                // The other ranks may wait for this one: end the job with the program to replay.
                throw std::runtime_error(fmt::format("program {} threw on rank {}: {}\n{}", seed, world.rank(), e.what(),
                                                     differential::describe(program)));
            }
            // The reference: the simulator with synchronous sends (a program relying on
            // buffering would deadlock there), under a schedule drawn from the seed.
            std::string there;
            try {
                there = baton::sim::run({.ranks = world.size(), .seed = seed * 7 + (mpi ? 0 : 1),
                                         .sends = baton::sim::send_mode::synchronous},
                                        [&](baton::communicator& c) { return differential::run(program, c); })
                            .values[static_cast<std::size_t>(world.rank())];
            } catch (const std::exception& e) {
                there = std::string("the simulator's run failed: ") + e.what();
            }
            if (here != there) {
                ++failed;
                std::fprintf(stderr, "MISMATCH program %llu on rank %d of %d: %s\n%s", static_cast<unsigned long long>(seed),
                             world.rank(), world.size(), harness::first_difference(here, there).c_str(),
                             world.rank() == 0 || failed == 1 ? differential::describe(program).c_str() : "");
            }
            world.barrier();  // programs do not overlap
        }
        const long failures = world.allreduce(failed, baton::op::sum);
        if (world.rank() == 0)
            std::printf("%ld programs (seeds %llu..%llu) on %d ranks, %s against the simulator: %s\n", args.programs,
                        static_cast<unsigned long long>(args.first_seed),
                        static_cast<unsigned long long>(args.first_seed + static_cast<std::uint64_t>(args.programs) - 1),
                        world.size(), mpi ? "MPI" : "the simulator", failures == 0 ? "all equal" : "MISMATCHES");
        if (failures > 0) throw std::runtime_error(fmt::format("{} program results differ", failures));
    });
}
