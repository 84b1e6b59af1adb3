/* Blocking MPI_Send, MPI_Ssend and MPI_Recv of predefined datatypes, which libbaton-mpi takes
 * straight to the backend: the wildcards and the status they fill, MPI_PROC_NULL, an empty
 * message, a communicator other than the world. Each rank prints one line; the same lines under
 * mpiexec. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Rank 0 takes one message from each other rank, in whatever order they come: rank r sends r
       doubles with tag 10 + r (rank 1 synchronously). Sums, so that the order does not show. */
    enum { most = 16 };
    double values[most] = {0};
    int sources = 0, tags = 0, counts = 0;
    double total = 0;
    if (rank == 0) {
        for (int i = 1; i < size; ++i) {
            MPI_Status status;
            int count = -1;
            MPI_Recv(values, most, MPI_DOUBLE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
            MPI_Get_count(&status, MPI_DOUBLE, &count);
            sources += status.MPI_SOURCE;
            tags += status.MPI_TAG;
            counts += count;
            for (int k = 0; k < count; ++k) total += values[k];
        }
    } else {
        for (int k = 0; k < rank; ++k) values[k] = rank;
        if (rank == 1) MPI_Ssend(values, rank, MPI_DOUBLE, 0, 10 + rank, MPI_COMM_WORLD);
        else MPI_Send(values, rank, MPI_DOUBLE, 0, 10 + rank, MPI_COMM_WORLD);
    }

    /* MPI_PROC_NULL: the send does nothing, the receive returns at once with its own status. */
    MPI_Status none;
    int untouched = 7, none_count = -1;
    MPI_Send(&untouched, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD);
    MPI_Recv(&untouched, 1, MPI_INT, MPI_PROC_NULL, 3, MPI_COMM_WORLD, &none);
    MPI_Get_count(&none, MPI_INT, &none_count);
    const int proc_null_ok = none.MPI_SOURCE == MPI_PROC_NULL && none.MPI_TAG == MPI_ANY_TAG && none_count == 0 &&
                             untouched == 7;

    /* An empty message from rank 0 to the last rank, into a buffer with room for one. */
    int empty_count = -1, slot = -5;
    if (rank == 0) MPI_Send(&slot, 0, MPI_INT, size - 1, 1, MPI_COMM_WORLD);
    if (rank == size - 1) {
        MPI_Status status;
        MPI_Recv(&slot, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, &status);
        MPI_Get_count(&status, MPI_INT, &empty_count);
    }

    /* A ring in each half of the world: its statuses name ranks of the half, not of the world. */
    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    int h, halves;
    MPI_Comm_rank(half, &h);
    MPI_Comm_size(half, &halves);
    int token = 100 * rank, got = -1;
    MPI_Status from;
    from.MPI_SOURCE = -9;
    if (halves > 1) {
        if (h == 0) {
            MPI_Send(&token, 1, MPI_INT, 1, 5, half);
            MPI_Recv(&got, 1, MPI_INT, halves - 1, MPI_ANY_TAG, half, &from);
        } else {
            MPI_Recv(&got, 1, MPI_INT, MPI_ANY_SOURCE, 5, half, &from);
            MPI_Send(&token, 1, MPI_INT, (h + 1) % halves, 5, half);
        }
    }
    MPI_Comm_free(&half);

    printf("rank %d: from any %d %d %d %g; proc null %s; empty %d %d; ring got %d from %d\n", rank, sources, tags,
           counts, total, proc_null_ok ? "ok" : "wrong", empty_count, slot, got, from.MPI_SOURCE);
    MPI_Finalize();
    return 0;
}
