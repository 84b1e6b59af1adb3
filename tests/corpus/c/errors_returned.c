/* Correct: under MPI_ERRORS_RETURN a program tests its error path (a send to a rank that does not
 * exist) and goes on: a returned error is the program's to handle, not a finding. */
#include <mpi.h>

int main(int argc, char** argv) {
    int rank = 0, size = 0, value = 1, sum = 0, errclass = MPI_SUCCESS;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Error_class(MPI_Send(&value, 1, MPI_INT, size + 5, 0, MPI_COMM_WORLD), &errclass);
    MPI_Allreduce(&value, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    return errclass == MPI_ERR_RANK && sum == size ? 0 : 1;
}
