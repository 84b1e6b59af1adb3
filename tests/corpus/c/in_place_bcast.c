/* Wrong: MPI_IN_PLACE where MPI does not allow it: MPI_Bcast has one buffer, no in-place form. */
#include <mpi.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    MPI_Bcast(MPI_IN_PLACE, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
