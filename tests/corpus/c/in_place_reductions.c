/* Correct: MPI_IN_PLACE where MPI allows it: MPI_Allreduce everywhere, MPI_Reduce at the root. */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, size = 0, total = 0, root_total = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    total = rank + 1;
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    root_total = rank + 1;
    if (rank == 0) MPI_Reduce(MPI_IN_PLACE, &root_total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    else MPI_Reduce(&root_total, NULL, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    const int expected = size * (size + 1) / 2;
    return total == expected && (rank != 0 || root_total == expected) ? 0 : 1;
}
