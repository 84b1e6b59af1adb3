/* Every collective of the C API so far, with variable counts and displacements that leave gaps.
 * Each rank prints one line of results; the same lines under mpiexec. */
#include <mpi.h>
#include <stdio.h>

enum { most = 8 };

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int counts[most], displs[most], total = 0;
    for (int r = 0; r < size; ++r) {
        counts[r] = r + 1;
        displs[r] = total + r; /* a gap of r elements before each block */
        total = displs[r] + counts[r];
    }

    /* gatherv at rank 0 with gaps; allgatherv everywhere; the sums of what landed. */
    int mine[most], all[64] = {0};
    for (int i = 0; i <= rank; ++i) mine[i] = 10 * rank + i;
    MPI_Gatherv(mine, rank + 1, MPI_INT, all, counts, displs, MPI_INT, 0, MPI_COMM_WORLD);
    int gathered = 0;
    for (int i = 0; i < total; ++i) gathered += all[i];
    for (int i = 0; i < 64; ++i) all[i] = 0;
    MPI_Allgatherv(mine, rank + 1, MPI_INT, all, counts, displs, MPI_INT, MPI_COMM_WORLD);
    int allgathered = 0;
    for (int i = 0; i < total; ++i) allgathered += all[i] * (i + 1);

    /* scatterv from rank 0's gapped layout. */
    int source[64], piece[most] = {0};
    for (int i = 0; i < 64; ++i) source[i] = i;
    MPI_Scatterv(source, counts, displs, MPI_INT, piece, rank + 1, MPI_INT, 0, MPI_COMM_WORLD);
    int scattered = 0;
    for (int i = 0; i <= rank; ++i) scattered += piece[i];

    /* alltoall of one element each, alltoallv of r + 1 elements to rank r. */
    int out[most], in[most];
    for (int r = 0; r < size; ++r) out[r] = 100 * rank + r;
    MPI_Alltoall(out, 1, MPI_INT, in, 1, MPI_INT, MPI_COMM_WORLD);
    int exchanged = 0;
    for (int r = 0; r < size; ++r) exchanged += in[r];
    int sendcounts[most], sdispls[most], recvcounts[most], rdispls[most], long_out[64], long_in[64];
    for (int r = 0, at = 0; r < size; ++r, at += r) {
        sendcounts[r] = r + 1;
        sdispls[r] = at;
        recvcounts[r] = rank + 1;
        rdispls[r] = r * (rank + 1);
    }
    for (int i = 0; i < 64; ++i) long_out[i] = rank * 1000 + i;
    MPI_Alltoallv(long_out, sendcounts, sdispls, MPI_INT, long_in, recvcounts, rdispls, MPI_INT, MPI_COMM_WORLD);
    int varied = 0;
    for (int i = 0; i < size * (rank + 1); ++i) varied += long_in[i];

    /* Reductions that cut and scan; an in-place allreduce. */
    double values[most], block = 0;
    for (int r = 0; r < size; ++r) values[r] = rank + r * 0.5;
    MPI_Reduce_scatter_block(values, &block, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    int ones[64], cut[most] = {0};
    for (int i = 0; i < 64; ++i) ones[i] = rank + 1;
    int cut_counts[most];
    for (int r = 0; r < size; ++r) cut_counts[r] = r + 1;
    MPI_Reduce_scatter(ones, cut, cut_counts, MPI_INT, MPI_PROD, MPI_COMM_WORLD);
    long scanned = 0, exscanned = -1, me = rank + 1;
    MPI_Scan(&me, &scanned, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    MPI_Exscan(&me, &exscanned, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    int biggest = rank;
    MPI_Allreduce(MPI_IN_PLACE, &biggest, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);

    printf("rank %d: gathered %d, allgathered %d, scattered %d, alltoall %d, alltoallv %d, block %g, cut %d, scan %ld, "
           "exscan %ld, max %d\n",
           rank, rank == 0 ? gathered : 0, allgathered, scattered, exchanged, varied, block, cut[rank], scanned,
           rank == 0 ? 0 : exscanned, biggest);
    MPI_Finalize();
    return 0;
}
