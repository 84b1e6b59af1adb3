/* baton's mpi.h: the MPI C API of an unmodified MPI program, run on baton's simulated ranks.
 *
 * A program compiled with this header (baton-mpicc, baton-mpicxx, or meson's dependency('baton-mpi'))
 * and linked with libbaton-mpi runs its main() once per simulated rank: libbaton-mpi has the real
 * main(), which takes baton's options (--ranks, --seed, --context, ...) out of argv and starts the
 * ranks, each calling the program's main, renamed baton_mpi_main by the macro at the end.
 *
 * Every MPI_X(...) call site is a macro that adds where it is (file, function, line), so that
 * baton's reports name the program's own lines, as they do for baton::communicator. The functions
 * themselves are named baton_MPI_X, never MPI_X: a baton built with its MPI backend links a real
 * MPI library, whose MPI_X must stay its own. &MPI_X still names a function (baton_MPI_X).
 *
 * Handles (communicators, datatypes, operations, requests) are small integers indexing a rank's
 * tables, so that one never created or already freed is reported, not followed.
 * Not every MPI function is here yet: see README, "Running existing MPI programs". */
#ifndef BATON_MPI_H
#define BATON_MPI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPI_VERSION 3
#define MPI_SUBVERSION 1

typedef int MPI_Comm;
typedef int MPI_Datatype;
typedef int MPI_Op;
typedef int MPI_Request;
typedef int MPI_Group;
typedef int MPI_Win;
typedef int MPI_File;
typedef int MPI_Info;
typedef int MPI_Errhandler;
typedef long MPI_Aint;
typedef long long MPI_Offset;
typedef long long MPI_Count;

typedef struct MPI_Status {
    int MPI_SOURCE;
    int MPI_TAG;
    int MPI_ERROR;
    int baton_cancelled;
    unsigned long long baton_bytes; /* what arrived, for MPI_Get_count */
} MPI_Status;

/* Return codes: MPI-3.1's error classes (each code baton returns is its class). By default errors
 * are fatal (MPI_ERRORS_ARE_FATAL): a call that fails ends the run with a report naming the rank,
 * the call and its line. Under MPI_ERRORS_RETURN a mistake in a call's own arguments is returned
 * as its class instead; what only the checker sees (a deadlock, a collective mismatch, ...) stays
 * fatal: see "Error handlers" below. */
#define MPI_SUCCESS 0
#define MPI_ERR_BUFFER 1
#define MPI_ERR_COUNT 2
#define MPI_ERR_TYPE 3
#define MPI_ERR_TAG 4
#define MPI_ERR_COMM 5
#define MPI_ERR_RANK 6
#define MPI_ERR_REQUEST 7
#define MPI_ERR_ROOT 8
#define MPI_ERR_GROUP 9
#define MPI_ERR_OP 10
#define MPI_ERR_TOPOLOGY 11
#define MPI_ERR_DIMS 12
#define MPI_ERR_ARG 13
#define MPI_ERR_UNKNOWN 14
#define MPI_ERR_TRUNCATE 15
#define MPI_ERR_OTHER 16
#define MPI_ERR_INTERN 17
#define MPI_ERR_IN_STATUS 18
#define MPI_ERR_PENDING 19
#define MPI_ERR_ACCESS 20
#define MPI_ERR_AMODE 21
#define MPI_ERR_ASSERT 22
#define MPI_ERR_BAD_FILE 23
#define MPI_ERR_BASE 24
#define MPI_ERR_CONVERSION 25
#define MPI_ERR_DISP 26
#define MPI_ERR_DUP_DATAREP 27
#define MPI_ERR_FILE_EXISTS 28
#define MPI_ERR_FILE_IN_USE 29
#define MPI_ERR_FILE 30
#define MPI_ERR_INFO_KEY 31
#define MPI_ERR_INFO_NOKEY 32
#define MPI_ERR_INFO_VALUE 33
#define MPI_ERR_INFO 34
#define MPI_ERR_IO 35
#define MPI_ERR_KEYVAL 36
#define MPI_ERR_LOCKTYPE 37
#define MPI_ERR_NAME 38
#define MPI_ERR_NO_MEM 39
#define MPI_ERR_NOT_SAME 40
#define MPI_ERR_NO_SPACE 41
#define MPI_ERR_NO_SUCH_FILE 42
#define MPI_ERR_PORT 43
#define MPI_ERR_QUOTA 44
#define MPI_ERR_READ_ONLY 45
#define MPI_ERR_RMA_ATTACH 46
#define MPI_ERR_RMA_CONFLICT 47
#define MPI_ERR_RMA_RANGE 48
#define MPI_ERR_RMA_SHARED 49
#define MPI_ERR_RMA_SYNC 50
#define MPI_ERR_RMA_FLAVOR 51
#define MPI_ERR_SERVICE 52
#define MPI_ERR_SIZE 53
#define MPI_ERR_SPAWN 54
#define MPI_ERR_UNSUPPORTED_DATAREP 55
#define MPI_ERR_UNSUPPORTED_OPERATION 56
#define MPI_ERR_WIN 57
#define MPI_ERR_LASTCODE 92

#define MPI_ANY_SOURCE (-1)
#define MPI_ANY_TAG (-1)
#define MPI_PROC_NULL (-2)
#define MPI_UNDEFINED (-32766)
#define MPI_STATUS_IGNORE ((MPI_Status*)0)
#define MPI_STATUSES_IGNORE ((MPI_Status*)0)
#define MPI_MAX_PROCESSOR_NAME 256
#define MPI_MAX_ERROR_STRING 512
#define MPI_BSEND_OVERHEAD 128 /* baton::bsend_overhead */

#define MPI_THREAD_SINGLE 0
#define MPI_THREAD_FUNNELED 1
#define MPI_THREAD_SERIALIZED 2
#define MPI_THREAD_MULTIPLE 3

#define MPI_COMM_NULL 0
#define MPI_COMM_WORLD 1
#define MPI_COMM_SELF 2
#define MPI_MAX_OBJECT_NAME 128
#define MPI_IDENT 0
#define MPI_CONGRUENT 1
#define MPI_SIMILAR 2
#define MPI_UNEQUAL 3
#define MPI_CART 1

#define MPI_REQUEST_NULL 0
#define MPI_INFO_NULL 0
#define MPI_WIN_NULL 0
#define MPI_FILE_NULL 0

/* Predefined datatypes: the C types, then the fixed-size ones, then MPI_BYTE. */
#define MPI_DATATYPE_NULL 0
#define MPI_CHAR 1
#define MPI_SIGNED_CHAR 2
#define MPI_UNSIGNED_CHAR 3
#define MPI_SHORT 4
#define MPI_UNSIGNED_SHORT 5
#define MPI_INT 6
#define MPI_UNSIGNED 7
#define MPI_LONG 8
#define MPI_UNSIGNED_LONG 9
#define MPI_LONG_LONG_INT 10
#define MPI_LONG_LONG MPI_LONG_LONG_INT
#define MPI_UNSIGNED_LONG_LONG 11
#define MPI_FLOAT 12
#define MPI_DOUBLE 13
#define MPI_LONG_DOUBLE 14
#define MPI_C_BOOL 15
#define MPI_INT8_T 16
#define MPI_INT16_T 17
#define MPI_INT32_T 18
#define MPI_INT64_T 19
#define MPI_UINT8_T 20
#define MPI_UINT16_T 21
#define MPI_UINT32_T 22
#define MPI_UINT64_T 23
#define MPI_BYTE 24
#define MPI_WCHAR 25

/* Predefined reductions. */
#define MPI_OP_NULL 0
#define MPI_SUM 1
#define MPI_PROD 2
#define MPI_MIN 3
#define MPI_MAX 4
#define MPI_LAND 5
#define MPI_LOR 6
#define MPI_LXOR 7
#define MPI_BAND 8
#define MPI_BOR 9
#define MPI_BXOR 10

/* A reduction of the program's own (MPI_Op_create): inoutvec[i] = invec[i] op inoutvec[i]. */
typedef void MPI_User_function(void* invec, void* inoutvec, int* len, MPI_Datatype* datatype);

/* Where a call is in the program: a record the compiler keeps in read-only data, one per call
 * site (the layout of the C++ library's std::source_location record). */
struct baton_mpi_where {
    const char* file;
    const char* function;
    unsigned line;
    unsigned column;
};
#define BATON_MPI_HERE                                                                              \
    (__extension__({                                                                                \
        static const struct baton_mpi_where baton_mpi_where_ = {__FILE__, __func__, __LINE__, 0};  \
        &baton_mpi_where_;                                                                          \
    }))

/* The functions, each in two forms: baton_MPI_X(args) (a call without its line, and what &MPI_X
 * names) and baton_MPI_X_at(where, args) (what a call MPI_X(args) becomes). The parentheses around
 * each name keep the macros below from expanding it here. */
#define BATON_MPI_FUNCTION(name, params, ...)                                                      \
    int(baton_##name) params;                                                                      \
    int(baton_##name##_at)(const struct baton_mpi_where* where, __VA_ARGS__);
#define BATON_MPI_FUNCTION_VOID(name)                                                              \
    int(baton_##name)(void);                                                                       \
    int(baton_##name##_at)(const struct baton_mpi_where* where);

/* Environment */
BATON_MPI_FUNCTION(MPI_Init, (int* argc, char*** argv), int* argc, char*** argv)
BATON_MPI_FUNCTION(MPI_Init_thread, (int* argc, char*** argv, int required, int* provided), int* argc, char*** argv,
                   int required, int* provided)
BATON_MPI_FUNCTION_VOID(MPI_Finalize)
BATON_MPI_FUNCTION(MPI_Initialized, (int* flag), int* flag)
BATON_MPI_FUNCTION(MPI_Finalized, (int* flag), int* flag)
BATON_MPI_FUNCTION(MPI_Abort, (MPI_Comm comm, int errorcode), MPI_Comm comm, int errorcode)
BATON_MPI_FUNCTION(MPI_Get_processor_name, (char* name, int* resultlen), char* name, int* resultlen)
BATON_MPI_FUNCTION(MPI_Get_version, (int* version, int* subversion), int* version, int* subversion)
BATON_MPI_FUNCTION(MPI_Error_string, (int errorcode, char* string, int* resultlen), int errorcode, char* string,
                   int* resultlen)
double(baton_MPI_Wtime)(void);
double(baton_MPI_Wtick)(void);

/* Communicators */
BATON_MPI_FUNCTION(MPI_Comm_rank, (MPI_Comm comm, int* rank), MPI_Comm comm, int* rank)
BATON_MPI_FUNCTION(MPI_Comm_size, (MPI_Comm comm, int* size), MPI_Comm comm, int* size)
BATON_MPI_FUNCTION(MPI_Comm_dup, (MPI_Comm comm, MPI_Comm* newcomm), MPI_Comm comm, MPI_Comm* newcomm)
BATON_MPI_FUNCTION(MPI_Comm_split, (MPI_Comm comm, int color, int key, MPI_Comm* newcomm), MPI_Comm comm, int color,
                   int key, MPI_Comm* newcomm)
BATON_MPI_FUNCTION(MPI_Comm_free, (MPI_Comm* comm), MPI_Comm* comm)
BATON_MPI_FUNCTION(MPI_Comm_set_name, (MPI_Comm comm, const char* name), MPI_Comm comm, const char* name)
BATON_MPI_FUNCTION(MPI_Comm_get_name, (MPI_Comm comm, char* name, int* resultlen), MPI_Comm comm, char* name,
                   int* resultlen)

/* Datatypes */
BATON_MPI_FUNCTION(MPI_Type_size, (MPI_Datatype datatype, int* size), MPI_Datatype datatype, int* size)
BATON_MPI_FUNCTION(MPI_Get_count, (const MPI_Status* status, MPI_Datatype datatype, int* count),
                   const MPI_Status* status, MPI_Datatype datatype, int* count)

/* Point-to-point */
BATON_MPI_FUNCTION(MPI_Send, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm),
                   const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Ssend, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm),
                   const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Recv,
                   (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm, MPI_Status* status),
                   void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Sendrecv,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag, void* recvbuf,
                    int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm, MPI_Status* status),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag, void* recvbuf,
                   int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Isend,
                   (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                    MPI_Request* request),
                   const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                   MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Irecv,
                   (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                    MPI_Request* request),
                   void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                   MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Wait, (MPI_Request* request, MPI_Status* status), MPI_Request* request, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Test, (MPI_Request* request, int* flag, MPI_Status* status), MPI_Request* request, int* flag,
                   MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Waitall, (int count, MPI_Request requests[], MPI_Status statuses[]), int count,
                   MPI_Request requests[], MPI_Status statuses[])

BATON_MPI_FUNCTION(MPI_Bsend, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm),
                   const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Rsend, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm),
                   const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
