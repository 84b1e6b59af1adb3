/* A Cartesian grid in an MPI C program: dims_create, a grid periodic in its first dimension, a halo
 * exchange with the shifts (MPI_PROC_NULL at the open edges), rows by MPI_Cart_sub. Each rank
 * prints one line; the same lines under mpiexec. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int dims[2] = {0, 0}, periods[2] = {1, 0};
    MPI_Dims_create(size, 2, dims);
    MPI_Comm grid;
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &grid);
    int rank, coords[2], ndims, topology;
    MPI_Comm_rank(grid, &rank);
    MPI_Cart_coords(grid, rank, 2, coords);
    MPI_Cartdim_get(grid, &ndims);
    MPI_Topo_test(grid, &topology);

    /* One value from each neighbour: -1 where there is none (MPI_PROC_NULL leaves the buffer). */
    int halo[4] = {-1, -1, -1, -1};
    for (int d = 0; d < 2; ++d) {
        int below, above;
        MPI_Cart_shift(grid, d, 1, &below, &above);
        MPI_Sendrecv(&rank, 1, MPI_INT, above, d, &halo[2 * d], 1, MPI_INT, below, d, grid, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&rank, 1, MPI_INT, below, 10 + d, &halo[2 * d + 1], 1, MPI_INT, above, 10 + d, grid,
                     MPI_STATUS_IGNORE);
    }

    int keep[2] = {0, 1}, row_sum = 0, row_rank;
    MPI_Comm row;
    MPI_Cart_sub(grid, keep, &row);
    MPI_Comm_rank(row, &row_rank);
    MPI_Allreduce(&rank, &row_sum, 1, MPI_INT, MPI_SUM, row);
    int corner[2] = {dims[0] - 1, 0}, corner_rank;
    MPI_Cart_rank(grid, corner, &corner_rank);

    printf("rank %d: grid %dx%d (%d dims, cart %d), at (%d,%d), halo %d %d %d %d, row rank %d, row sum %d, corner %d\n",
           rank, dims[0], dims[1], ndims, topology == MPI_CART, coords[0], coords[1], halo[0], halo[1], halo[2],
           halo[3], row_rank, row_sum, corner_rank);
    MPI_Comm_free(&row);
    MPI_Comm_free(&grid);
    MPI_Finalize();
    return 0;
}
