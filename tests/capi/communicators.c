/* Communicators in an MPI C program: split by parity, a sum in each half, a duplicate with a name,
 * and frees; the predefined attributes every MPI has (the values may differ between MPIs: the
 * line says what MPI promises of them). Each rank prints one line; the same lines under mpiexec. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half); /* reversed order inside each half */
    int half_rank, half_size, sum = 0;
    MPI_Comm_rank(half, &half_rank);
    MPI_Comm_size(half, &half_size);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, half);

    MPI_Comm copy;
    MPI_Comm_dup(half, &copy);
    MPI_Comm_set_name(copy, rank % 2 ? "odd" : "even");
    char name[MPI_MAX_OBJECT_NAME];
    int length;
    MPI_Comm_get_name(copy, name, &length);
    int first = -1;
    if (half_rank == 0) first = rank;
    MPI_Bcast(&first, 1, MPI_INT, 0, copy);

    MPI_Comm none;
    MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? 0 : MPI_UNDEFINED, 0, &none);

    int *tag_ub, *host, *io, has_tag_ub, has_host, has_io;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &has_tag_ub);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* MPI-1's MPI_Attr_get, on purpose */
    MPI_Attr_get(MPI_COMM_WORLD, MPI_HOST, &host, &has_host);
#pragma GCC diagnostic pop
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_IO, &io, &has_io);
    const int attributes = has_tag_ub && *tag_ub >= 32767 && has_host && (*host == MPI_PROC_NULL || *host < size) &&
                           has_io && (*io == MPI_ANY_SOURCE || *io == MPI_PROC_NULL || *io < size) &&
                           MPI_Pcontrol(1) == MPI_SUCCESS;

    printf("rank %d: %s half, rank %d of %d there, sum %d, its rank 0 is world rank %d, %s, attributes %s\n", rank,
           name, half_rank, half_size, sum, first, none == MPI_COMM_NULL ? "no third communicator" : "in the third communicator",
           attributes ? "as MPI promises" : "wrong");
    if (none != MPI_COMM_NULL) MPI_Comm_free(&none);
    MPI_Comm_free(&copy);
    MPI_Comm_free(&half);
    MPI_Finalize();
    return half == MPI_COMM_NULL && copy == MPI_COMM_NULL ? 0 : 1;
}