#define BATON_MPI_STARTING(name)                                                                              \
    BATON_MPI_FUNCTION(name,                                                                                  \
                       (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,  \
                        MPI_Request* request),                                                                \
                       const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,   \
                       MPI_Request* request)
BATON_MPI_STARTING(MPI_Issend)
BATON_MPI_STARTING(MPI_Ibsend)
BATON_MPI_STARTING(MPI_Irsend)
BATON_MPI_STARTING(MPI_Send_init)
BATON_MPI_STARTING(MPI_Ssend_init)
#undef BATON_MPI_STARTING
BATON_MPI_FUNCTION(MPI_Recv_init,
                   (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                    MPI_Request* request),
                   void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                   MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Sendrecv_replace,
                   (void* buf, int count, MPI_Datatype datatype, int dest, int sendtag, int source, int recvtag,
                    MPI_Comm comm, MPI_Status* status),
                   void* buf, int count, MPI_Datatype datatype, int dest, int sendtag, int source, int recvtag,
                   MPI_Comm comm, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Probe, (int source, int tag, MPI_Comm comm, MPI_Status* status), int source, int tag,
                   MPI_Comm comm, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Iprobe, (int source, int tag, MPI_Comm comm, int* flag, MPI_Status* status), int source, int tag,
                   MPI_Comm comm, int* flag, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Buffer_attach, (void* buffer, int size), void* buffer, int size)
BATON_MPI_FUNCTION(MPI_Buffer_detach, (void* buffer_addr, int* size), void* buffer_addr, int* size)
BATON_MPI_FUNCTION(MPI_Get_elements, (const MPI_Status* status, MPI_Datatype datatype, int* count),
                   const MPI_Status* status, MPI_Datatype datatype, int* count)
BATON_MPI_FUNCTION(MPI_Waitany, (int count, MPI_Request requests[], int* index, MPI_Status* status), int count,
                   MPI_Request requests[], int* index, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Testany, (int count, MPI_Request requests[], int* index, int* flag, MPI_Status* status),
                   int count, MPI_Request requests[], int* index, int* flag, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Waitsome,
                   (int incount, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[]),
                   int incount, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[])
BATON_MPI_FUNCTION(MPI_Testsome,
                   (int incount, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[]),
                   int incount, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[])
BATON_MPI_FUNCTION(MPI_Testall, (int count, MPI_Request requests[], int* flag, MPI_Status statuses[]), int count,
                   MPI_Request requests[], int* flag, MPI_Status statuses[])
BATON_MPI_FUNCTION(MPI_Start, (MPI_Request * request), MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Startall, (int count, MPI_Request requests[]), int count, MPI_Request requests[])
BATON_MPI_FUNCTION(MPI_Cancel, (MPI_Request * request), MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Test_cancelled, (const MPI_Status* status, int* flag), const MPI_Status* status, int* flag)
BATON_MPI_FUNCTION(MPI_Request_free, (MPI_Request * request), MPI_Request* request)

/* Collectives */
BATON_MPI_FUNCTION(MPI_Barrier, (MPI_Comm comm), MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Bcast, (void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm),
                   void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Scatter,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                    MPI_Datatype recvtype, int root, MPI_Comm comm),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                   MPI_Datatype recvtype, int root, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Gather,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                    MPI_Datatype recvtype, int root, MPI_Comm comm),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                   MPI_Datatype recvtype, int root, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Allgather,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                    MPI_Datatype recvtype, MPI_Comm comm),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                   MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Reduce,
                   (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                    MPI_Comm comm),
                   const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                   MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Allreduce,
                   (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm),
                   const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)

BATON_MPI_FUNCTION(MPI_Gatherv,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                    const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                   const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Scatterv,
                   (const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
                    void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm),
                   const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
                   void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Allgatherv,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                    const int displs[], MPI_Datatype recvtype, MPI_Comm comm),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                   const int displs[], MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Alltoall,
                   (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                    MPI_Datatype recvtype, MPI_Comm comm),
                   const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                   MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Alltoallv,
                   (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                    void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm),
                   const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                   void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Reduce_scatter_block,
                   (const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm),
                   const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Reduce_scatter,
                   (const void* sendbuf, void* recvbuf, const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
                    MPI_Comm comm),
                   const void* sendbuf, void* recvbuf, const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
                   MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Scan,
                   (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm),
                   const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Exscan,
                   (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm),
                   const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)

#define BATON_MPI_IROOTED(name)                                                                               \
    BATON_MPI_FUNCTION(name,                                                                                  \
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount, \
                        MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request),                \
                       const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,  \
                       MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request)
#define BATON_MPI_IEVERYONE(name)                                                                             \
    BATON_MPI_FUNCTION(name,                                                                                  \
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount, \
                        MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),                          \
                       const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,  \
                       MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
BATON_MPI_IROOTED(MPI_Igather)
BATON_MPI_IROOTED(MPI_Iscatter)
BATON_MPI_IEVERYONE(MPI_Iallgather)
BATON_MPI_IEVERYONE(MPI_Ialltoall)
#undef BATON_MPI_IROOTED
#undef BATON_MPI_IEVERYONE

/* Cartesian topologies */
BATON_MPI_FUNCTION(MPI_Dims_create, (int nnodes, int ndims, int dims[]), int nnodes, int ndims, int dims[])
BATON_MPI_FUNCTION(MPI_Cart_create,
                   (MPI_Comm comm_old, int ndims, const int dims[], const int periods[], int reorder,
                    MPI_Comm* comm_cart),
                   MPI_Comm comm_old, int ndims, const int dims[], const int periods[], int reorder,
                   MPI_Comm* comm_cart)
BATON_MPI_FUNCTION(MPI_Cartdim_get, (MPI_Comm comm, int* ndims), MPI_Comm comm, int* ndims)
BATON_MPI_FUNCTION(MPI_Cart_get, (MPI_Comm comm, int maxdims, int dims[], int periods[], int coords[]), MPI_Comm comm,
                   int maxdims, int dims[], int periods[], int coords[])
BATON_MPI_FUNCTION(MPI_Cart_coords, (MPI_Comm comm, int rank, int maxdims, int coords[]), MPI_Comm comm, int rank,
                   int maxdims, int coords[])
BATON_MPI_FUNCTION(MPI_Cart_rank, (MPI_Comm comm, const int coords[], int* rank), MPI_Comm comm, const int coords[],
                   int* rank)
BATON_MPI_FUNCTION(MPI_Cart_shift, (MPI_Comm comm, int direction, int disp, int* rank_source, int* rank_dest),
                   MPI_Comm comm, int direction, int disp, int* rank_source, int* rank_dest)
BATON_MPI_FUNCTION(MPI_Cart_sub, (MPI_Comm comm, const int remain_dims[], MPI_Comm* newcomm), MPI_Comm comm,
                   const int remain_dims[], MPI_Comm* newcomm)
BATON_MPI_FUNCTION(MPI_Topo_test, (MPI_Comm comm, int* status), MPI_Comm comm, int* status)

/* Reductions of the program's own */
BATON_MPI_FUNCTION(MPI_Op_create, (MPI_User_function * user_fn, int commute, MPI_Op* op), MPI_User_function* user_fn,
                   int commute, MPI_Op* op)
BATON_MPI_FUNCTION(MPI_Op_free, (MPI_Op * op), MPI_Op* op)

/* Non-blocking collectives */
BATON_MPI_FUNCTION(MPI_Ibarrier, (MPI_Comm comm, MPI_Request* request), MPI_Comm comm, MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Ibcast,
                   (void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm, MPI_Request* request),
                   void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm, MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Ireduce,
                   (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                    MPI_Comm comm, MPI_Request* request),
                   const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                   MPI_Comm comm, MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Iallreduce,
                   (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                    MPI_Request* request),
                   const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                   MPI_Request* request)

/* Derived datatypes */
BATON_MPI_FUNCTION(MPI_Type_contiguous, (int count, MPI_Datatype oldtype, MPI_Datatype* newtype), int count,
                   MPI_Datatype oldtype, MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_vector,
                   (int count, int blocklength, int stride, MPI_Datatype oldtype, MPI_Datatype* newtype), int count,
                   int blocklength, int stride, MPI_Datatype oldtype, MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_hvector,
                   (int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype, MPI_Datatype* newtype),
                   int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype, MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_indexed,
                   (int count, const int blocklengths[], const int displacements[], MPI_Datatype oldtype,
                    MPI_Datatype* newtype),
                   int count, const int blocklengths[], const int displacements[], MPI_Datatype oldtype,
                   MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_hindexed,
                   (int count, const int blocklengths[], const MPI_Aint displacements[], MPI_Datatype oldtype,
                    MPI_Datatype* newtype),
                   int count, const int blocklengths[], const MPI_Aint displacements[], MPI_Datatype oldtype,
                   MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_indexed_block,
                   (int count, int blocklength, const int displacements[], MPI_Datatype oldtype,
                    MPI_Datatype* newtype),
                   int count, int blocklength, const int displacements[], MPI_Datatype oldtype, MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_struct,
                   (int count, const int blocklengths[], const MPI_Aint displacements[], const MPI_Datatype types[],
                    MPI_Datatype* newtype),
                   int count, const int blocklengths[], const MPI_Aint displacements[], const MPI_Datatype types[],
                   MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_resized, (MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent, MPI_Datatype* newtype),
                   MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent, MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_commit, (MPI_Datatype * datatype), MPI_Datatype* datatype)
BATON_MPI_FUNCTION(MPI_Type_free, (MPI_Datatype * datatype), MPI_Datatype* datatype)
BATON_MPI_FUNCTION(MPI_Type_get_extent, (MPI_Datatype datatype, MPI_Aint* lb, MPI_Aint* extent), MPI_Datatype datatype,
                   MPI_Aint* lb, MPI_Aint* extent)


