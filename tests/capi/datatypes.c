/* Derived datatypes, as the seed's custom-datatype lesson uses them: a struct of mixed members
 * (resized to the C struct's size), a matrix column (MPI_Type_vector), an indexed pick, used in
 * point-to-point, non-blocking and collective calls. Each rank prints one line; the same lines
 * under mpiexec. */
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    int id;
    double position[3];
    char kind;
} particle;

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* The struct, resized so that arrays of it step by sizeof(particle). */
    int lengths[3] = {1, 3, 1};
    MPI_Aint displacements[3] = {offsetof(particle, id), offsetof(particle, position), offsetof(particle, kind)};
    MPI_Datatype members[3] = {MPI_INT, MPI_DOUBLE, MPI_CHAR}, loose, particle_type;
    MPI_Type_create_struct(3, lengths, displacements, members, &loose);
    MPI_Type_create_resized(loose, 0, sizeof(particle), &particle_type);
    MPI_Type_commit(&particle_type);
    int type_size;
    MPI_Aint lb, extent;
    MPI_Type_size(particle_type, &type_size);
    MPI_Type_get_extent(particle_type, &lb, &extent);

    /* Rank 0 broadcasts two particles; each rank gathers one back, changed, to rank 0. */
    particle pair[2] = {{0, {0, 0, 0}, ' '}, {0, {0, 0, 0}, ' '}};
    if (rank == 0)
        for (int i = 0; i < 2; ++i) pair[i] = (particle){10 + i, {1.5 * i, 2.5, -1}, (char)('a' + i)};
    MPI_Bcast(pair, 2, particle_type, 0, MPI_COMM_WORLD);
    particle mine = pair[rank % 2], all[16];
    mine.id += 100 * rank;
    MPI_Gather(&mine, 1, particle_type, all, 1, particle_type, 0, MPI_COMM_WORLD);
    int ids = 0;
    if (rank == 0)
        for (int r = 0; r < size; ++r) ids += all[r].id;

    /* A column of a 4x4 row-major matrix, sent to the right as a vector, received as 4 doubles. */
    double matrix[4][4], column[4] = {0};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) matrix[i][j] = 10 * i + j + rank;
    MPI_Datatype column_type;
    MPI_Type_vector(4, 1, 4, MPI_DOUBLE, &column_type);
    MPI_Type_commit(&column_type);
    const int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Request request;
    MPI_Irecv(column, 4, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, &request);
    MPI_Send(&matrix[0][2], 1, column_type, right, 1, MPI_COMM_WORLD);
    MPI_Wait(&request, MPI_STATUS_IGNORE);

    /* An indexed pick received into the same kind of type, non-blocking on both sides. */
    int picks[3] = {1, 2, 1}, at[3] = {0, 3, 7}, numbers[10], landed[10];
    for (int i = 0; i < 10; ++i) {
        numbers[i] = rank * 100 + i;
        landed[i] = -1;
    }
    MPI_Datatype pick_type;
    MPI_Type_indexed(3, picks, at, MPI_INT, &pick_type);
    MPI_Type_commit(&pick_type);
    MPI_Request both[2];
    MPI_Irecv(landed, 1, pick_type, left, 2, MPI_COMM_WORLD, &both[0]);
    MPI_Isend(numbers, 1, pick_type, right, 2, MPI_COMM_WORLD, &both[1]);
    MPI_Status status;
    MPI_Wait(&both[0], &status);
    MPI_Wait(&both[1], MPI_STATUS_IGNORE);
    int whole, elements;
    MPI_Get_count(&status, pick_type, &whole);
    MPI_Get_elements(&status, pick_type, &elements);

    printf("rank %d: particle %d bytes (extent %ld), got %d %.1f %c, ids %d, column %g %g %g %g, picked %d %d %d %d %d "
           "%d (%d whole, %d elements)\n",
           rank, type_size, (long)extent, pair[1].id, pair[1].position[0], pair[1].kind, ids, column[0], column[1],
           column[2], column[3], landed[0], landed[3], landed[4], landed[7], landed[1], landed[9], whole, elements);
    MPI_Type_free(&pick_type);
    MPI_Type_free(&column_type);
    MPI_Type_free(&particle_type);
    MPI_Type_free(&loose);
    MPI_Finalize();
    return 0;
}
