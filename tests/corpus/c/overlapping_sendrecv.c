/* Wrong: MPI_Sendrecv whose receive buffer overlaps its send buffer (use MPI_Sendrecv_replace). */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, size = 0, ring[4] = {0, 0, 0, 0};
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    ring[0] = rank;
    MPI_Sendrecv(ring, 2, MPI_INT, (rank + 1) % size, 0, ring + 1, 2, MPI_INT, (rank + size - 1) % size, 0,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Finalize();
    return 0;
}