/* MPI_X names baton_MPI_X; a call MPI_X(...) becomes baton_MPI_X_at(where it is, ...). */
#define BATON_MPI_CALL(name, ...) baton_##name##_at(BATON_MPI_HERE, __VA_ARGS__)
#define MPI_Init baton_MPI_Init
#define baton_MPI_Init(...) BATON_MPI_CALL(MPI_Init, __VA_ARGS__)
#define MPI_Init_thread baton_MPI_Init_thread
#define baton_MPI_Init_thread(...) BATON_MPI_CALL(MPI_Init_thread, __VA_ARGS__)
#define MPI_Finalize baton_MPI_Finalize
#define baton_MPI_Finalize() baton_MPI_Finalize_at(BATON_MPI_HERE)
#define MPI_Initialized baton_MPI_Initialized
#define baton_MPI_Initialized(...) BATON_MPI_CALL(MPI_Initialized, __VA_ARGS__)
#define MPI_Finalized baton_MPI_Finalized
#define baton_MPI_Finalized(...) BATON_MPI_CALL(MPI_Finalized, __VA_ARGS__)
#define MPI_Abort baton_MPI_Abort
#define baton_MPI_Abort(...) BATON_MPI_CALL(MPI_Abort, __VA_ARGS__)
#define MPI_Get_processor_name baton_MPI_Get_processor_name
#define baton_MPI_Get_processor_name(...) BATON_MPI_CALL(MPI_Get_processor_name, __VA_ARGS__)
#define MPI_Get_version baton_MPI_Get_version
#define baton_MPI_Get_version(...) BATON_MPI_CALL(MPI_Get_version, __VA_ARGS__)
#define MPI_Error_string baton_MPI_Error_string
#define baton_MPI_Error_string(...) BATON_MPI_CALL(MPI_Error_string, __VA_ARGS__)
#define MPI_Wtime baton_MPI_Wtime
#define MPI_Wtick baton_MPI_Wtick
#define MPI_Comm_rank baton_MPI_Comm_rank
#define baton_MPI_Comm_rank(...) BATON_MPI_CALL(MPI_Comm_rank, __VA_ARGS__)
#define MPI_Comm_size baton_MPI_Comm_size
#define baton_MPI_Comm_size(...) BATON_MPI_CALL(MPI_Comm_size, __VA_ARGS__)
#define MPI_Comm_dup baton_MPI_Comm_dup
#define baton_MPI_Comm_dup(...) BATON_MPI_CALL(MPI_Comm_dup, __VA_ARGS__)
#define MPI_Comm_split baton_MPI_Comm_split
#define baton_MPI_Comm_split(...) BATON_MPI_CALL(MPI_Comm_split, __VA_ARGS__)
#define MPI_Comm_free baton_MPI_Comm_free
#define baton_MPI_Comm_free(...) BATON_MPI_CALL(MPI_Comm_free, __VA_ARGS__)
#define MPI_Comm_set_name baton_MPI_Comm_set_name
#define baton_MPI_Comm_set_name(...) BATON_MPI_CALL(MPI_Comm_set_name, __VA_ARGS__)
#define MPI_Comm_get_name baton_MPI_Comm_get_name
#define baton_MPI_Comm_get_name(...) BATON_MPI_CALL(MPI_Comm_get_name, __VA_ARGS__)
#define MPI_Type_size baton_MPI_Type_size
#define baton_MPI_Type_size(...) BATON_MPI_CALL(MPI_Type_size, __VA_ARGS__)
#define MPI_Get_count baton_MPI_Get_count
#define baton_MPI_Get_count(...) BATON_MPI_CALL(MPI_Get_count, __VA_ARGS__)
#define MPI_Send baton_MPI_Send
#define baton_MPI_Send(...) BATON_MPI_CALL(MPI_Send, __VA_ARGS__)
#define MPI_Ssend baton_MPI_Ssend
#define baton_MPI_Ssend(...) BATON_MPI_CALL(MPI_Ssend, __VA_ARGS__)
#define MPI_Recv baton_MPI_Recv
#define baton_MPI_Recv(...) BATON_MPI_CALL(MPI_Recv, __VA_ARGS__)
#define MPI_Sendrecv baton_MPI_Sendrecv
#define baton_MPI_Sendrecv(...) BATON_MPI_CALL(MPI_Sendrecv, __VA_ARGS__)
#define MPI_Isend baton_MPI_Isend
#define baton_MPI_Isend(...) BATON_MPI_CALL(MPI_Isend, __VA_ARGS__)
#define MPI_Irecv baton_MPI_Irecv
#define baton_MPI_Irecv(...) BATON_MPI_CALL(MPI_Irecv, __VA_ARGS__)
#define MPI_Wait baton_MPI_Wait
#define baton_MPI_Wait(...) BATON_MPI_CALL(MPI_Wait, __VA_ARGS__)
#define MPI_Test baton_MPI_Test
#define baton_MPI_Test(...) BATON_MPI_CALL(MPI_Test, __VA_ARGS__)
#define MPI_Waitall baton_MPI_Waitall
#define baton_MPI_Waitall(...) BATON_MPI_CALL(MPI_Waitall, __VA_ARGS__)
#define MPI_Bsend baton_MPI_Bsend
#define baton_MPI_Bsend(...) BATON_MPI_CALL(MPI_Bsend, __VA_ARGS__)
#define MPI_Rsend baton_MPI_Rsend
#define baton_MPI_Rsend(...) BATON_MPI_CALL(MPI_Rsend, __VA_ARGS__)
#define MPI_Issend baton_MPI_Issend
#define baton_MPI_Issend(...) BATON_MPI_CALL(MPI_Issend, __VA_ARGS__)
#define MPI_Ibsend baton_MPI_Ibsend
#define baton_MPI_Ibsend(...) BATON_MPI_CALL(MPI_Ibsend, __VA_ARGS__)
#define MPI_Irsend baton_MPI_Irsend
#define baton_MPI_Irsend(...) BATON_MPI_CALL(MPI_Irsend, __VA_ARGS__)
#define MPI_Send_init baton_MPI_Send_init
#define baton_MPI_Send_init(...) BATON_MPI_CALL(MPI_Send_init, __VA_ARGS__)
#define MPI_Ssend_init baton_MPI_Ssend_init
#define baton_MPI_Ssend_init(...) BATON_MPI_CALL(MPI_Ssend_init, __VA_ARGS__)
#define MPI_Recv_init baton_MPI_Recv_init
#define baton_MPI_Recv_init(...) BATON_MPI_CALL(MPI_Recv_init, __VA_ARGS__)
#define MPI_Sendrecv_replace baton_MPI_Sendrecv_replace
#define baton_MPI_Sendrecv_replace(...) BATON_MPI_CALL(MPI_Sendrecv_replace, __VA_ARGS__)
#define MPI_Probe baton_MPI_Probe
#define baton_MPI_Probe(...) BATON_MPI_CALL(MPI_Probe, __VA_ARGS__)
#define MPI_Iprobe baton_MPI_Iprobe
#define baton_MPI_Iprobe(...) BATON_MPI_CALL(MPI_Iprobe, __VA_ARGS__)
#define MPI_Buffer_attach baton_MPI_Buffer_attach
#define baton_MPI_Buffer_attach(...) BATON_MPI_CALL(MPI_Buffer_attach, __VA_ARGS__)
#define MPI_Buffer_detach baton_MPI_Buffer_detach
#define baton_MPI_Buffer_detach(...) BATON_MPI_CALL(MPI_Buffer_detach, __VA_ARGS__)
#define MPI_Get_elements baton_MPI_Get_elements
#define baton_MPI_Get_elements(...) BATON_MPI_CALL(MPI_Get_elements, __VA_ARGS__)
#define MPI_Waitany baton_MPI_Waitany
#define baton_MPI_Waitany(...) BATON_MPI_CALL(MPI_Waitany, __VA_ARGS__)
#define MPI_Testany baton_MPI_Testany
#define baton_MPI_Testany(...) BATON_MPI_CALL(MPI_Testany, __VA_ARGS__)
#define MPI_Waitsome baton_MPI_Waitsome
#define baton_MPI_Waitsome(...) BATON_MPI_CALL(MPI_Waitsome, __VA_ARGS__)
#define MPI_Testsome baton_MPI_Testsome
#define baton_MPI_Testsome(...) BATON_MPI_CALL(MPI_Testsome, __VA_ARGS__)
#define MPI_Testall baton_MPI_Testall
#define baton_MPI_Testall(...) BATON_MPI_CALL(MPI_Testall, __VA_ARGS__)
#define MPI_Start baton_MPI_Start
#define baton_MPI_Start(...) BATON_MPI_CALL(MPI_Start, __VA_ARGS__)
#define MPI_Startall baton_MPI_Startall
#define baton_MPI_Startall(...) BATON_MPI_CALL(MPI_Startall, __VA_ARGS__)
#define MPI_Cancel baton_MPI_Cancel
#define baton_MPI_Cancel(...) BATON_MPI_CALL(MPI_Cancel, __VA_ARGS__)
#define MPI_Test_cancelled baton_MPI_Test_cancelled
#define baton_MPI_Test_cancelled(...) BATON_MPI_CALL(MPI_Test_cancelled, __VA_ARGS__)
#define MPI_Request_free baton_MPI_Request_free
#define baton_MPI_Request_free(...) BATON_MPI_CALL(MPI_Request_free, __VA_ARGS__)
#define MPI_Barrier baton_MPI_Barrier
#define baton_MPI_Barrier(...) BATON_MPI_CALL(MPI_Barrier, __VA_ARGS__)
#define MPI_Bcast baton_MPI_Bcast
#define baton_MPI_Bcast(...) BATON_MPI_CALL(MPI_Bcast, __VA_ARGS__)
#define MPI_Scatter baton_MPI_Scatter
#define baton_MPI_Scatter(...) BATON_MPI_CALL(MPI_Scatter, __VA_ARGS__)
#define MPI_Gather baton_MPI_Gather
#define baton_MPI_Gather(...) BATON_MPI_CALL(MPI_Gather, __VA_ARGS__)
#define MPI_Allgather baton_MPI_Allgather
#define baton_MPI_Allgather(...) BATON_MPI_CALL(MPI_Allgather, __VA_ARGS__)
#define MPI_Reduce baton_MPI_Reduce
#define baton_MPI_Reduce(...) BATON_MPI_CALL(MPI_Reduce, __VA_ARGS__)
#define MPI_Allreduce baton_MPI_Allreduce
#define baton_MPI_Allreduce(...) BATON_MPI_CALL(MPI_Allreduce, __VA_ARGS__)

#define MPI_Gatherv baton_MPI_Gatherv
#define baton_MPI_Gatherv(...) BATON_MPI_CALL(MPI_Gatherv, __VA_ARGS__)
#define MPI_Scatterv baton_MPI_Scatterv
#define baton_MPI_Scatterv(...) BATON_MPI_CALL(MPI_Scatterv, __VA_ARGS__)
#define MPI_Allgatherv baton_MPI_Allgatherv
#define baton_MPI_Allgatherv(...) BATON_MPI_CALL(MPI_Allgatherv, __VA_ARGS__)
#define MPI_Alltoall baton_MPI_Alltoall
#define baton_MPI_Alltoall(...) BATON_MPI_CALL(MPI_Alltoall, __VA_ARGS__)
#define MPI_Alltoallv baton_MPI_Alltoallv
#define baton_MPI_Alltoallv(...) BATON_MPI_CALL(MPI_Alltoallv, __VA_ARGS__)
#define MPI_Reduce_scatter_block baton_MPI_Reduce_scatter_block
#define baton_MPI_Reduce_scatter_block(...) BATON_MPI_CALL(MPI_Reduce_scatter_block, __VA_ARGS__)
#define MPI_Reduce_scatter baton_MPI_Reduce_scatter
#define baton_MPI_Reduce_scatter(...) BATON_MPI_CALL(MPI_Reduce_scatter, __VA_ARGS__)
#define MPI_Scan baton_MPI_Scan
#define baton_MPI_Scan(...) BATON_MPI_CALL(MPI_Scan, __VA_ARGS__)
#define MPI_Exscan baton_MPI_Exscan
#define baton_MPI_Exscan(...) BATON_MPI_CALL(MPI_Exscan, __VA_ARGS__)

