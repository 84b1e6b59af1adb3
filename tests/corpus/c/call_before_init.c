/* Wrong: an MPI call before MPI_Init (MPI-3.1 §8.7: only a few calls may come before it). */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank); /* too early */
    MPI_Init(&argc, &argv);
    MPI_Finalize();
    return 0;
}
