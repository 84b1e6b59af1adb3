/* Wrong: an MPI call after MPI_Finalize. */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, value = 1, sum = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Finalize();
    MPI_Allreduce(&value, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD); /* too late */
    return 0;
}