#define MPI_Dims_create baton_MPI_Dims_create
#define baton_MPI_Dims_create(...) BATON_MPI_CALL(MPI_Dims_create, __VA_ARGS__)
#define MPI_Cart_create baton_MPI_Cart_create
#define baton_MPI_Cart_create(...) BATON_MPI_CALL(MPI_Cart_create, __VA_ARGS__)
#define MPI_Cartdim_get baton_MPI_Cartdim_get
#define baton_MPI_Cartdim_get(...) BATON_MPI_CALL(MPI_Cartdim_get, __VA_ARGS__)
#define MPI_Cart_get baton_MPI_Cart_get
#define baton_MPI_Cart_get(...) BATON_MPI_CALL(MPI_Cart_get, __VA_ARGS__)
#define MPI_Cart_coords baton_MPI_Cart_coords
#define baton_MPI_Cart_coords(...) BATON_MPI_CALL(MPI_Cart_coords, __VA_ARGS__)
#define MPI_Cart_rank baton_MPI_Cart_rank
#define baton_MPI_Cart_rank(...) BATON_MPI_CALL(MPI_Cart_rank, __VA_ARGS__)
#define MPI_Cart_shift baton_MPI_Cart_shift
#define baton_MPI_Cart_shift(...) BATON_MPI_CALL(MPI_Cart_shift, __VA_ARGS__)
#define MPI_Cart_sub baton_MPI_Cart_sub
#define baton_MPI_Cart_sub(...) BATON_MPI_CALL(MPI_Cart_sub, __VA_ARGS__)
#define MPI_Topo_test baton_MPI_Topo_test
#define baton_MPI_Topo_test(...) BATON_MPI_CALL(MPI_Topo_test, __VA_ARGS__)

#define MPI_Op_create baton_MPI_Op_create
#define baton_MPI_Op_create(...) BATON_MPI_CALL(MPI_Op_create, __VA_ARGS__)
#define MPI_Op_free baton_MPI_Op_free
#define baton_MPI_Op_free(...) BATON_MPI_CALL(MPI_Op_free, __VA_ARGS__)

#define MPI_Ibarrier baton_MPI_Ibarrier
#define baton_MPI_Ibarrier(...) BATON_MPI_CALL(MPI_Ibarrier, __VA_ARGS__)
#define MPI_Ibcast baton_MPI_Ibcast
#define baton_MPI_Ibcast(...) BATON_MPI_CALL(MPI_Ibcast, __VA_ARGS__)
#define MPI_Ireduce baton_MPI_Ireduce
#define baton_MPI_Ireduce(...) BATON_MPI_CALL(MPI_Ireduce, __VA_ARGS__)
#define MPI_Iallreduce baton_MPI_Iallreduce
#define baton_MPI_Iallreduce(...) BATON_MPI_CALL(MPI_Iallreduce, __VA_ARGS__)

#define MPI_Type_contiguous baton_MPI_Type_contiguous
#define baton_MPI_Type_contiguous(...) BATON_MPI_CALL(MPI_Type_contiguous, __VA_ARGS__)
#define MPI_Type_vector baton_MPI_Type_vector
#define baton_MPI_Type_vector(...) BATON_MPI_CALL(MPI_Type_vector, __VA_ARGS__)
#define MPI_Type_create_hvector baton_MPI_Type_create_hvector
#define baton_MPI_Type_create_hvector(...) BATON_MPI_CALL(MPI_Type_create_hvector, __VA_ARGS__)
#define MPI_Type_indexed baton_MPI_Type_indexed
#define baton_MPI_Type_indexed(...) BATON_MPI_CALL(MPI_Type_indexed, __VA_ARGS__)
#define MPI_Type_create_hindexed baton_MPI_Type_create_hindexed
#define baton_MPI_Type_create_hindexed(...) BATON_MPI_CALL(MPI_Type_create_hindexed, __VA_ARGS__)
#define MPI_Type_create_indexed_block baton_MPI_Type_create_indexed_block
#define baton_MPI_Type_create_indexed_block(...) BATON_MPI_CALL(MPI_Type_create_indexed_block, __VA_ARGS__)
#define MPI_Type_create_struct baton_MPI_Type_create_struct
#define baton_MPI_Type_create_struct(...) BATON_MPI_CALL(MPI_Type_create_struct, __VA_ARGS__)
#define MPI_Type_create_resized baton_MPI_Type_create_resized
#define baton_MPI_Type_create_resized(...) BATON_MPI_CALL(MPI_Type_create_resized, __VA_ARGS__)
#define MPI_Type_commit baton_MPI_Type_commit
#define baton_MPI_Type_commit(...) BATON_MPI_CALL(MPI_Type_commit, __VA_ARGS__)
#define MPI_Type_free baton_MPI_Type_free
#define baton_MPI_Type_free(...) BATON_MPI_CALL(MPI_Type_free, __VA_ARGS__)
#define MPI_Type_get_extent baton_MPI_Type_get_extent
#define baton_MPI_Type_get_extent(...) BATON_MPI_CALL(MPI_Type_get_extent, __VA_ARGS__)

#define MPI_Igather baton_MPI_Igather
#define baton_MPI_Igather(...) BATON_MPI_CALL(MPI_Igather, __VA_ARGS__)
#define MPI_Iscatter baton_MPI_Iscatter
#define baton_MPI_Iscatter(...) BATON_MPI_CALL(MPI_Iscatter, __VA_ARGS__)
#define MPI_Iallgather baton_MPI_Iallgather
#define baton_MPI_Iallgather(...) BATON_MPI_CALL(MPI_Iallgather, __VA_ARGS__)
#define MPI_Ialltoall baton_MPI_Ialltoall
#define baton_MPI_Ialltoall(...) BATON_MPI_CALL(MPI_Ialltoall, __VA_ARGS__)

/* Parts of MPI baton's simulator does not have (one-sided, MPI-IO, dynamic processes,
 * intercommunicators, graph topologies, attributes, info objects): a call
 * compiles, and running it ends the run with "not supported by baton's simulator: MPI_Win_create"
 * naming its line, rather than failing to compile or link. Its arguments are passed along (and
 * ignored), so that the program's variables for them are used, as they would be by MPI's call. */
int baton_mpi_unsupported(const struct baton_mpi_where* where, const char* name, ...);
#define MPI_Win_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_create", __VA_ARGS__)
#define MPI_Win_allocate(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_allocate", __VA_ARGS__)
#define MPI_Win_allocate_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_allocate_shared", __VA_ARGS__)
#define MPI_Win_create_dynamic(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_create_dynamic", __VA_ARGS__)
#define MPI_Win_free(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_free", __VA_ARGS__)
#define MPI_Win_fence(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_fence", __VA_ARGS__)
#define MPI_Win_lock(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_lock", __VA_ARGS__)
#define MPI_Win_unlock(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_unlock", __VA_ARGS__)
#define MPI_Win_lock_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_lock_all", __VA_ARGS__)
#define MPI_Win_unlock_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_unlock_all", __VA_ARGS__)
#define MPI_Win_flush(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_flush", __VA_ARGS__)
#define MPI_Win_post(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_post", __VA_ARGS__)
#define MPI_Win_start(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_start", __VA_ARGS__)
#define MPI_Win_complete(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_complete", __VA_ARGS__)
#define MPI_Win_wait(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_wait", __VA_ARGS__)
#define MPI_Put(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Put", __VA_ARGS__)
#define MPI_Get(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Get", __VA_ARGS__)
#define MPI_Accumulate(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Accumulate", __VA_ARGS__)
#define MPI_Get_accumulate(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Get_accumulate", __VA_ARGS__)
#define MPI_Fetch_and_op(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Fetch_and_op", __VA_ARGS__)
#define MPI_Compare_and_swap(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Compare_and_swap", __VA_ARGS__)
#define MPI_Rput(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Rput", __VA_ARGS__)
#define MPI_Rget(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Rget", __VA_ARGS__)
#define MPI_File_open(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_open", __VA_ARGS__)
#define MPI_File_close(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_close", __VA_ARGS__)
#define MPI_File_read(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read", __VA_ARGS__)
#define MPI_File_write(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write", __VA_ARGS__)
#define MPI_File_read_at(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_at", __VA_ARGS__)
#define MPI_File_write_at(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_at", __VA_ARGS__)
#define MPI_File_read_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_all", __VA_ARGS__)
#define MPI_File_write_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_all", __VA_ARGS__)
#define MPI_File_read_at_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_at_all", __VA_ARGS__)
#define MPI_File_write_at_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_at_all", __VA_ARGS__)
#define MPI_File_set_view(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_set_view", __VA_ARGS__)
#define MPI_File_seek(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_seek", __VA_ARGS__)
#define MPI_File_get_size(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_size", __VA_ARGS__)
#define MPI_File_delete(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_delete", __VA_ARGS__)
#define MPI_Comm_spawn(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_spawn", __VA_ARGS__)
#define MPI_Comm_spawn_multiple(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_spawn_multiple", __VA_ARGS__)
#define MPI_Comm_get_parent(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_get_parent", __VA_ARGS__)
#define MPI_Comm_connect(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_connect", __VA_ARGS__)
#define MPI_Comm_accept(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_accept", __VA_ARGS__)
#define MPI_Open_port(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Open_port", __VA_ARGS__)
#define MPI_Close_port(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Close_port", __VA_ARGS__)
#define MPI_Intercomm_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Intercomm_create", __VA_ARGS__)
#define MPI_Intercomm_merge(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Intercomm_merge", __VA_ARGS__)
#define MPI_Comm_remote_size(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_remote_size", __VA_ARGS__)
#define MPI_Comm_remote_group(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_remote_group", __VA_ARGS__)
#define MPI_Graph_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Graph_create", __VA_ARGS__)
#define MPI_Dist_graph_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Dist_graph_create", __VA_ARGS__)
#define MPI_Dist_graph_create_adjacent(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Dist_graph_create_adjacent", __VA_ARGS__)
#define MPI_Comm_create_keyval(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_create_keyval", __VA_ARGS__)
#define MPI_Comm_set_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_set_attr", __VA_ARGS__)
#define MPI_Info_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_create", __VA_ARGS__)
#define MPI_Info_set(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_set", __VA_ARGS__)
#define MPI_Info_free(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_free", __VA_ARGS__)
#define MPI_Grequest_start(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Grequest_start", __VA_ARGS__)

/* Communicators and groups (issue 15's groups part): MPI_COMM_SELF is a communicator of the
 * calling rank alone, made at its first use; a group is a list of world ranks in the rank's table.
 * Every simulated rank is on one machine: MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) keeps the whole
 * communicator together. MPI_Comm_create_group (collective over the group alone) is not here yet. */
