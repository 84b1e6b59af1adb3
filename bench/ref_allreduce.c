/* (c) Allreduce of one double (sum) on every rank, --iters times (default 100) after one untimed
 * allreduce. Rank 0 prints "BENCH per_op_us <microseconds per allreduce>" and "BENCH total_s". */
#include <mpi.h>

#include "ref_common.h"

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    const long iters = arg_long(argc, argv, "--iters", 100);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double mine = rank, sum = 0;
    MPI_Allreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); /* untimed: everyone is up */
    const double start = wall_seconds(), clock_start = MPI_Wtime();
    for (long i = 0; i < iters; ++i) MPI_Allreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    const double total = wall_seconds() - start, clock_total = MPI_Wtime() - clock_start;
    if (rank == 0) {
        const double expected = (double)size * (size - 1) / 2;
        if (sum != expected) {
            fprintf(stderr, "ref_allreduce: sum %g, expected %g\n", sum, expected);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        printf("BENCH per_op_us %.6f\nBENCH total_s %.6f\n", total / (double)(iters > 0 ? iters : 1) * 1e6, total);
        /* (k) by MPI_Wtime: under smpirun the simulated clock, SMPI's prediction */
        printf("BENCH wtime_per_op_us %.6f\n", clock_total / (double)(iters > 0 ? iters : 1) * 1e6);
    }
    MPI_Finalize();
    return 0;
}
