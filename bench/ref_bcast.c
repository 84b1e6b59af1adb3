/* (d) Broadcast of 1 MiB (--bytes) from rank 0, --iters times (default 100) after one untimed
 * broadcast. Rank 0 prints "BENCH total_ms <milliseconds for all iterations>" and "BENCH per_op_us". */
#include <mpi.h>

#include "ref_common.h"

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    const long iters = arg_long(argc, argv, "--iters", 100);
    const long bytes = arg_long(argc, argv, "--bytes", 1L << 20);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    unsigned char* data = malloc((size_t)bytes);
    for (long i = 0; i < bytes; ++i) data[i] = rank == 0 ? (unsigned char)(i * 7 + 1) : 0;
    MPI_Bcast(data, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD); /* untimed */
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = wall_seconds(), clock_start = MPI_Wtime();
    for (long i = 0; i < iters; ++i) {
        if (rank == 0) data[i % bytes] ^= 1; /* the root's data changes every time */
        MPI_Bcast(data, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    /* (k) by MPI_Wtime, the last rank's: under smpirun the simulated clock, SMPI's prediction */
    double clock_mine = MPI_Wtime() - clock_start, clock_total = 0;
    MPI_Allreduce(&clock_mine, &clock_total, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD); /* every rank has its copy */
    const double total = wall_seconds() - start;
    long wrong = 0;
    for (long i = 0; i < bytes; ++i) {
        unsigned char expected = (unsigned char)(i * 7 + 1);
        if (i < iters && (iters - i + bytes - 1) / bytes % 2 == 1) expected ^= 1;
        if (data[i] != expected) ++wrong;
    }
    long wrong_total = 0;
    MPI_Reduce(&wrong, &wrong_total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        if (wrong_total) {
            fprintf(stderr, "ref_bcast: %ld wrong bytes\n", wrong_total);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        printf("BENCH total_ms %.6f\nBENCH per_op_us %.6f\n", total * 1e3, total / (double)(iters > 0 ? iters : 1) * 1e6);
        printf("BENCH wtime_per_op_us %.6f\n", clock_total / (double)(iters > 0 ? iters : 1) * 1e6);
    }
    free(data);
    MPI_Finalize();
    return 0;
}
