/* Wrong: a {int, double} struct received as a {double, int} one of the same size: the type
 * signatures differ (MPI-3.1 §3.3.1), which MPI does not check and the receiver misreads. */
#include <stddef.h>

#include <mpi.h>

struct sent { int id; double value; };
struct taken { double value; int id; };

int main(int argc, char** argv) {
    int rank = 0;
    int lengths[2] = {1, 1};
    MPI_Aint sent_at[2] = {offsetof(struct sent, id), offsetof(struct sent, value)};
    MPI_Aint taken_at[2] = {offsetof(struct taken, value), offsetof(struct taken, id)};
    MPI_Datatype sent_types[2] = {MPI_INT, MPI_DOUBLE}, taken_types[2] = {MPI_DOUBLE, MPI_INT};
    MPI_Datatype sent_type, taken_type;
    struct sent out = {7, 1.5};
    struct taken in = {0.0, 0};
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Type_create_struct(2, lengths, sent_at, sent_types, &sent_type);
    MPI_Type_create_struct(2, lengths, taken_at, taken_types, &taken_type);
    MPI_Type_commit(&sent_type);
    MPI_Type_commit(&taken_type);
    if (rank == 0) MPI_Send(&out, 1, sent_type, 1, 0, MPI_COMM_WORLD);
    if (rank == 1) MPI_Recv(&in, 1, taken_type, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Type_free(&sent_type);
    MPI_Type_free(&taken_type);
    MPI_Finalize();
    return 0;
}
