// baton on MPI against the same program written with the plain MPI C API, side by side in one
// run: the half round trip of an 8-byte ping-pong between ranks 0 and 1, and an allreduce of one
// double over every rank.
//
//     mpiexec -n 2 build/tests/mpi/mpi_compare [--iterations 2000] [--runs 41]
//
// Three sides are measured: the plain MPI code, baton, and the plain MPI code again (a second
// copy of the same code on a communicator of its own, as baton has one). The third is the
// control: its difference from the first is what this machine's noise and the placement of code
// alone make, so a difference of baton's within it is no difference at all. A run is
// `iterations` calls of each side, in an order that rotates from run to run, so that a change in
// the machine's load falls on every side alike; the table shows each side's median over the runs
// and the median of the per-run ratios.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <baton/baton.hpp>

namespace {

constexpr int tag = 9;

// Microseconds per iteration of `body` run `iterations` times, all ranks starting together.
double time_per_iteration(MPI_Comm comm, int iterations, const std::function<void()>& body) {
    MPI_Barrier(comm);
    const double start = MPI_Wtime();
    for (int i = 0; i < iterations; ++i) body();
    const double elapsed = MPI_Wtime() - start;
    double slowest = 0;
    MPI_Allreduce(&elapsed, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
    return slowest * 1e6 / iterations;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

enum side { plain, baton_side, control, sides };

struct benchmark {
    std::string name;
    std::array<std::function<void()>, sides> body;  // plain MPI, baton, plain MPI again
    double divisor = 1;                               // a round trip is two messages: report the half
    std::array<std::vector<double>, sides> times;
};

// The plain MPI ping-pong, on `comm`.
void plain_ping_pong(MPI_Comm comm, int rank, double* ball) {
    if (rank == 0) {
        MPI_Send(ball, 1, MPI_DOUBLE, 1, tag, comm);
        MPI_Recv(ball, 1, MPI_DOUBLE, 1, tag, comm, MPI_STATUS_IGNORE);
    } else {
        MPI_Recv(ball, 1, MPI_DOUBLE, 0, tag, comm, MPI_STATUS_IGNORE);
        MPI_Send(ball, 1, MPI_DOUBLE, 0, tag, comm);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        int iterations = 2000, runs = 41;
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string name = argv[i];
            if (name == "--iterations") iterations = std::atoi(argv[i + 1]);
            else if (name == "--runs") runs = std::atoi(argv[i + 1]);
        }
        // baton's world is a duplicate of MPI_COMM_WORLD; each plain side gets its own too.
        MPI_Comm first, second;
        MPI_Comm_dup(MPI_COMM_WORLD, &first);
        MPI_Comm_dup(MPI_COMM_WORLD, &second);
        const int rank = world.rank();
        const bool pinging = world.size() >= 2 && rank <= 1;

        double ball = 1.0;
        std::vector<double> ball_vector(1, 1.0);
        double value = rank + 0.5, total = 0;

        std::vector<benchmark> benchmarks;
        // The plain sides are written out twice (not one lambda used twice), so that the control
        // is separate code, as baton's side is.
        benchmarks.push_back({"ping-pong, 8 bytes (half round trip)",
                              {[&] { if (pinging) plain_ping_pong(first, rank, &ball); },
                               [&] {
                                   if (!pinging) return;
                                   if (rank == 0) {
                                       world.send(ball, 1, tag);
                                       world.recv(ball, 1, tag);
                                   } else {
                                       world.recv(ball, 0, tag);
                                       world.send(ball, 0, tag);
                                   }
                               },
                               [&] {
                                   if (!pinging) return;
                                   if (rank == 0) {
                                       MPI_Send(&ball, 1, MPI_DOUBLE, 1, tag, second);
                                       MPI_Recv(&ball, 1, MPI_DOUBLE, 1, tag, second, MPI_STATUS_IGNORE);
                                   } else {
                                       MPI_Recv(&ball, 1, MPI_DOUBLE, 0, tag, second, MPI_STATUS_IGNORE);
                                       MPI_Send(&ball, 1, MPI_DOUBLE, 0, tag, second);
                                   }
                               }},
                              2});
        benchmarks.push_back({"allreduce, 1 double (sum)",
                              {[&] { MPI_Allreduce(&value, &total, 1, MPI_DOUBLE, MPI_SUM, first); },
                               [&] { total = world.allreduce(value, baton::op::sum); },
                               [&] { MPI_Allreduce(&value, &total, 1, MPI_DOUBLE, MPI_SUM, second); }},
                              1});
        // The documented cost of receiving into a std::vector: a matched probe before the receive.
        benchmarks.push_back({"ping-pong, std::vector<double>(1)",
                              {[&] { if (pinging) plain_ping_pong(first, rank, ball_vector.data()); },
                               [&] {
                                   if (!pinging) return;
                                   if (rank == 0) {
                                       world.send(ball_vector, 1, tag);
                                       world.recv(ball_vector, 1, tag);
                                   } else {
                                       world.recv(ball_vector, 0, tag);
                                       world.send(ball_vector, 0, tag);
                                   }
                               },
                               [&] { if (pinging) plain_ping_pong(second, rank, ball_vector.data()); }},
                              2});
        // The same with a bound (baton::at_most): one receive of up to that many elements, no probe.
        benchmarks.push_back({"ping-pong, std::vector<double>, at_most(1)",
                              {[&] { if (pinging) plain_ping_pong(first, rank, ball_vector.data()); },
                               [&] {
                                   if (!pinging) return;
                                   if (rank == 0) {
                                       world.send(ball_vector, 1, tag);
                                       world.recv(ball_vector, 1, tag, baton::at_most(1));
                                   } else {
                                       world.recv(ball_vector, 0, tag, baton::at_most(1));
                                       world.send(ball_vector, 0, tag);
                                   }
                               },
                               [&] { if (pinging) plain_ping_pong(second, rank, ball_vector.data()); }},
                              2});

        for (auto& b : benchmarks) {
            for (auto& body : b.body) time_per_iteration(first, iterations / 10 + 1, body);  // warm-up
            for (int run = 0; run < runs; ++run)
                for (int k = 0; k < sides; ++k) {
                    const int s = (run + k) % sides;
                    b.times[s].push_back(time_per_iteration(first, iterations, b.body[s]) / b.divisor);
                }
        }
        if (rank == 0) {
            std::printf("baton on MPI against plain MPI: %d ranks, medians of %d runs of %d iterations\n",
                        world.size(), runs, iterations);
            std::printf("%-44s %10s %10s %10s %12s %14s\n", "", "plain (us)", "baton (us)", "again (us)",
                        "baton/plain", "again/plain");
            for (const auto& b : benchmarks) {
                std::vector<double> baton_ratio, control_ratio;
                for (int run = 0; run < runs; ++run) {
                    baton_ratio.push_back(b.times[baton_side][run] / b.times[plain][run]);
                    control_ratio.push_back(b.times[control][run] / b.times[plain][run]);
                }
                std::printf("%-44s %10.3f %10.3f %10.3f %12.3f %14.3f\n", b.name.c_str(), median(b.times[plain]),
                            median(b.times[baton_side]), median(b.times[control]), median(baton_ratio),
                            median(control_ratio));
            }
        }
        MPI_Comm_free(&first);
        MPI_Comm_free(&second);
    });
}
