/* Correct: a halo exchange on a line with MPI_PROC_NULL beyond its ends, by MPI_Irecv and
 * MPI_Isend completed with MPI_Waitall, then a sum of what arrived with MPI_Allreduce. */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, size = 0, mine = 0, from_left = 0, from_right = 0, left = 0, right = 0, sum = 0;
    MPI_Request requests[4];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    left = rank == 0 ? MPI_PROC_NULL : rank - 1;
    right = rank == size - 1 ? MPI_PROC_NULL : rank + 1;
    mine = rank + 1;
    MPI_Irecv(&from_left, 1, MPI_INT, left, 0, MPI_COMM_WORLD, &requests[0]);
    MPI_Irecv(&from_right, 1, MPI_INT, right, 1, MPI_COMM_WORLD, &requests[1]);
    MPI_Isend(&mine, 1, MPI_INT, right, 0, MPI_COMM_WORLD, &requests[2]);
    MPI_Isend(&mine, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &requests[3]);
    MPI_Waitall(4, requests, MPI_STATUSES_IGNORE);
    mine = from_left + from_right;
    MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    /* Every rank but the ends is counted twice: 2 * (1 + ... + size) - 1 - size. */
    return sum == size * (size + 1) - 1 - size ? 0 : 1;
}
