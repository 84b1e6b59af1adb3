/* Correct: a matrix column as a committed vector type, freed before MPI_Finalize. */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, matrix[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, column[3] = {0, 0, 0};
    MPI_Datatype column_type;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Type_vector(3, 1, 3, MPI_INT, &column_type);
    MPI_Type_commit(&column_type);
    if (rank == 0) MPI_Send(&matrix[0][1], 1, column_type, 1, 0, MPI_COMM_WORLD);
    if (rank == 1) MPI_Recv(column, 3, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Type_free(&column_type);
    MPI_Finalize();
    return rank != 1 || (column[0] == 2 && column[1] == 5 && column[2] == 8) ? 0 : 1;
}
