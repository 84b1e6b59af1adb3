/* Non-blocking collectives overlapping each other and a computation, completed in the reverse order
 * of their starts; then the non-blocking gathers, scatter and all-to-all, completed together. Each rank prints one line; the same lines under mpiexec. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Request requests[4];
    int shared = rank == 1 % size ? 42 : 0;
    double mine = rank + 0.5, sum = 0, product = 1;
    MPI_Ibarrier(MPI_COMM_WORLD, &requests[0]);
    MPI_Ibcast(&shared, 1, MPI_INT, 1 % size, MPI_COMM_WORLD, &requests[1]);
    MPI_Iallreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &requests[2]);
    MPI_Ireduce(&mine, &product, 1, MPI_DOUBLE, MPI_PROD, 0, MPI_COMM_WORLD, &requests[3]);
    double work = 0;
    for (int i = 1; i <= 1000; ++i) work += 1.0 / i;  /* what overlaps the collectives */
    for (int i = 3; i >= 0; --i) MPI_Wait(&requests[i], MPI_STATUS_IGNORE);

    /* The gathers, scatters and exchanges, completed together. */
    enum { most = 16 };
    int given[most], gathered[most] = {0}, everyone[most] = {0}, piece = -1, exchanged[most] = {0};
    for (int r = 0; r < size; ++r) given[r] = 10 * rank + r;
    MPI_Igather(&given[0], 1, MPI_INT, gathered, 1, MPI_INT, size - 1, MPI_COMM_WORLD, &requests[0]);
    MPI_Iallgather(&given[1 % size], 1, MPI_INT, everyone, 1, MPI_INT, MPI_COMM_WORLD, &requests[1]);
    MPI_Iscatter(given, 1, MPI_INT, &piece, 1, MPI_INT, 0, MPI_COMM_WORLD, &requests[2]);
    MPI_Ialltoall(given, 1, MPI_INT, exchanged, 1, MPI_INT, MPI_COMM_WORLD, &requests[3]);
    MPI_Waitall(4, requests, MPI_STATUSES_IGNORE);
    int sums[3] = {0, 0, 0};
    for (int r = 0; r < size; ++r) {
        sums[0] += gathered[r];
        sums[1] += everyone[r];
        sums[2] += exchanged[r];
    }
    printf("rank %d: shared %d, sum %g, product %g, work %.3f, gathered %d, allgathered %d, scattered %d, exchanged %d\n",
           rank, shared, sum, rank == 0 ? product : 0.0, work, sums[0], sums[1], piece, sums[2]);
    MPI_Finalize();
    return 0;
}
