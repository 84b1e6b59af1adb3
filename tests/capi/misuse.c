/* MPI programs that are wrong, one per argument: baton's report names the rank, the MPI call, its
 * line here and what was wrong, and the run fails. */
#include <mpi.h>
#include <string.h>

int main(int argc, char** argv) {
    const char* mistake = argc > 1 ? argv[1] : "";
    int rank = 0, value = 1;
    double x = 1.0, y = 0.0;
    if (strcmp(mistake, "before-init") == 0) MPI_Send(&value, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (strcmp(mistake, "bad-datatype") == 0) MPI_Bcast(&value, 1, 999, 0, MPI_COMM_WORLD);
    if (strcmp(mistake, "bad-op") == 0) MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_BAND, MPI_COMM_WORLD);
    if (strcmp(mistake, "bad-rank") == 0) MPI_Send(&value, 1, MPI_INT, 7, 0, MPI_COMM_WORLD);
    if (strcmp(mistake, "bad-comm") == 0) MPI_Barrier(MPI_COMM_NULL);
    if (strcmp(mistake, "bad-request") == 0) {
        MPI_Request never_made = 5;
        MPI_Wait(&never_made, MPI_STATUS_IGNORE);
    }
    if (strcmp(mistake, "in-place-send") == 0) MPI_Send(MPI_IN_PLACE, 1, MPI_INT, 1 - rank, 0, MPI_COMM_WORLD);
    if (strcmp(mistake, "aliased") == 0) MPI_Allreduce(&x, &x, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    if (strcmp(mistake, "predefined-op-on-derived") == 0) {
        MPI_Datatype two_doubles;
        double pair[2] = {x, x}, sums[2];
        MPI_Type_contiguous(2, MPI_DOUBLE, &two_doubles);
        MPI_Type_commit(&two_doubles);
        MPI_Allreduce(pair, sums, 1, two_doubles, MPI_SUM, MPI_COMM_WORLD);
    }
    if (strcmp(mistake, "leaks") == 0) {
        MPI_Datatype pair;
        MPI_Comm copy;
        MPI_Type_contiguous(2, MPI_INT, &pair);
        MPI_Comm_dup(MPI_COMM_WORLD, &copy);
    }
    /* What only the checker sees is the program's bug whatever its error handler. */
    if (strcmp(mistake, "mismatch-returning") == 0) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (strcmp(mistake, "mismatch") == 0 || strcmp(mistake, "mismatch-returning") == 0) {
        if (rank == 0) MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
        else MPI_Barrier(MPI_COMM_WORLD);
    }
    if (strcmp(mistake, "abort") == 0 && rank == 1) MPI_Abort(MPI_COMM_WORLD, 5);
    if (strcmp(mistake, "scatter-truncated") == 0) {
        /* Rank 1 has room for one int of its block of two, and arrives last: its arrival
           completes the scatter for both ranks, and its own error must not be lost there. */
        int blocks[4] = {1, 2, 3, 4}, piece[2] = {0, 0}, token = 0;
        if (rank == 0) MPI_Send(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
        else MPI_Recv(&token, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Scatter(blocks, 2, MPI_INT, piece, rank == 1 ? 1 : 2, MPI_INT, 0, MPI_COMM_WORLD);
    }
    if (strcmp(mistake, "gather-truncated") == 0) {
        /* The root has room for one int from each rank, and each sends two: the root's report
           names its own arguments, the receive's too. */
        int mine[2] = {rank, rank}, all[4] = {0, 0, 0, 0};
        MPI_Gather(mine, 2, MPI_INT, all, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    if (strcmp(mistake, "never-waited") == 0) {
        MPI_Request barrier;
        MPI_Ibarrier(MPI_COMM_WORLD, &barrier); /* never completed */
    }
    if (strcmp(mistake, "uncommitted") == 0) {
        MPI_Datatype uncommitted;
        int pair[2] = {0, 0};
        MPI_Type_contiguous(2, MPI_INT, &uncommitted);
        MPI_Send(pair, 1, uncommitted, 1 - rank, 0, MPI_COMM_WORLD);
    }
    if (strcmp(mistake, "type-mismatch") == 0) {
        double column[4] = {0, 0, 0, 0};
        int numbers[4];
        MPI_Datatype doubles;
        MPI_Type_contiguous(4, MPI_DOUBLE, &doubles);
        MPI_Type_commit(&doubles);
        if (rank == 0) MPI_Send(column, 1, doubles, 1, 0, MPI_COMM_WORLD);
        if (rank == 1) MPI_Recv(numbers, 4, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    if (strcmp(mistake, "message-twice") == 0 || strcmp(mistake, "message-kept") == 0) {
        if (rank == 0) MPI_Send(&value, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
        if (rank == 1) {
            MPI_Message message, copy;
            MPI_Mprobe(0, 0, MPI_COMM_WORLD, &message, MPI_STATUS_IGNORE); /* the probe */
            copy = message;
            if (strcmp(mistake, "message-twice") == 0) {
                MPI_Mrecv(&value, 1, MPI_INT, &message, MPI_STATUS_IGNORE);
                MPI_Mrecv(&value, 1, MPI_INT, &copy, MPI_STATUS_IGNORE); /* received again */
            }
        }
    }
    if (strcmp(mistake, "signature") == 0) {
        /* {int, double} sent, {double, int} received: the same size, another type signature. */
        struct { int i; double d; } sent = {1, 2.0};
        struct { double d; int i; } got;
        int lengths[2] = {1, 1};
        MPI_Aint int_first[2] = {0, 8}, double_first[2] = {0, 8};
        MPI_Datatype int_double[2] = {MPI_INT, MPI_DOUBLE}, double_int[2] = {MPI_DOUBLE, MPI_INT}, sent_type, got_type;
        MPI_Type_create_struct(2, lengths, int_first, int_double, &sent_type);
        MPI_Type_create_struct(2, lengths, double_first, double_int, &got_type);
        MPI_Type_commit(&sent_type);
        MPI_Type_commit(&got_type);
        if (rank == 0) MPI_Send(&sent, 1, sent_type, 1, 0, MPI_COMM_WORLD);
        if (rank == 1) MPI_Recv(&got, 1, got_type, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    if (strcmp(mistake, "unsupported") == 0) {
        MPI_Win window;
        MPI_Win_create(&value, sizeof value, sizeof value, MPI_INFO_NULL, MPI_COMM_WORLD, &window);
    }
    if (strcmp(mistake, "no-topology") == 0) {
        int around[4];
        MPI_Neighbor_allgather(&value, 1, MPI_INT, around, 1, MPI_INT, MPI_COMM_WORLD);
    }
    if (strcmp(mistake, "pending-at-finalize") == 0) {
        MPI_Request never_matched;
        MPI_Irecv(&value, 1, MPI_INT, 1 - rank, 77, MPI_COMM_WORLD, &never_matched);
    }
    if (strcmp(mistake, "no-finalize") == 0) return 0;
    if (strcmp(mistake, "after-finalize") == 0) {
        MPI_Finalize();
        MPI_Barrier(MPI_COMM_WORLD); /* after MPI_Finalize */
    }
    MPI_Finalize(); /* the last call */
    return strcmp(mistake, "main-returns") == 0 && rank == 1 ? 3 : 0;
}
