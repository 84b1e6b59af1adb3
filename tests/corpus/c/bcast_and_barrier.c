/* Wrong: rank 0 broadcasts while the others enter a barrier: collectives on a communicator must
 * be called in the same order by every rank (MPI-3.1 §5.12). */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, value = 3;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0)
        MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
    else
        MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
