/* (b) Ping-pong of one 8-byte value between ranks 0 and 1, --iters round trips (default 100000).
 * Rank 0 prints "BENCH per_op_us <microseconds per round trip>" and "BENCH total_s <seconds>".
 * (k) --bytes N: a message of N bytes each way instead. */
#include <mpi.h>
#include <stdlib.h>

#include "ref_common.h"

static void round_trip_bytes(int rank, char* payload, int bytes, double* value) {
    if (rank == 0) {
        MPI_Send(payload, bytes, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
        MPI_Recv(payload, bytes, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
        MPI_Recv(payload, bytes, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(payload, bytes, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
    }
    *value += 1.0;
}

static void round_trip(int rank, double* value) {
    if (rank == 0) {
        MPI_Send(value, 1, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD);
        MPI_Recv(value, 1, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
        MPI_Recv(value, 1, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        *value += 1.0;
        MPI_Send(value, 1, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
    }
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    const long iters = arg_long(argc, argv, "--iters", 100000);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0) fprintf(stderr, "ref_pingpong: needs exactly 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    const long bytes = arg_long(argc, argv, "--bytes", 0);
    char* payload = bytes > 0 ? calloc((size_t)bytes, 1) : NULL;
    double value = 0.0;
    if (bytes > 0) round_trip_bytes(rank, payload, (int)bytes, &value);
    else round_trip(rank, &value); /* untimed: both ranks are up and connected */
    value = 0.0;
    const double start = wall_seconds(), clock_start = MPI_Wtime();
    for (long i = 0; i < iters; ++i) {
        if (bytes > 0) round_trip_bytes(rank, payload, (int)bytes, &value);
        else round_trip(rank, &value);
    }
    const double total = wall_seconds() - start, clock_total = MPI_Wtime() - clock_start;
    if (rank == 0) {
        if (value != (double)iters) {
            fprintf(stderr, "ref_pingpong: wrong value %g after %ld round trips\n", value, iters);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        printf("BENCH per_op_us %.6f\nBENCH total_s %.6f\n", total / (double)iters * 1e6, total);
        /* (k) by MPI_Wtime: under smpirun the simulated clock, SMPI's prediction */
        printf("BENCH wtime_per_op_us %.6f\n", clock_total / (double)iters * 1e6);
    }
    free(payload);
    MPI_Finalize();
    return 0;
}
