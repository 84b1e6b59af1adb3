/* Wrong: one array given as both the send and the receive buffer of MPI_Allreduce, where MPI wants
 * MPI_IN_PLACE (MPI-3.1 §2.6.3: arguments must not alias). */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, values[4] = {0, 1, 2, 3};
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    values[0] = rank;
    MPI_Allreduce(values, values, 4, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
