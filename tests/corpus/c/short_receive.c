/* Wrong: four ints sent to a receive of room for two (MPI_ERR_TRUNCATE under MPI). */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, four[4] = {1, 2, 3, 4}, two[2] = {0, 0};
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) MPI_Send(four, 4, MPI_INT, 1, 0, MPI_COMM_WORLD);
    if (rank == 1) MPI_Recv(two, 2, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Finalize();
    return 0;
}
