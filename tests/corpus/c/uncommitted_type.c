/* Wrong: a derived datatype used before MPI_Type_commit (MPI-3.1 §4.1.9). */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, pair[2] = {1, 2};
    MPI_Datatype two;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Type_contiguous(2, MPI_INT, &two); /* never committed */
    if (rank == 0) MPI_Send(pair, 1, two, 1, 0, MPI_COMM_WORLD);
    if (rank == 1) MPI_Recv(pair, 1, two, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Type_free(&two);
    MPI_Finalize();
    return 0;
}
