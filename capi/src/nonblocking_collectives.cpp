// MPI's non-blocking collectives: the backend's, each a request in the rank's table, completed by
// MPI_Wait, MPI_Test and the others like any request.
#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

BATON_MPI_BODY(MPI_Ibarrier)(const baton_mpi_where* site, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ibarrier", site, comm);
    *request_output(c, request) = keep_request(c, c.comm.ibarrier(c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Ibarrier, (MPI_Comm comm, MPI_Request* request), (comm, request))

BATON_MPI_BODY(MPI_Ibcast)(const baton_mpi_where* site, void* buffer, int count, MPI_Datatype datatype, int root,
                           MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ibcast", site, comm);
    c.check_root(root);
    *request_output(c, request) = keep_request(c, c.comm.ibcast(c.recv_buffer(buffer, count, datatype), root, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Ibcast,
                       (void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm, MPI_Request* request),
                       (buffer, count, datatype, root, comm, request))


// MPI_IN_PLACE is the result buffer as the input, as for the blocking reductions (the backends'
// in-place convention: backend.hpp).
BATON_MPI_BODY(MPI_Ireduce)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                            MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ireduce", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    if (!at_root && sendbuf == MPI_IN_PLACE)
        fail(MPI_ERR_BUFFER, c.comm, c.name, "MPI_IN_PLACE is for the root's send buffer only", c.where);
    const auto result = c.recv_buffer(at_root ? recvbuf : nullptr, at_root ? count : 0, datatype);
    const auto mine = c.reduction_input(sendbuf, recvbuf, count, datatype);
    *request_output(c, request) = keep_request(c, c.comm.ireduce(mine, result, c.reduction(op, datatype), root, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Ireduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, recvbuf, count, datatype, op, root, comm, request))

BATON_MPI_BODY(MPI_Iallreduce)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                               MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Iallreduce", site, comm);
    const auto mine = c.reduction_input(sendbuf, recvbuf, count, datatype);
    *request_output(c, request) = keep_request(
        c, c.comm.iallreduce(mine, c.recv_buffer(recvbuf, count, datatype), c.reduction(op, datatype), c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Iallreduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                        MPI_Request* request),
                       (sendbuf, recvbuf, count, datatype, op, comm, request))

// MPI_Igather, MPI_Iallgather, MPI_Iscatter, MPI_Ialltoall: the blocking forms' buffers
// (collectives.cpp), started; in place as the blocking forms are, but at an iscatter's root, whose
// block is received into room the request keeps and drops.
BATON_MPI_BODY(MPI_Igather)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                            MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                            int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Igather", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    const auto all = at_root ? c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * c.comm.size()), recvtype)
                             : c.recv_buffer(nullptr, 0, sendtype);
    const auto mine = at_root && sendbuf == MPI_IN_PLACE ? block_of(c, all, root) : c.send_view(sendbuf, sendcount, sendtype);
    *request_output(c, request) = keep_request(c, c.comm.igather(mine, all, root, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Igather,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, request))

BATON_MPI_BODY(MPI_Iscatter)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                             MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                             int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Iscatter", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    const auto all = at_root ? c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * c.comm.size()), sendtype)
                             : c.send_view(nullptr, 0, recvtype);
    auto kept = std::make_unique<kept_for_completion>();
    const auto mine = at_root && recvbuf == MPI_IN_PLACE ? room_for_block(c, all, kept->scratch)
                                                         : c.recv_buffer(recvbuf, recvcount, recvtype);
    auto started = c.comm.iscatter(all, mine, root, c.where);
    return keep_started(c, request, std::move(started), std::move(kept));
}
BATON_MPI_WITHOUT_SITE(MPI_Iscatter,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, request))

// Every rank gives one block and gets one from each (iallgather), or gives one to each (ialltoall);
// in place, its own block (iallgather) or every block (ialltoall) of the receive buffer.
#define BATON_MPI_IEXCHANGE(operation, method, blocks_given, in_place_input)                                       \
    BATON_MPI_BODY(MPI_##operation)(const baton_mpi_where* site, const void* sendbuf, int sendcount,       \
                                              MPI_Datatype sendtype, void* recvbuf, int recvcount,                   \
                                              MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {          \
        const call c("MPI_" #operation, site, comm);                                                                \
        const auto ranks = static_cast<std::size_t>(c.comm.size());                                                 \
        const auto all = c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * ranks), recvtype);             \
        const auto mine = sendbuf == MPI_IN_PLACE                                                                    \
                              ? (in_place_input)                                                                     \
                              : c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * (blocks_given)), sendtype); \
        *request_output(c, request) = keep_request(c, c.comm.method(mine, all, c.where));                            \
        return MPI_SUCCESS;                                                                                          \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##operation,                                                                         \
                           (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount, \
                            MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),                             \
                           (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, request))
