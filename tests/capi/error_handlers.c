/* Error handlers: under MPI_ERRORS_RETURN a mistake in a call's arguments comes back as its error
 * class and the program goes on; a handler of the program's own is called with the communicator
 * and the code; a new communicator inherits its parent's handler. Every line is what Open MPI
 * prints for it too (the mistakes are those Open MPI also returns). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

/* The class's name, as MPI_Error_string gives it before its ':'. */
static const char* class_name(int code, char* text) {
    int errclass = -1, length = 0;
    MPI_Error_class(code, &errclass);
    MPI_Error_string(errclass, text, &length);
    char* colon = strchr(text, ':');
    if (colon) *colon = '\0';
    return text;
}

/* The program's own handler: says where it was called, then the call returns the code. */
static void complain(MPI_Comm* comm, int* code, ...) {
    char name[MPI_MAX_OBJECT_NAME], text[MPI_MAX_ERROR_STRING];
    int rank = 0, length = 0;
    MPI_Comm_rank(*comm, &rank);
    MPI_Comm_get_name(*comm, name, &length);
    printf("rank %d: handler called on %s with %s\n", rank, name, class_name(*code, text));
}

int main(int argc, char** argv) {
    int rank = 0, size = 0, value = 7, pair[2] = {1, 2}, sum = 0;
    char text[MPI_MAX_ERROR_STRING];
    MPI_Errhandler handler;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int next = (rank + 1) % size, previous = (rank + size - 1) % size;

    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &handler);
    printf("rank %d: the world's handler is %s\n", rank, handler == MPI_ERRORS_ARE_FATAL ? "fatal" : "another");
    MPI_Errhandler_free(&handler);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);

    /* Each mistake returns its class; nothing is sent. */
    printf("rank %d: send to rank 99: %s\n", rank,
           class_name(MPI_Send(&value, 1, MPI_INT, 99, 0, MPI_COMM_WORLD), text));
    printf("rank %d: negative count: %s\n", rank,
           class_name(MPI_Send(&value, -1, MPI_INT, next, 0, MPI_COMM_WORLD), text));
    printf("rank %d: negative tag: %s\n", rank,
           class_name(MPI_Send(&value, 1, MPI_INT, next, -5, MPI_COMM_WORLD), text));
    printf("rank %d: null datatype: %s\n", rank,
           class_name(MPI_Send(&value, 1, MPI_DATATYPE_NULL, next, 0, MPI_COMM_WORLD), text));
    printf("rank %d: broadcast from rank 99: %s\n", rank,
           class_name(MPI_Bcast(&value, 1, MPI_INT, 99, MPI_COMM_WORLD), text));
    printf("rank %d: null reduction: %s\n", rank,
           class_name(MPI_Allreduce(&value, &sum, 1, MPI_INT, MPI_OP_NULL, MPI_COMM_WORLD), text));
    printf("rank %d: null communicator: %s\n", rank, class_name(MPI_Barrier(MPI_COMM_NULL), text));
    /* Rank 1 is in the world but not in MPI_COMM_SELF: each communicator's own size is checked. */
    MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
    printf("rank %d: send to rank 1 of MPI_COMM_SELF: %s\n", rank,
           class_name(MPI_Send(&value, 1, MPI_INT, 1, 0, MPI_COMM_SELF), text));
    MPI_Datatype uncommitted;
    MPI_Type_contiguous(2, MPI_INT, &uncommitted);
    printf("rank %d: uncommitted datatype: %s\n", rank,
           class_name(MPI_Send(pair, 1, uncommitted, next, 0, MPI_COMM_WORLD), text));
    MPI_Type_free(&uncommitted);

    /* Two ints into room for one: the receive returns MPI_ERR_TRUNCATE. */
    MPI_Request sent;
    MPI_Isend(pair, 2, MPI_INT, next, 1, MPI_COMM_WORLD, &sent);
    printf("rank %d: two ints into one: %s\n", rank,
           class_name(MPI_Recv(&value, 1, MPI_INT, previous, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE), text));
    MPI_Wait(&sent, MPI_STATUS_IGNORE);

    /* ... and the program goes on. */
    value = rank + 1;
    MPI_Allreduce(&value, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    printf("rank %d: after the mistakes, sum %d\n", rank, sum);

    /* A duplicate inherits MPI_ERRORS_RETURN; then gets a handler of the program's. */
    MPI_Comm dup;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_set_name(dup, "the duplicate");
    MPI_Comm_get_errhandler(dup, &handler);
    printf("rank %d: the duplicate's handler is %s\n", rank, handler == MPI_ERRORS_RETURN ? "return" : "another");
    MPI_Errhandler_free(&handler);
    MPI_Comm_create_errhandler(complain, &handler);
    MPI_Comm_set_errhandler(dup, handler);
    MPI_Errhandler_free(&handler); /* the duplicate goes on using it */
    printf("rank %d: send with tag -7 returned %s\n", rank,
           class_name(MPI_Send(&value, 1, MPI_INT, next, -7, dup), text));
    MPI_Comm_call_errhandler(dup, MPI_ERR_OTHER);
    MPI_Comm_free(&dup);

    /* Every class MPI-3.1 defines is its own class, and MPI_Error_string names it. */
    if (rank == 0) {
        const int classes[] = {MPI_SUCCESS, MPI_ERR_BUFFER, MPI_ERR_COUNT, MPI_ERR_TYPE, MPI_ERR_TAG, MPI_ERR_COMM,
                               MPI_ERR_RANK, MPI_ERR_REQUEST, MPI_ERR_ROOT, MPI_ERR_GROUP, MPI_ERR_OP,
                               MPI_ERR_TOPOLOGY, MPI_ERR_DIMS, MPI_ERR_ARG, MPI_ERR_UNKNOWN, MPI_ERR_TRUNCATE,
                               MPI_ERR_OTHER, MPI_ERR_INTERN, MPI_ERR_IN_STATUS, MPI_ERR_PENDING, MPI_ERR_ACCESS,
                               MPI_ERR_AMODE, MPI_ERR_ASSERT, MPI_ERR_BAD_FILE, MPI_ERR_BASE, MPI_ERR_CONVERSION,
                               MPI_ERR_DISP, MPI_ERR_DUP_DATAREP, MPI_ERR_FILE_EXISTS, MPI_ERR_FILE_IN_USE,
                               MPI_ERR_FILE, MPI_ERR_INFO_KEY, MPI_ERR_INFO_NOKEY, MPI_ERR_INFO_VALUE, MPI_ERR_INFO,
                               MPI_ERR_IO, MPI_ERR_KEYVAL, MPI_ERR_LOCKTYPE, MPI_ERR_NAME, MPI_ERR_NO_MEM,
                               MPI_ERR_NOT_SAME, MPI_ERR_NO_SPACE, MPI_ERR_NO_SUCH_FILE, MPI_ERR_PORT, MPI_ERR_QUOTA,
                               MPI_ERR_READ_ONLY, MPI_ERR_RMA_ATTACH, MPI_ERR_RMA_CONFLICT, MPI_ERR_RMA_RANGE,
                               MPI_ERR_RMA_SHARED, MPI_ERR_RMA_SYNC, MPI_ERR_RMA_FLAVOR, MPI_ERR_SERVICE,
                               MPI_ERR_SIZE, MPI_ERR_SPAWN, MPI_ERR_UNSUPPORTED_DATAREP,
                               MPI_ERR_UNSUPPORTED_OPERATION, MPI_ERR_WIN};
        const int n = (int)(sizeof classes / sizeof classes[0]);
        int distinct = 0, below_last = 0;
        for (int i = 0; i < n; ++i) {
            int errclass = -1;
            MPI_Error_class(classes[i], &errclass);
            distinct += errclass == classes[i];
            below_last += classes[i] <= MPI_ERR_LASTCODE;
        }
        printf("rank 0: %d of %d classes are their own class, %d at most MPI_ERR_LASTCODE, ", distinct, n, below_last);
        printf("MPI_ERR_RMA_FLAVOR is %s\n", class_name(MPI_ERR_RMA_FLAVOR, text));
    }
    MPI_Finalize();
    return 0;
}
