/* Two ranks that each receive before they send: a deadlock, which baton reports naming these lines,
 * as it does for a program written against baton::communicator. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    const int other = 1 - rank;
    int got = 0;
    MPI_Recv(&got, 1, MPI_INT, other, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Send(&rank, 1, MPI_INT, other, 0, MPI_COMM_WORLD);
    printf("rank %d got %d\n", rank, got);
    MPI_Finalize();
    return 0;
}
