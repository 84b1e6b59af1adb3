/* Reductions of the program's own (MPI_Op_create): a commutative one (the largest magnitude) and
 * one that is associative but not commutative (appending numbers digit by digit: a pair of longs,
 * the number and how many digits it has), so the result shows the order MPI combines ranks in: rank
 * order. Then one on a derived datatype, a struct with a gap after its int (MPI_Type_create_struct),
 * which the function gets laid out as the program's structs are (an allreduce, and a reduce to rank
 * 3). Each rank prints one line; the same lines under mpiexec. */
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int count;
    double sum;
} tally;

static void add_tallies(void* in, void* inout, int* len, MPI_Datatype* datatype) {
    const tally* a = in;
    tally* b = inout;
    (void)datatype;
    for (int i = 0; i < *len; ++i) {
        b[i].count += a[i].count;
        b[i].sum += a[i].sum;
    }
}

/* The tally's datatype, its extent the struct's (padding included), so that arrays of it work. */
static MPI_Datatype tally_type(void) {
    int lengths[2] = {1, 1};
    MPI_Aint offsets[2] = {offsetof(tally, count), offsetof(tally, sum)};
    MPI_Datatype types[2] = {MPI_INT, MPI_DOUBLE}, loose, made;
    MPI_Type_create_struct(2, lengths, offsets, types, &loose);
    MPI_Type_create_resized(loose, 0, sizeof(tally), &made);
    MPI_Type_free(&loose);
    MPI_Type_commit(&made);
    return made;
}

static void largest_magnitude(void* in, void* inout, int* len, MPI_Datatype* datatype) {
    const int* a = in;
    int* b = inout;
    (void)datatype;
    for (int i = 0; i < *len; ++i)
        if (abs(a[i]) > abs(b[i])) b[i] = a[i];
}

static void append_digits(void* in, void* inout, int* len, MPI_Datatype* datatype) {
    const long* a = in;
    long* b = inout;
    if (*datatype != MPI_LONG || *len % 2 != 0) MPI_Abort(MPI_COMM_WORLD, 3);
    for (int i = 0; i < *len; i += 2) {
        long shift = 1;
        for (long d = 0; d < b[i + 1]; ++d) shift *= 10;
        b[i] = a[i] * shift + b[i];
        b[i + 1] += a[i + 1];
    }
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Op magnitude, digits;
    MPI_Op_create(largest_magnitude, 1, &magnitude);
    MPI_Op_create(append_digits, 0, &digits);

    int mine[2] = {rank % 2 ? -rank : rank, 10 - rank}, largest[2];
    MPI_Allreduce(mine, largest, 2, MPI_INT, magnitude, MPI_COMM_WORLD);
    long digit[2] = {rank + 1, 1}, all_digits[2] = {0, 0}, prefix[2] = {0, 0};
    MPI_Reduce(digit, all_digits, 2, MPI_LONG, digits, 0, MPI_COMM_WORLD);
    MPI_Scan(digit, prefix, 2, MPI_LONG, digits, MPI_COMM_WORLD);

    MPI_Datatype tallies = tally_type();
    MPI_Op add;
    MPI_Op_create(add_tallies, 1, &add);
    tally counted[2] = {{1, rank + 0.5}, {rank, 2.0 * rank}}, total[2], again[2] = {{0, 0}, {0, 0}};
    MPI_Allreduce(counted, total, 2, tallies, add, MPI_COMM_WORLD);
    MPI_Reduce(counted, again, 2, tallies, add, 3, MPI_COMM_WORLD);

    printf("rank %d: largest %d %d, digits %ld, prefix %ld, tallies %d %g %d %g, again %d %g\n", rank, largest[0],
           largest[1], rank == 0 ? all_digits[0] : 0, prefix[0], total[0].count, total[0].sum, total[1].count,
           total[1].sum, again[1].count, again[1].sum);
    MPI_Op_free(&magnitude);
    MPI_Op_free(&digits);
    MPI_Op_free(&add);
    MPI_Type_free(&tallies);
    MPI_Finalize();
    return 0;
}
