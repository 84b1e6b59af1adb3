/* The rest of MPI-3.1's common calls: blocks of a matrix by MPI_Type_create_subarray (C and Fortran
 * order) sent around a ring, a struct broadcast from MPI_BOTTOM at the addresses MPI_Get_address
 * gives, memory from MPI_Alloc_mem, MPI_Type_dup, hindexed blocks, true extents, type names, the
 * MPI_Count queries, MPI_Op_commutative, MPI_Reduce_local (of ints, and of a derived type by a
 * function of the program's), the thread level, and the library's version. Each rank prints one
 * line; the same lines under mpiexec. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static void add_ints(void* in, void* inout, int* len, MPI_Datatype* datatype) {
    const int* a = in;
    int* b = inout;
    if (*datatype == MPI_INT) {
        for (int i = 0; i < *len; ++i) b[i] += a[i];
        return;
    }
    /* The hindexed type below, laid out in five ints: its elements are ints 0, 1, 3 and 4. */
    for (int i = 0; i < 5; ++i)
        if (i != 2) b[i] += a[i];
}

int main(int argc, char** argv) {
    int provided, level, is_main, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Query_thread(&level);
    MPI_Is_thread_main(&is_main);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int next = (rank + 1) % size, previous = (rank + size - 1) % size;

    /* The 2x3 block at (1,1) of a 4x5 matrix, described in C order and, as the same memory, in
     * Fortran order (a 5x4 array whose first index varies fastest). */
    int matrix[4][5];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 5; ++j) matrix[i][j] = 100 * rank + 10 * i + j;
    int sizes[2] = {4, 5}, subsizes[2] = {2, 3}, starts[2] = {1, 1};
    int fortran_sizes[2] = {5, 4}, fortran_subsizes[2] = {3, 2};
    MPI_Datatype block, fortran_block;
    MPI_Type_create_subarray(2, sizes, subsizes, starts, MPI_ORDER_C, MPI_INT, &block);
    MPI_Type_create_subarray(2, fortran_sizes, fortran_subsizes, starts, MPI_ORDER_FORTRAN, MPI_INT, &fortran_block);
    MPI_Type_commit(&block);
    MPI_Type_commit(&fortran_block);
    int got[6], fortran_got[6];
    MPI_Sendrecv(matrix, 1, block, next, 0, got, 6, MPI_INT, previous, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(matrix, 1, fortran_block, next, 1, fortran_got, 6, MPI_INT, previous, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Aint lb, extent, true_lb, true_extent;
    MPI_Type_get_extent(block, &lb, &extent);
    MPI_Type_get_true_extent(block, &true_lb, &true_extent);

    /* A struct broadcast from MPI_BOTTOM: its members' absolute addresses are the displacements. */
    struct {
        int id;
        double weight;
    } item = {rank == 0 ? 7 : 0, rank == 0 ? 2.5 : 0.0};
    MPI_Aint where[2];
    MPI_Get_address(&item.id, &where[0]);
    MPI_Get_address(&item.weight, &where[1]);
    int lengths[2] = {1, 1};
    MPI_Datatype members[2] = {MPI_INT, MPI_DOUBLE}, absolute;
    MPI_Type_create_struct(2, lengths, where, members, &absolute);
    MPI_Type_commit(&absolute);
    MPI_Bcast(MPI_BOTTOM, 1, absolute, 0, MPI_COMM_WORLD);

    /* Memory MPI gives, filled by a gather. */
    int* ranks;
    MPI_Alloc_mem((MPI_Aint)(size * sizeof(int)), MPI_INFO_NULL, &ranks);
    MPI_Allgather(&rank, 1, MPI_INT, ranks, 1, MPI_INT, MPI_COMM_WORLD);
    int rank_sum = 0;
    for (int r = 0; r < size; ++r) rank_sum += ranks[r];
    MPI_Free_mem(ranks);

    /* A duplicate of the block, named; its size and extent as MPI_Counts. */
    MPI_Datatype copy;
    MPI_Type_dup(block, &copy);
    MPI_Type_set_name(copy, "block");
    char copy_name[MPI_MAX_OBJECT_NAME], int_name[MPI_MAX_OBJECT_NAME];
    int length;
    MPI_Type_get_name(copy, copy_name, &length);
    MPI_Type_get_name(MPI_INT, int_name, &length);
    MPI_Count copy_size, copy_lb, copy_extent;
    MPI_Type_size_x(copy, &copy_size);
    MPI_Type_get_extent_x(copy, &copy_lb, &copy_extent);
    int copied[6];
    MPI_Sendrecv(matrix, 1, copy, next, 2, copied, 6, MPI_INT, previous, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);

    /* Reductions on this rank alone: ints, and two blocks of two ints (at bytes 0 and 12 of five)
     * by the program's function. */
    int in[5] = {1, 2, 3, 4, 5}, inout[5] = {10, 20, 30, 40, 50};
    MPI_Reduce_local(in, inout, 2, MPI_INT, MPI_SUM);
    MPI_Aint pairs[2] = {0, 3 * sizeof(int)};
    MPI_Datatype two_pairs;
    MPI_Type_create_hindexed_block(2, 2, pairs, MPI_INT, &two_pairs);
    MPI_Type_commit(&two_pairs);
    MPI_Op add;
    int commutes, builtin_commutes;
    MPI_Op_create(add_ints, 0, &add);
    MPI_Op_commutative(add, &commutes);
    MPI_Op_commutative(MPI_SUM, &builtin_commutes);
    int picked[5] = {100, 200, 300, 400, 500};
    MPI_Reduce_local(in, picked, 1, two_pairs, add);

    int inter;
    MPI_Comm_test_inter(MPI_COMM_WORLD, &inter);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int version_length = 0;
    MPI_Get_library_version(version, &version_length);

    printf("rank %d: block %d %d %d %d %d %d, fortran %s, extent %ld %ld true %ld %ld; bottom %d %g; ranks %d; "
           "copy %s %s %lld %lld %lld same %d; local %d %d, picked %d %d %d %d %d, commutes %d %d; inter %d, "
           "version %s, thread %d %d %d\n",
           rank, got[0], got[1], got[2], got[3], got[4], got[5],
           memcmp(got, fortran_got, sizeof got) == 0 ? "the same" : "different", (long)lb, (long)extent,
           (long)true_lb, (long)true_extent, item.id, item.weight, rank_sum, copy_name, int_name,
           (long long)copy_size, (long long)copy_lb, (long long)copy_extent, memcmp(got, copied, sizeof got) == 0,
           inout[0], inout[1], picked[0], picked[1], picked[2], picked[3], picked[4], commutes, builtin_commutes,
           inter, version_length > 0 ? "given" : "missing", provided == level, level >= MPI_THREAD_FUNNELED,
           is_main);

    MPI_Op_free(&add);
    MPI_Type_free(&two_pairs);
    MPI_Type_free(&copy);
    MPI_Type_free(&absolute);
    MPI_Type_free(&block);
    MPI_Type_free(&fortran_block);
    MPI_Finalize();
    return 0;
}