#define MPI_GROUP_NULL 0
#define MPI_GROUP_EMPTY 1
#define MPI_COMM_TYPE_SHARED 1
BATON_MPI_FUNCTION(MPI_Comm_group, (MPI_Comm comm, MPI_Group* group), MPI_Comm comm, MPI_Group* group)
BATON_MPI_FUNCTION(MPI_Comm_create, (MPI_Comm comm, MPI_Group group, MPI_Comm* newcomm), MPI_Comm comm,
                   MPI_Group group, MPI_Comm* newcomm)
BATON_MPI_FUNCTION(MPI_Comm_compare, (MPI_Comm comm1, MPI_Comm comm2, int* result), MPI_Comm comm1, MPI_Comm comm2,
                   int* result)
BATON_MPI_FUNCTION(MPI_Comm_split_type, (MPI_Comm comm, int split_type, int key, MPI_Info info, MPI_Comm* newcomm),
                   MPI_Comm comm, int split_type, int key, MPI_Info info, MPI_Comm* newcomm)
BATON_MPI_FUNCTION(MPI_Group_size, (MPI_Group group, int* size), MPI_Group group, int* size)
BATON_MPI_FUNCTION(MPI_Group_rank, (MPI_Group group, int* rank), MPI_Group group, int* rank)
BATON_MPI_FUNCTION(MPI_Group_incl, (MPI_Group group, int n, const int ranks[], MPI_Group* newgroup), MPI_Group group,
                   int n, const int ranks[], MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_excl, (MPI_Group group, int n, const int ranks[], MPI_Group* newgroup), MPI_Group group,
                   int n, const int ranks[], MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_range_incl, (MPI_Group group, int n, int ranges[][3], MPI_Group* newgroup),
                   MPI_Group group, int n, int ranges[][3], MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_range_excl, (MPI_Group group, int n, int ranges[][3], MPI_Group* newgroup),
                   MPI_Group group, int n, int ranges[][3], MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_union, (MPI_Group group1, MPI_Group group2, MPI_Group* newgroup), MPI_Group group1,
                   MPI_Group group2, MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_intersection, (MPI_Group group1, MPI_Group group2, MPI_Group* newgroup),
                   MPI_Group group1, MPI_Group group2, MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_difference, (MPI_Group group1, MPI_Group group2, MPI_Group* newgroup), MPI_Group group1,
                   MPI_Group group2, MPI_Group* newgroup)
BATON_MPI_FUNCTION(MPI_Group_compare, (MPI_Group group1, MPI_Group group2, int* result), MPI_Group group1,
                   MPI_Group group2, int* result)
BATON_MPI_FUNCTION(MPI_Group_translate_ranks,
                   (MPI_Group group1, int n, const int ranks1[], MPI_Group group2, int ranks2[]), MPI_Group group1,
                   int n, const int ranks1[], MPI_Group group2, int ranks2[])
BATON_MPI_FUNCTION(MPI_Group_free, (MPI_Group * group), MPI_Group* group)
#define MPI_Comm_group baton_MPI_Comm_group
#define baton_MPI_Comm_group(...) BATON_MPI_CALL(MPI_Comm_group, __VA_ARGS__)
#define MPI_Comm_create baton_MPI_Comm_create
#define baton_MPI_Comm_create(...) BATON_MPI_CALL(MPI_Comm_create, __VA_ARGS__)
#define MPI_Comm_compare baton_MPI_Comm_compare
#define baton_MPI_Comm_compare(...) BATON_MPI_CALL(MPI_Comm_compare, __VA_ARGS__)
#define MPI_Comm_split_type baton_MPI_Comm_split_type
#define baton_MPI_Comm_split_type(...) BATON_MPI_CALL(MPI_Comm_split_type, __VA_ARGS__)
#define MPI_Group_size baton_MPI_Group_size
#define baton_MPI_Group_size(...) BATON_MPI_CALL(MPI_Group_size, __VA_ARGS__)
#define MPI_Group_rank baton_MPI_Group_rank
#define baton_MPI_Group_rank(...) BATON_MPI_CALL(MPI_Group_rank, __VA_ARGS__)
#define MPI_Group_incl baton_MPI_Group_incl
#define baton_MPI_Group_incl(...) BATON_MPI_CALL(MPI_Group_incl, __VA_ARGS__)
#define MPI_Group_excl baton_MPI_Group_excl
#define baton_MPI_Group_excl(...) BATON_MPI_CALL(MPI_Group_excl, __VA_ARGS__)
#define MPI_Group_range_incl baton_MPI_Group_range_incl
#define baton_MPI_Group_range_incl(...) BATON_MPI_CALL(MPI_Group_range_incl, __VA_ARGS__)
#define MPI_Group_range_excl baton_MPI_Group_range_excl
#define baton_MPI_Group_range_excl(...) BATON_MPI_CALL(MPI_Group_range_excl, __VA_ARGS__)
#define MPI_Group_union baton_MPI_Group_union
#define baton_MPI_Group_union(...) BATON_MPI_CALL(MPI_Group_union, __VA_ARGS__)
#define MPI_Group_intersection baton_MPI_Group_intersection
#define baton_MPI_Group_intersection(...) BATON_MPI_CALL(MPI_Group_intersection, __VA_ARGS__)
#define MPI_Group_difference baton_MPI_Group_difference
#define baton_MPI_Group_difference(...) BATON_MPI_CALL(MPI_Group_difference, __VA_ARGS__)
#define MPI_Group_compare baton_MPI_Group_compare
#define baton_MPI_Group_compare(...) BATON_MPI_CALL(MPI_Group_compare, __VA_ARGS__)
#define MPI_Group_translate_ranks baton_MPI_Group_translate_ranks
#define baton_MPI_Group_translate_ranks(...) BATON_MPI_CALL(MPI_Group_translate_ranks, __VA_ARGS__)
#define MPI_Group_free baton_MPI_Group_free
#define baton_MPI_Group_free(...) BATON_MPI_CALL(MPI_Group_free, __VA_ARGS__)
#define MPI_Comm_create_group(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_create_group", __VA_ARGS__)
/* ---- The rest of the collectives (issue 15, part "coll"): the non-blocking v-forms, scans and
 * reduce-scatters, MPI_Alltoallw and MPI_Ialltoallw (a datatype per peer), neighbour collectives
 * on Cartesian communicators, blocking and not. */
#define BATON_MPI_COLL(name, ...) BATON_MPI_FUNCTION(name, (__VA_ARGS__), __VA_ARGS__)
BATON_MPI_COLL(MPI_Igatherv, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm,
               MPI_Request* request)
BATON_MPI_COLL(MPI_Iscatterv, const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
               void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Iallgatherv, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               const int recvcounts[], const int displs[], MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Ialltoallv, const void* sendbuf, const int sendcounts[], const int sdispls[],
               MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int rdispls[],
               MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Alltoallw, const void* sendbuf, const int sendcounts[], const int sdispls[],
               const MPI_Datatype sendtypes[], void* recvbuf, const int recvcounts[], const int rdispls[],
               const MPI_Datatype recvtypes[], MPI_Comm comm)
