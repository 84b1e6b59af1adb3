/* (a) The seed's average program in the plain MPI C API: the root makes 1..size*5, scatters 5 to
 * each rank, every rank prints its local average, the root gathers them and prints the global
 * average. The same output as examples/average.cpp ("Global average across all data: 10.5" on 4
 * ranks). Measured as a whole process by run.py. */
#include <mpi.h>

#include "ref_common.h"

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    enum { per_rank = 5 };

    double* numbers = NULL;
    if (rank == 0) {
        numbers = malloc(sizeof(double) * (size_t)size * per_rank);
        for (int i = 0; i < size * per_rank; ++i) numbers[i] = i + 1;
    }
    double mine[per_rank];
    MPI_Scatter(numbers, per_rank, MPI_DOUBLE, mine, per_rank, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    double local = 0;
    for (int i = 0; i < per_rank; ++i) local += mine[i];
    local /= per_rank;
    printf("[rank %d] local average: %g\n", rank, local);
    fflush(stdout);

    double* averages = rank == 0 ? malloc(sizeof(double) * (size_t)size) : NULL;
    MPI_Gather(&local, 1, MPI_DOUBLE, averages, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double global = 0;
        for (int r = 0; r < size; ++r) global += averages[r];
        printf("Global average across all data: %g\n", global / size);
    }
    free(numbers);
    free(averages);
    MPI_Finalize();
    return 0;
}
