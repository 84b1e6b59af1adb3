/* Non-blocking collectives overlapping each other and a computation, completed in the reverse order
 * of their starts. Each rank prints one line; the same lines under mpiexec. */
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
    printf("rank %d: shared %d, sum %g, product %g, work %.3f\n", rank, shared, sum, rank == 0 ? product : 0.0, work);
    MPI_Finalize();
    return 0;
}
