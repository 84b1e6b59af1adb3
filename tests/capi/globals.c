/* A program that keeps state in globals, as many MPI programs do: a counter, a table and a static
 * in a function. On thread and fiber ranks they are shared, and the run notes it, naming them. */
#include <mpi.h>
#include <stdio.h>

int messages_counted = 0;
double totals[4];

static int calls(void) {
    static int made = 0;
    return ++made;
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    totals[rank % 4] += rank;
    messages_counted += calls();
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) printf("done\n");
    MPI_Finalize();
    return 0;
}
