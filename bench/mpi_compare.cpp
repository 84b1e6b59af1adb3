// baton on MPI against the same program written with the plain MPI C API, side by side in one
// run: the half round trip of an 8-byte ping-pong between ranks 0 and 1, and an allreduce of one
// double over every rank. Each measurement is repeated; the table shows medians.
//
//     mpiexec -n 2 build-mpi/tests/mpi/mpi_compare [--iterations 20000] [--runs 21]
//
// The plain MPI code runs on its own duplicate of MPI_COMM_WORLD; runs alternate which side goes
// first, so that drift in the machine's speed falls on both alike.
#include <algorithm>
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

struct benchmark {
    std::string name;
    std::function<void()> plain, baton;
    double divisor = 1;  // a round trip is two messages: report the half
    std::vector<double> plain_times, baton_times;
};

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        int iterations = 20000, runs = 21;
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string name = argv[i];
            if (name == "--iterations") iterations = std::atoi(argv[i + 1]);
            else if (name == "--runs") runs = std::atoi(argv[i + 1]);
        }
        MPI_Comm plain;
        MPI_Comm_dup(MPI_COMM_WORLD, &plain);
        const int rank = world.rank();
        const bool pinging = world.size() >= 2 && rank <= 1;

        double ball = 1.0;
        std::vector<double> ball_vector(1, 1.0);
        double value = rank + 0.5, total = 0;

        std::vector<benchmark> benchmarks;
        benchmarks.push_back({"ping-pong, 8 bytes (half round trip)",
                              [&] {
                                  if (!pinging) return;
                                  if (rank == 0) {
                                      MPI_Send(&ball, 1, MPI_DOUBLE, 1, tag, plain);
                                      MPI_Recv(&ball, 1, MPI_DOUBLE, 1, tag, plain, MPI_STATUS_IGNORE);
                                  } else {
                                      MPI_Recv(&ball, 1, MPI_DOUBLE, 0, tag, plain, MPI_STATUS_IGNORE);
                                      MPI_Send(&ball, 1, MPI_DOUBLE, 0, tag, plain);
                                  }
                              },
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
                              2});
        // The documented cost of receiving into a std::vector: a matched probe before the receive.
        benchmarks.push_back({"ping-pong, std::vector<double>(1)",
                              [&] {
                                  if (!pinging) return;
                                  if (rank == 0) {
                                      MPI_Send(ball_vector.data(), 1, MPI_DOUBLE, 1, tag, plain);
                                      MPI_Recv(ball_vector.data(), 1, MPI_DOUBLE, 1, tag, plain, MPI_STATUS_IGNORE);
                                  } else {
                                      MPI_Recv(ball_vector.data(), 1, MPI_DOUBLE, 0, tag, plain, MPI_STATUS_IGNORE);
                                      MPI_Send(ball_vector.data(), 1, MPI_DOUBLE, 0, tag, plain);
                                  }
                              },
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
                              2});
        benchmarks.push_back({"allreduce, 1 double (sum)",
                              [&] { MPI_Allreduce(&value, &total, 1, MPI_DOUBLE, MPI_SUM, plain); },
                              [&] { total = world.allreduce(value, baton::op::sum); }, 1});

        for (auto& b : benchmarks) {
            // A warm-up of each side, then the measured runs, alternating which side goes first.
            time_per_iteration(plain, iterations / 10 + 1, b.plain);
            time_per_iteration(plain, iterations / 10 + 1, b.baton);
            for (int run = 0; run < runs; ++run) {
                if (run % 2 == 0) {
                    b.plain_times.push_back(time_per_iteration(plain, iterations, b.plain) / b.divisor);
                    b.baton_times.push_back(time_per_iteration(plain, iterations, b.baton) / b.divisor);
                } else {
                    b.baton_times.push_back(time_per_iteration(plain, iterations, b.baton) / b.divisor);
                    b.plain_times.push_back(time_per_iteration(plain, iterations, b.plain) / b.divisor);
                }
            }
        }
        if (rank == 0) {
            std::printf("baton on MPI against plain MPI: %d ranks, medians of %d runs of %d iterations\n",
                        world.size(), runs, iterations);
            std::printf("%-40s %14s %14s %8s\n", "", "plain MPI (us)", "baton (us)", "ratio");
            for (const auto& b : benchmarks) {
                const double p = median(b.plain_times), t = median(b.baton_times);
                std::printf("%-40s %14.3f %14.3f %8.3f\n", b.name.c_str(), p, t, t / p);
            }
        }
        MPI_Comm_free(&plain);
    });
}