BATON_MPI_IEXCHANGE(Iallgather, iallgather, 1, block_of(c, all, c.comm.rank()))
BATON_MPI_IEXCHANGE(Ialltoall, ialltoall, ranks, (backend::send_view{all.data, all.count, all.type}))

// MPI_Iscan and MPI_Iexscan: the backend's iscan or iexscan (iexscan leaves rank 0's result as it
// was, which MPI leaves undefined).
#define BATON_MPI_ISCAN(operation, method)                                                                          \
    BATON_MPI_BODY(MPI_##operation)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf,       \
                                              int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,            \
                                              MPI_Request* request) {                                                \
        const call c("MPI_" #operation, site, comm);                                                                \
        const auto mine = c.reduction_input(sendbuf, recvbuf, count, datatype);                                     \
        *request_output(c, request) = keep_request(                                                                  \
            c, c.comm.method(mine, c.recv_buffer(recvbuf, count, datatype), c.reduction(op, datatype), c.where));    \
        return MPI_SUCCESS;                                                                                          \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##operation,                                                                         \
                           (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,         \
                            MPI_Comm comm, MPI_Request* request),                                                    \
                           (sendbuf, recvbuf, count, datatype, op, comm, request))
BATON_MPI_ISCAN(Iscan, iscan)
BATON_MPI_ISCAN(Iexscan, iexscan)

// In place, the whole input is the receive buffer, whose first block gets the result.
BATON_MPI_BODY(MPI_Ireduce_scatter_block)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf,
                                                  int recvcount, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                                                  MPI_Request* request) {
    const call c("MPI_Ireduce_scatter_block", site, comm);
    auto kept = std::make_unique<kept_for_completion>();
    const auto mine =
        input_or_copy(c, sendbuf, recvbuf, c.count(recvcount) * static_cast<std::size_t>(c.comm.size()), datatype,
                      kept->scratch);
    return keep_started(c, request,
                        c.comm.ireduce_scatter_block(mine, c.recv_buffer(recvbuf, recvcount, datatype),
                                                     c.reduction(op, datatype), c.where),
                        std::move(kept));
}
BATON_MPI_WITHOUT_SITE(MPI_Ireduce_scatter_block,
                       (const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype datatype, MPI_Op op,
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, recvbuf, recvcount, datatype, op, comm, request))

BATON_MPI_BODY(MPI_Ireduce_scatter)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf,
                                            const int recvcounts[], MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                                            MPI_Request* request) {
    const call c("MPI_Ireduce_scatter", site, comm);
    const auto counts = counts_of(c, recvcounts);  // the backend copies them
    auto kept = std::make_unique<kept_for_completion>();
    const auto mine = input_or_copy(c, sendbuf, recvbuf, sum_of(counts), datatype, kept->scratch);
    const auto result = c.recv_buffer(recvbuf, recvcounts[c.comm.rank()], datatype);
    return keep_started(c, request,
                        c.comm.ireduce_scatter(mine, counts, result, c.reduction(op, datatype), c.where),
                        std::move(kept));
}
BATON_MPI_WITHOUT_SITE(MPI_Ireduce_scatter,
                       (const void* sendbuf, void* recvbuf, const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, recvbuf, recvcounts, datatype, op, comm, request))