BATON_MPI_COLL(MPI_Ialltoallw, const void* sendbuf, const int sendcounts[], const int sdispls[],
               const MPI_Datatype sendtypes[], void* recvbuf, const int recvcounts[], const int rdispls[],
               const MPI_Datatype recvtypes[], MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Iscan, const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
               MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Iexscan, const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
               MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Ireduce_scatter_block, const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype datatype,
               MPI_Op op, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Ireduce_scatter, const void* sendbuf, void* recvbuf, const int recvcounts[],
               MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Neighbor_allgather, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_COLL(MPI_Neighbor_allgatherv, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               const int recvcounts[], const int displs[], MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_COLL(MPI_Neighbor_alltoall, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_COLL(MPI_Neighbor_alltoallv, const void* sendbuf, const int sendcounts[], const int sdispls[],
               MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int rdispls[],
               MPI_Datatype recvtype, MPI_Comm comm)
BATON_MPI_COLL(MPI_Ineighbor_allgather, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Ineighbor_allgatherv, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               const int recvcounts[], const int displs[], MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Ineighbor_alltoall, const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
               int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
BATON_MPI_COLL(MPI_Ineighbor_alltoallv, const void* sendbuf, const int sendcounts[], const int sdispls[],
               MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int rdispls[],
               MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request)
#undef BATON_MPI_COLL
#define MPI_Igatherv baton_MPI_Igatherv
#define baton_MPI_Igatherv(...) BATON_MPI_CALL(MPI_Igatherv, __VA_ARGS__)
#define MPI_Iscatterv baton_MPI_Iscatterv
#define baton_MPI_Iscatterv(...) BATON_MPI_CALL(MPI_Iscatterv, __VA_ARGS__)
#define MPI_Iallgatherv baton_MPI_Iallgatherv
#define baton_MPI_Iallgatherv(...) BATON_MPI_CALL(MPI_Iallgatherv, __VA_ARGS__)
#define MPI_Ialltoallv baton_MPI_Ialltoallv
#define baton_MPI_Ialltoallv(...) BATON_MPI_CALL(MPI_Ialltoallv, __VA_ARGS__)
#define MPI_Alltoallw baton_MPI_Alltoallw
#define baton_MPI_Alltoallw(...) BATON_MPI_CALL(MPI_Alltoallw, __VA_ARGS__)
#define MPI_Ialltoallw baton_MPI_Ialltoallw
#define baton_MPI_Ialltoallw(...) BATON_MPI_CALL(MPI_Ialltoallw, __VA_ARGS__)
#define MPI_Iscan baton_MPI_Iscan
#define baton_MPI_Iscan(...) BATON_MPI_CALL(MPI_Iscan, __VA_ARGS__)
#define MPI_Iexscan baton_MPI_Iexscan
#define baton_MPI_Iexscan(...) BATON_MPI_CALL(MPI_Iexscan, __VA_ARGS__)
#define MPI_Ireduce_scatter_block baton_MPI_Ireduce_scatter_block
#define baton_MPI_Ireduce_scatter_block(...) BATON_MPI_CALL(MPI_Ireduce_scatter_block, __VA_ARGS__)
#define MPI_Ireduce_scatter baton_MPI_Ireduce_scatter
#define baton_MPI_Ireduce_scatter(...) BATON_MPI_CALL(MPI_Ireduce_scatter, __VA_ARGS__)
#define MPI_Neighbor_allgather baton_MPI_Neighbor_allgather
#define baton_MPI_Neighbor_allgather(...) BATON_MPI_CALL(MPI_Neighbor_allgather, __VA_ARGS__)
#define MPI_Neighbor_allgatherv baton_MPI_Neighbor_allgatherv
#define baton_MPI_Neighbor_allgatherv(...) BATON_MPI_CALL(MPI_Neighbor_allgatherv, __VA_ARGS__)
#define MPI_Neighbor_alltoall baton_MPI_Neighbor_alltoall
#define baton_MPI_Neighbor_alltoall(...) BATON_MPI_CALL(MPI_Neighbor_alltoall, __VA_ARGS__)
#define MPI_Neighbor_alltoallv baton_MPI_Neighbor_alltoallv
#define baton_MPI_Neighbor_alltoallv(...) BATON_MPI_CALL(MPI_Neighbor_alltoallv, __VA_ARGS__)
#define MPI_Ineighbor_allgather baton_MPI_Ineighbor_allgather
#define baton_MPI_Ineighbor_allgather(...) BATON_MPI_CALL(MPI_Ineighbor_allgather, __VA_ARGS__)
#define MPI_Ineighbor_allgatherv baton_MPI_Ineighbor_allgatherv
#define baton_MPI_Ineighbor_allgatherv(...) BATON_MPI_CALL(MPI_Ineighbor_allgatherv, __VA_ARGS__)
#define MPI_Ineighbor_alltoall baton_MPI_Ineighbor_alltoall
#define baton_MPI_Ineighbor_alltoall(...) BATON_MPI_CALL(MPI_Ineighbor_alltoall, __VA_ARGS__)
#define MPI_Ineighbor_alltoallv baton_MPI_Ineighbor_alltoallv
#define baton_MPI_Ineighbor_alltoallv(...) BATON_MPI_CALL(MPI_Ineighbor_alltoallv, __VA_ARGS__)
/* The neighbour collectives with a datatype per neighbour are not there yet. */
#define MPI_Neighbor_alltoallw(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Neighbor_alltoallw", __VA_ARGS__)
#define MPI_Ineighbor_alltoallw(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Ineighbor_alltoallw", __VA_ARGS__)
/* ---- end of part "coll" */
/* ---- Part "types": matched probes, packing, pair types and the rest of the predefined types ---- */
/* More predefined datatypes: complex numbers, address-sized integers, packed bytes (MPI_Pack), and
 * the (value, index) pairs of MPI_MINLOC / MPI_MAXLOC, laid out as the C structs MPI names. */
#define MPI_C_FLOAT_COMPLEX 26
#define MPI_C_COMPLEX MPI_C_FLOAT_COMPLEX
#define MPI_C_DOUBLE_COMPLEX 27
#define MPI_C_LONG_DOUBLE_COMPLEX 28
#define MPI_AINT 29
#define MPI_OFFSET 30
#define MPI_COUNT 31
#define MPI_PACKED 32
#define MPI_FLOAT_INT 33
#define MPI_DOUBLE_INT 34
#define MPI_LONG_INT 35
#define MPI_2INT 36
#define MPI_SHORT_INT 37
#define MPI_LONG_DOUBLE_INT 38
#define MPI_MINLOC 11
#define MPI_MAXLOC 12

/* A message a matched probe (MPI_Mprobe, MPI_Improbe) took out of matching, for MPI_Mrecv/MPI_Imrecv. */
typedef int MPI_Message;
#define MPI_MESSAGE_NULL 0
#define MPI_MESSAGE_NO_PROC (-1) /* a matched probe of MPI_PROC_NULL */

BATON_MPI_FUNCTION(MPI_Mprobe, (int source, int tag, MPI_Comm comm, MPI_Message* message, MPI_Status* status),
                   int source, int tag, MPI_Comm comm, MPI_Message* message, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Improbe,
                   (int source, int tag, MPI_Comm comm, int* flag, MPI_Message* message, MPI_Status* status),
                   int source, int tag, MPI_Comm comm, int* flag, MPI_Message* message, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Mrecv, (void* buf, int count, MPI_Datatype datatype, MPI_Message* message, MPI_Status* status),
                   void* buf, int count, MPI_Datatype datatype, MPI_Message* message, MPI_Status* status)
BATON_MPI_FUNCTION(MPI_Imrecv,
                   (void* buf, int count, MPI_Datatype datatype, MPI_Message* message, MPI_Request* request),
                   void* buf, int count, MPI_Datatype datatype, MPI_Message* message, MPI_Request* request)
BATON_MPI_FUNCTION(MPI_Pack,
                   (const void* inbuf, int incount, MPI_Datatype datatype, void* outbuf, int outsize, int* position,
                    MPI_Comm comm),
                   const void* inbuf, int incount, MPI_Datatype datatype, void* outbuf, int outsize, int* position,
                   MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Unpack,
                   (const void* inbuf, int insize, int* position, void* outbuf, int outcount, MPI_Datatype datatype,
                    MPI_Comm comm),
                   const void* inbuf, int insize, int* position, void* outbuf, int outcount, MPI_Datatype datatype,
                   MPI_Comm comm)
BATON_MPI_FUNCTION(MPI_Pack_size, (int incount, MPI_Datatype datatype, MPI_Comm comm, int* size), int incount,
                   MPI_Datatype datatype, MPI_Comm comm, int* size)
#define MPI_Mprobe baton_MPI_Mprobe
#define baton_MPI_Mprobe(...) BATON_MPI_CALL(MPI_Mprobe, __VA_ARGS__)
#define MPI_Improbe baton_MPI_Improbe
#define baton_MPI_Improbe(...) BATON_MPI_CALL(MPI_Improbe, __VA_ARGS__)
#define MPI_Mrecv baton_MPI_Mrecv
#define baton_MPI_Mrecv(...) BATON_MPI_CALL(MPI_Mrecv, __VA_ARGS__)
#define MPI_Imrecv baton_MPI_Imrecv
#define baton_MPI_Imrecv(...) BATON_MPI_CALL(MPI_Imrecv, __VA_ARGS__)
#define MPI_Pack baton_MPI_Pack
#define baton_MPI_Pack(...) BATON_MPI_CALL(MPI_Pack, __VA_ARGS__)
#define MPI_Unpack baton_MPI_Unpack
#define baton_MPI_Unpack(...) BATON_MPI_CALL(MPI_Unpack, __VA_ARGS__)
#define MPI_Pack_size baton_MPI_Pack_size
#define baton_MPI_Pack_size(...) BATON_MPI_CALL(MPI_Pack_size, __VA_ARGS__)
/* ---- end of part "types" ---- */
/* Error handlers (MPI-3.1 §8.3, §8.4): MPI_ERRORS_ARE_FATAL (every communicator's at first),
 * MPI_ERRORS_RETURN, or a function of the program's, called with the communicator and the error
 * code before the call returns it. A new communicator inherits its parent's. */
#define MPI_ERRHANDLER_NULL 0
#define MPI_ERRORS_ARE_FATAL 1
#define MPI_ERRORS_RETURN 2
typedef void MPI_Comm_errhandler_function(MPI_Comm* comm, int* error_code, ...);
typedef MPI_Comm_errhandler_function MPI_Comm_errhandler_fn; /* MPI-2's name */
BATON_MPI_FUNCTION(MPI_Comm_create_errhandler,
                   (MPI_Comm_errhandler_function * function, MPI_Errhandler* errhandler),
                   MPI_Comm_errhandler_function* function, MPI_Errhandler* errhandler)
BATON_MPI_FUNCTION(MPI_Comm_set_errhandler, (MPI_Comm comm, MPI_Errhandler errhandler), MPI_Comm comm,
                   MPI_Errhandler errhandler)
BATON_MPI_FUNCTION(MPI_Comm_get_errhandler, (MPI_Comm comm, MPI_Errhandler* errhandler), MPI_Comm comm,
                   MPI_Errhandler* errhandler)
BATON_MPI_FUNCTION(MPI_Comm_call_errhandler, (MPI_Comm comm, int errorcode), MPI_Comm comm, int errorcode)
BATON_MPI_FUNCTION(MPI_Errhandler_free, (MPI_Errhandler * errhandler), MPI_Errhandler* errhandler)
BATON_MPI_FUNCTION(MPI_Error_class, (int errorcode, int* errorclass), int errorcode, int* errorclass)
#define MPI_Comm_create_errhandler baton_MPI_Comm_create_errhandler
#define baton_MPI_Comm_create_errhandler(...) BATON_MPI_CALL(MPI_Comm_create_errhandler, __VA_ARGS__)
#define MPI_Comm_set_errhandler baton_MPI_Comm_set_errhandler
#define baton_MPI_Comm_set_errhandler(...) BATON_MPI_CALL(MPI_Comm_set_errhandler, __VA_ARGS__)
#define MPI_Comm_get_errhandler baton_MPI_Comm_get_errhandler
#define baton_MPI_Comm_get_errhandler(...) BATON_MPI_CALL(MPI_Comm_get_errhandler, __VA_ARGS__)
#define MPI_Comm_call_errhandler baton_MPI_Comm_call_errhandler
#define baton_MPI_Comm_call_errhandler(...) BATON_MPI_CALL(MPI_Comm_call_errhandler, __VA_ARGS__)
#define MPI_Errhandler_free baton_MPI_Errhandler_free
#define baton_MPI_Errhandler_free(...) BATON_MPI_CALL(MPI_Errhandler_free, __VA_ARGS__)
#define MPI_Error_class baton_MPI_Error_class
#define baton_MPI_Error_class(...) BATON_MPI_CALL(MPI_Error_class, __VA_ARGS__)

/* Attributes: MPI's predefined ones of every communicator (MPI-3.1 §8.1.2), read by
 * MPI_Comm_get_attr (and MPI-1's MPI_Attr_get): a pointer to the value, as MPI gives it. The
 * program's own keys (MPI_Comm_create_keyval) are not supported. */
#define MPI_KEYVAL_INVALID 0
#define MPI_TAG_UB 1
#define MPI_HOST 2
#define MPI_IO 3
#define MPI_WTIME_IS_GLOBAL 4
#define MPI_UNIVERSE_SIZE 5
#define MPI_APPNUM 6
#define MPI_LASTUSEDCODE 7
BATON_MPI_FUNCTION(MPI_Comm_get_attr, (MPI_Comm comm, int keyval, void* attribute_val, int* flag), MPI_Comm comm,
                   int keyval, void* attribute_val, int* flag)
BATON_MPI_FUNCTION(MPI_Attr_get, (MPI_Comm comm, int keyval, void* attribute_val, int* flag), MPI_Comm comm,
                   int keyval, void* attribute_val, int* flag)
#define MPI_Comm_get_attr baton_MPI_Comm_get_attr
#define baton_MPI_Comm_get_attr(...) BATON_MPI_CALL(MPI_Comm_get_attr, __VA_ARGS__)
#define MPI_Attr_get baton_MPI_Attr_get
#define baton_MPI_Attr_get(...) BATON_MPI_CALL(MPI_Attr_get, __VA_ARGS__)
/* The profiling interface's switch (MPI-3.1 §14.2.4): no profiler listens, so it does nothing. */
int baton_MPI_Pcontrol(const int level, ...);
#define MPI_Pcontrol baton_MPI_Pcontrol

/* The rest of MPI-3.1 (issue 15, "the rest"): calls a program may make beyond the list above,
 * and the constants they take. */
#define MPI_BOTTOM ((void*)0)
#define MPI_MAX_LIBRARY_VERSION_STRING 256
#define MPI_MAX_INFO_KEY 255
#define MPI_MAX_INFO_VAL 1024
#define MPI_ORDER_C 56
#define MPI_ORDER_FORTRAN 57
#define MPI_DISTRIBUTE_BLOCK 121
#define MPI_DISTRIBUTE_CYCLIC 122
#define MPI_DISTRIBUTE_NONE 123
#define MPI_DISTRIBUTE_DFLT_DARG (-49767)
#define MPI_GRAPH 2
#define MPI_DIST_GRAPH 3
#define MPI_UNWEIGHTED ((int*)2)
#define MPI_WEIGHTS_EMPTY ((int*)3)
#define MPI_ROOT (-4)
#define MPI_ARGV_NULL ((char**)0)
#define MPI_ARGVS_NULL ((char***)0)
#define MPI_ERRCODES_IGNORE ((int*)0)
#define MPI_MODE_RDONLY 2
#define MPI_MODE_RDWR 8
#define MPI_MODE_WRONLY 4
#define MPI_MODE_CREATE 1
#define MPI_MODE_EXCL 64
#define MPI_MODE_DELETE_ON_CLOSE 16
#define MPI_MODE_UNIQUE_OPEN 32
#define MPI_MODE_APPEND 128
#define MPI_MODE_SEQUENTIAL 256
#define MPI_MODE_NOCHECK 1024
#define MPI_MODE_NOSTORE 2048
#define MPI_MODE_NOPUT 4096
#define MPI_MODE_NOPRECEDE 8192
#define MPI_MODE_NOSUCCEED 16384
#define MPI_LOCK_EXCLUSIVE 1
#define MPI_LOCK_SHARED 2
#define MPI_SEEK_SET 600
#define MPI_SEEK_CUR 602
#define MPI_SEEK_END 604
#define MPI_DISPLACEMENT_CURRENT (-54278278)
#define MPI_MAX_PORT_NAME 1024
#define MPI_MAX_DATAREP_STRING 128
#define MPI_INFO_ENV 1
#define MPI_REPLACE 13 /* MPI_Accumulate's, not a reduction */
#define MPI_NO_OP 14
#define MPI_WIN_FLAVOR_CREATE 1
#define MPI_WIN_FLAVOR_ALLOCATE 2
#define MPI_WIN_FLAVOR_DYNAMIC 3
#define MPI_WIN_FLAVOR_SHARED 4
#define MPI_WIN_SEPARATE 1
#define MPI_WIN_UNIFIED 2
#define MPI_TYPECLASS_INTEGER 1
#define MPI_TYPECLASS_REAL 2
#define MPI_TYPECLASS_COMPLEX 3
/* The callbacks of attribute keys of the program's own (not supported: only passed along). */
#define MPI_COMM_NULL_COPY_FN ((void*)0)
#define MPI_COMM_NULL_DELETE_FN ((void*)0)
#define MPI_COMM_DUP_FN ((void*)0)
#define MPI_TYPE_NULL_COPY_FN ((void*)0)
#define MPI_TYPE_NULL_DELETE_FN ((void*)0)
#define MPI_TYPE_DUP_FN ((void*)0)
#define MPI_WIN_NULL_COPY_FN ((void*)0)
#define MPI_WIN_NULL_DELETE_FN ((void*)0)
#define MPI_WIN_DUP_FN ((void*)0)
#define MPI_NULL_COPY_FN ((void*)0)
#define MPI_NULL_DELETE_FN ((void*)0)
#define MPI_DUP_FN ((void*)0)
/* C++'s types, for a C++ program: laid out as the C ones they are here. */
#define MPI_CXX_BOOL MPI_C_BOOL
#define MPI_CXX_FLOAT_COMPLEX MPI_C_FLOAT_COMPLEX
#define MPI_CXX_DOUBLE_COMPLEX MPI_C_DOUBLE_COMPLEX
#define MPI_CXX_LONG_DOUBLE_COMPLEX MPI_C_LONG_DOUBLE_COMPLEX
BATON_MPI_FUNCTION(MPI_Get_address, (const void* location, MPI_Aint* address), const void* location,
                   MPI_Aint* address)
BATON_MPI_FUNCTION(MPI_Alloc_mem, (MPI_Aint size, MPI_Info info, void* baseptr), MPI_Aint size, MPI_Info info,
                   void* baseptr)
BATON_MPI_FUNCTION(MPI_Free_mem, (void* base), void* base)
BATON_MPI_FUNCTION(MPI_Query_thread, (int* provided), int* provided)
BATON_MPI_FUNCTION(MPI_Is_thread_main, (int* flag), int* flag)
BATON_MPI_FUNCTION(MPI_Get_library_version, (char* version, int* resultlen), char* version, int* resultlen)
BATON_MPI_FUNCTION(MPI_Comm_test_inter, (MPI_Comm comm, int* flag), MPI_Comm comm, int* flag)
BATON_MPI_FUNCTION(MPI_Op_commutative, (MPI_Op op, int* commute), MPI_Op op, int* commute)
BATON_MPI_FUNCTION(MPI_Reduce_local,
                   (const void* inbuf, void* inoutbuf, int count, MPI_Datatype datatype, MPI_Op op),
                   const void* inbuf, void* inoutbuf, int count, MPI_Datatype datatype, MPI_Op op)
BATON_MPI_FUNCTION(MPI_Type_dup, (MPI_Datatype oldtype, MPI_Datatype* newtype), MPI_Datatype oldtype,
                   MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_hindexed_block,
                   (int count, int blocklength, const MPI_Aint displacements[], MPI_Datatype oldtype,
                    MPI_Datatype* newtype),
                   int count, int blocklength, const MPI_Aint displacements[], MPI_Datatype oldtype,
                   MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_create_subarray,
                   (int ndims, const int sizes[], const int subsizes[], const int starts[], int order,
                    MPI_Datatype oldtype, MPI_Datatype* newtype),
                   int ndims, const int sizes[], const int subsizes[], const int starts[], int order,
                   MPI_Datatype oldtype, MPI_Datatype* newtype)
BATON_MPI_FUNCTION(MPI_Type_get_true_extent, (MPI_Datatype datatype, MPI_Aint* true_lb, MPI_Aint* true_extent),
                   MPI_Datatype datatype, MPI_Aint* true_lb, MPI_Aint* true_extent)
BATON_MPI_FUNCTION(MPI_Type_set_name, (MPI_Datatype datatype, const char* type_name), MPI_Datatype datatype,
                   const char* type_name)
BATON_MPI_FUNCTION(MPI_Type_get_name, (MPI_Datatype datatype, char* type_name, int* resultlen),
                   MPI_Datatype datatype, char* type_name, int* resultlen)
BATON_MPI_FUNCTION(MPI_Type_size_x, (MPI_Datatype datatype, MPI_Count* size), MPI_Datatype datatype,
                   MPI_Count* size)
BATON_MPI_FUNCTION(MPI_Type_get_extent_x, (MPI_Datatype datatype, MPI_Count* lb, MPI_Count* extent),
                   MPI_Datatype datatype, MPI_Count* lb, MPI_Count* extent)
BATON_MPI_FUNCTION(MPI_Type_get_true_extent_x, (MPI_Datatype datatype, MPI_Count* true_lb, MPI_Count* true_extent),
                   MPI_Datatype datatype, MPI_Count* true_lb, MPI_Count* true_extent)
BATON_MPI_FUNCTION(MPI_Get_elements_x, (const MPI_Status* status, MPI_Datatype datatype, MPI_Count* count),
                   const MPI_Status* status, MPI_Datatype datatype, MPI_Count* count)
BATON_MPI_FUNCTION(MPI_Status_set_elements, (MPI_Status* status, MPI_Datatype datatype, int count),
                   MPI_Status* status, MPI_Datatype datatype, int count)
BATON_MPI_FUNCTION(MPI_Status_set_cancelled, (MPI_Status* status, int flag), MPI_Status* status, int flag)
#define MPI_Get_address baton_MPI_Get_address
#define baton_MPI_Get_address(...) BATON_MPI_CALL(MPI_Get_address, __VA_ARGS__)
#define MPI_Alloc_mem baton_MPI_Alloc_mem
#define baton_MPI_Alloc_mem(...) BATON_MPI_CALL(MPI_Alloc_mem, __VA_ARGS__)
#define MPI_Free_mem baton_MPI_Free_mem
#define baton_MPI_Free_mem(...) BATON_MPI_CALL(MPI_Free_mem, __VA_ARGS__)
#define MPI_Query_thread baton_MPI_Query_thread
#define baton_MPI_Query_thread(...) BATON_MPI_CALL(MPI_Query_thread, __VA_ARGS__)
#define MPI_Is_thread_main baton_MPI_Is_thread_main
#define baton_MPI_Is_thread_main(...) BATON_MPI_CALL(MPI_Is_thread_main, __VA_ARGS__)
#define MPI_Get_library_version baton_MPI_Get_library_version
#define baton_MPI_Get_library_version(...) BATON_MPI_CALL(MPI_Get_library_version, __VA_ARGS__)
#define MPI_Comm_test_inter baton_MPI_Comm_test_inter
#define baton_MPI_Comm_test_inter(...) BATON_MPI_CALL(MPI_Comm_test_inter, __VA_ARGS__)
#define MPI_Op_commutative baton_MPI_Op_commutative
#define baton_MPI_Op_commutative(...) BATON_MPI_CALL(MPI_Op_commutative, __VA_ARGS__)
#define MPI_Reduce_local baton_MPI_Reduce_local
#define baton_MPI_Reduce_local(...) BATON_MPI_CALL(MPI_Reduce_local, __VA_ARGS__)
#define MPI_Type_dup baton_MPI_Type_dup
#define baton_MPI_Type_dup(...) BATON_MPI_CALL(MPI_Type_dup, __VA_ARGS__)
#define MPI_Type_create_hindexed_block baton_MPI_Type_create_hindexed_block
#define baton_MPI_Type_create_hindexed_block(...) BATON_MPI_CALL(MPI_Type_create_hindexed_block, __VA_ARGS__)
#define MPI_Type_create_subarray baton_MPI_Type_create_subarray
#define baton_MPI_Type_create_subarray(...) BATON_MPI_CALL(MPI_Type_create_subarray, __VA_ARGS__)
#define MPI_Type_get_true_extent baton_MPI_Type_get_true_extent
#define baton_MPI_Type_get_true_extent(...) BATON_MPI_CALL(MPI_Type_get_true_extent, __VA_ARGS__)
#define MPI_Type_set_name baton_MPI_Type_set_name
#define baton_MPI_Type_set_name(...) BATON_MPI_CALL(MPI_Type_set_name, __VA_ARGS__)
#define MPI_Type_get_name baton_MPI_Type_get_name
#define baton_MPI_Type_get_name(...) BATON_MPI_CALL(MPI_Type_get_name, __VA_ARGS__)
#define MPI_Type_size_x baton_MPI_Type_size_x
#define baton_MPI_Type_size_x(...) BATON_MPI_CALL(MPI_Type_size_x, __VA_ARGS__)
#define MPI_Type_get_extent_x baton_MPI_Type_get_extent_x
#define baton_MPI_Type_get_extent_x(...) BATON_MPI_CALL(MPI_Type_get_extent_x, __VA_ARGS__)
#define MPI_Type_get_true_extent_x baton_MPI_Type_get_true_extent_x
#define baton_MPI_Type_get_true_extent_x(...) BATON_MPI_CALL(MPI_Type_get_true_extent_x, __VA_ARGS__)
#define MPI_Get_elements_x baton_MPI_Get_elements_x
#define baton_MPI_Get_elements_x(...) BATON_MPI_CALL(MPI_Get_elements_x, __VA_ARGS__)
#define MPI_Status_set_elements baton_MPI_Status_set_elements
#define baton_MPI_Status_set_elements(...) BATON_MPI_CALL(MPI_Status_set_elements, __VA_ARGS__)
#define MPI_Status_set_cancelled baton_MPI_Status_set_cancelled
#define baton_MPI_Status_set_cancelled(...) BATON_MPI_CALL(MPI_Status_set_cancelled, __VA_ARGS__)
/* MPI-1's names, removed by MPI-3.0, for the calls that replaced them. */
#define MPI_Errhandler_set MPI_Comm_set_errhandler
#define MPI_Errhandler_get MPI_Comm_get_errhandler
#define MPI_Address MPI_Get_address
#define MPI_Type_hvector MPI_Type_create_hvector
#define MPI_Type_hindexed MPI_Type_create_hindexed
#define MPI_Type_struct MPI_Type_create_struct
/* Not supported (a call fails naming its line, as the ones above). */
#define MPI_Type_extent(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_extent", __VA_ARGS__)
#define MPI_Type_lb(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_lb", __VA_ARGS__)
#define MPI_Type_ub(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_ub", __VA_ARGS__)
#define MPI_Add_error_class(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Add_error_class", __VA_ARGS__)
#define MPI_Add_error_code(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Add_error_code", __VA_ARGS__)
#define MPI_Add_error_string(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Add_error_string", __VA_ARGS__)
#define MPI_Attr_delete(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Attr_delete", __VA_ARGS__)
#define MPI_Attr_put(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Attr_put", __VA_ARGS__)
#define MPI_Comm_delete_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_delete_attr", __VA_ARGS__)
#define MPI_Comm_disconnect(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_disconnect", __VA_ARGS__)
#define MPI_Comm_dup_with_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_dup_with_info", __VA_ARGS__)
#define MPI_Comm_free_keyval(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_free_keyval", __VA_ARGS__)
#define MPI_Comm_get_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_get_info", __VA_ARGS__)
#define MPI_Comm_idup(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_idup", __VA_ARGS__)
#define MPI_Comm_join(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_join", __VA_ARGS__)
#define MPI_Comm_set_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Comm_set_info", __VA_ARGS__)
#define MPI_Dist_graph_neighbors(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Dist_graph_neighbors", __VA_ARGS__)
#define MPI_Dist_graph_neighbors_count(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Dist_graph_neighbors_count", __VA_ARGS__)
#define MPI_Errhandler_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Errhandler_create", __VA_ARGS__)
#define MPI_Graph_get(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Graph_get", __VA_ARGS__)
#define MPI_Graph_map(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Graph_map", __VA_ARGS__)
#define MPI_Graph_neighbors(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Graph_neighbors", __VA_ARGS__)
#define MPI_Graph_neighbors_count(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Graph_neighbors_count", __VA_ARGS__)
#define MPI_Graphdims_get(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Graphdims_get", __VA_ARGS__)
#define MPI_Grequest_complete(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Grequest_complete", __VA_ARGS__)
#define MPI_Info_delete(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_delete", __VA_ARGS__)
#define MPI_Info_dup(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_dup", __VA_ARGS__)
#define MPI_Info_get(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_get", __VA_ARGS__)
#define MPI_Info_get_nkeys(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_get_nkeys", __VA_ARGS__)
#define MPI_Info_get_nthkey(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_get_nthkey", __VA_ARGS__)
#define MPI_Info_get_valuelen(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Info_get_valuelen", __VA_ARGS__)
#define MPI_Keyval_create(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Keyval_create", __VA_ARGS__)
#define MPI_Keyval_free(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Keyval_free", __VA_ARGS__)
#define MPI_Lookup_name(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Lookup_name", __VA_ARGS__)
#define MPI_Pack_external(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Pack_external", __VA_ARGS__)
#define MPI_Pack_external_size(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Pack_external_size", __VA_ARGS__)
#define MPI_Publish_name(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Publish_name", __VA_ARGS__)
#define MPI_Raccumulate(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Raccumulate", __VA_ARGS__)
#define MPI_Rget_accumulate(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Rget_accumulate", __VA_ARGS__)
#define MPI_Type_create_darray(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_create_darray", __VA_ARGS__)
#define MPI_Type_create_keyval(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_create_keyval", __VA_ARGS__)
#define MPI_Type_delete_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_delete_attr", __VA_ARGS__)
#define MPI_Type_free_keyval(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_free_keyval", __VA_ARGS__)
#define MPI_Type_get_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_get_attr", __VA_ARGS__)
#define MPI_Type_get_contents(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_get_contents", __VA_ARGS__)
#define MPI_Type_get_envelope(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_get_envelope", __VA_ARGS__)
#define MPI_Type_set_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_set_attr", __VA_ARGS__)
#define MPI_Type_match_size(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_match_size", __VA_ARGS__)
#define MPI_Unpublish_name(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Unpublish_name", __VA_ARGS__)
#define MPI_Cart_map(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Cart_map", __VA_ARGS__)
#define MPI_Status_set_elements_x(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Status_set_elements_x", __VA_ARGS__)
#define MPI_Request_get_status(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Request_get_status", __VA_ARGS__)
#define MPI_Bsend_init(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Bsend_init", __VA_ARGS__)
#define MPI_Rsend_init(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Rsend_init", __VA_ARGS__)
#define MPI_Type_create_f90_integer(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_create_f90_integer", __VA_ARGS__)
#define MPI_Type_create_f90_real(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_create_f90_real", __VA_ARGS__)
#define MPI_Type_create_f90_complex(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Type_create_f90_complex", __VA_ARGS__)
#define MPI_Register_datarep(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Register_datarep", __VA_ARGS__)
#define MPI_File_call_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_call_errhandler", __VA_ARGS__)
#define MPI_File_create_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_create_errhandler", __VA_ARGS__)
#define MPI_File_get_amode(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_amode", __VA_ARGS__)
#define MPI_File_get_atomicity(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_atomicity", __VA_ARGS__)
#define MPI_File_get_byte_offset(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_byte_offset", __VA_ARGS__)
#define MPI_File_get_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_errhandler", __VA_ARGS__)
#define MPI_File_get_group(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_group", __VA_ARGS__)
#define MPI_File_get_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_info", __VA_ARGS__)
#define MPI_File_get_position(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_position", __VA_ARGS__)
#define MPI_File_get_position_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_position_shared", __VA_ARGS__)
#define MPI_File_get_type_extent(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_type_extent", __VA_ARGS__)
#define MPI_File_get_view(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_get_view", __VA_ARGS__)
#define MPI_File_iread(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iread", __VA_ARGS__)
#define MPI_File_iread_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iread_all", __VA_ARGS__)
#define MPI_File_iread_at(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iread_at", __VA_ARGS__)
#define MPI_File_iread_at_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iread_at_all", __VA_ARGS__)
#define MPI_File_iread_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iread_shared", __VA_ARGS__)
#define MPI_File_iwrite(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iwrite", __VA_ARGS__)
#define MPI_File_iwrite_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iwrite_all", __VA_ARGS__)
#define MPI_File_iwrite_at(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iwrite_at", __VA_ARGS__)
#define MPI_File_iwrite_at_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iwrite_at_all", __VA_ARGS__)
#define MPI_File_iwrite_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_iwrite_shared", __VA_ARGS__)
#define MPI_File_preallocate(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_preallocate", __VA_ARGS__)
#define MPI_File_read_all_begin(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_all_begin", __VA_ARGS__)
#define MPI_File_read_all_end(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_all_end", __VA_ARGS__)
#define MPI_File_read_at_all_begin(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_at_all_begin", __VA_ARGS__)
#define MPI_File_read_at_all_end(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_at_all_end", __VA_ARGS__)
#define MPI_File_read_ordered(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_ordered", __VA_ARGS__)
#define MPI_File_read_ordered_begin(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_ordered_begin", __VA_ARGS__)
#define MPI_File_read_ordered_end(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_ordered_end", __VA_ARGS__)
#define MPI_File_read_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_read_shared", __VA_ARGS__)
#define MPI_File_seek_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_seek_shared", __VA_ARGS__)
#define MPI_File_set_atomicity(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_set_atomicity", __VA_ARGS__)
#define MPI_File_set_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_set_errhandler", __VA_ARGS__)
#define MPI_File_set_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_set_info", __VA_ARGS__)
#define MPI_File_set_size(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_set_size", __VA_ARGS__)
#define MPI_File_sync(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_sync", __VA_ARGS__)
#define MPI_File_write_all_begin(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_all_begin", __VA_ARGS__)
#define MPI_File_write_all_end(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_all_end", __VA_ARGS__)
#define MPI_File_write_at_all_begin(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_at_all_begin", __VA_ARGS__)
#define MPI_File_write_at_all_end(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_at_all_end", __VA_ARGS__)
#define MPI_File_write_ordered(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_ordered", __VA_ARGS__)
#define MPI_File_write_ordered_begin(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_ordered_begin", __VA_ARGS__)
#define MPI_File_write_ordered_end(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_ordered_end", __VA_ARGS__)
#define MPI_File_write_shared(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_File_write_shared", __VA_ARGS__)
#define MPI_Win_attach(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_attach", __VA_ARGS__)
#define MPI_Win_call_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_call_errhandler", __VA_ARGS__)
#define MPI_Win_create_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_create_errhandler", __VA_ARGS__)
#define MPI_Win_create_keyval(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_create_keyval", __VA_ARGS__)
#define MPI_Win_delete_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_delete_attr", __VA_ARGS__)
#define MPI_Win_detach(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_detach", __VA_ARGS__)
#define MPI_Win_flush_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_flush_all", __VA_ARGS__)
#define MPI_Win_flush_local(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_flush_local", __VA_ARGS__)
#define MPI_Win_flush_local_all(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_flush_local_all", __VA_ARGS__)
#define MPI_Win_free_keyval(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_free_keyval", __VA_ARGS__)
#define MPI_Win_get_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_get_attr", __VA_ARGS__)
#define MPI_Win_get_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_get_errhandler", __VA_ARGS__)
#define MPI_Win_get_group(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_get_group", __VA_ARGS__)
#define MPI_Win_get_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_get_info", __VA_ARGS__)
#define MPI_Win_get_name(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_get_name", __VA_ARGS__)
#define MPI_Win_set_attr(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_set_attr", __VA_ARGS__)
#define MPI_Win_set_errhandler(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_set_errhandler", __VA_ARGS__)
#define MPI_Win_set_info(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_set_info", __VA_ARGS__)
#define MPI_Win_set_name(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_set_name", __VA_ARGS__)
#define MPI_Win_shared_query(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_shared_query", __VA_ARGS__)
#define MPI_Win_sync(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_sync", __VA_ARGS__)
#define MPI_Win_test(...) baton_mpi_unsupported(BATON_MPI_HERE, "MPI_Win_test", __VA_ARGS__)

/* MPI_IN_PLACE: a send buffer that is the receive buffer (reductions, gather at the root). */
#define MPI_IN_PLACE ((void*)1)

/* The declaring macros are for this header only (the parts above each use them). */
#undef BATON_MPI_FUNCTION
#undef BATON_MPI_FUNCTION_VOID

#ifdef __cplusplus
}
#endif

/* The program's main() is each rank's: libbaton-mpi's main starts the ranks and calls it. (Many
 * programs in one executable, as baton's checker corpus has them, each name theirs with
 * -DBATON_MPI_MAIN=name and are run by baton::capi::run_program.) */
#ifndef BATON_MPI_MAIN
#define BATON_MPI_MAIN baton_mpi_main
#endif
#ifdef __cplusplus
extern "C" int BATON_MPI_MAIN(int argc, char** argv);
#endif
#define main BATON_MPI_MAIN

#endif /* BATON_MPI_H */
