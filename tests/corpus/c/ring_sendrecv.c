/* Correct: a ring shift with MPI_Sendrecv into a buffer of its own. */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, size = 0, mine = 0, got = -1;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    mine = 10 * rank;
    MPI_Sendrecv(&mine, 1, MPI_INT, (rank + 1) % size, 0, &got, 1, MPI_INT, (rank + size - 1) % size, 0,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Finalize();
    return got == 10 * ((rank + size - 1) % size) ? 0 : 1;
}
