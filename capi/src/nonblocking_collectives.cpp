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

// MPI_IN_PLACE is the result buffer as the input, as for the blocking reductions.
BATON_MPI_BODY(MPI_Ireduce)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                            MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ireduce", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    if (!at_root && sendbuf == MPI_IN_PLACE)
        fail(MPI_ERR_BUFFER, c.comm, c.name, "MPI_IN_PLACE is for the root's send buffer only", c.where);
    const auto mine = c.reduction_input(sendbuf, recvbuf, count, datatype);
    const auto result = c.recv_buffer(at_root ? recvbuf : nullptr, at_root ? count : 0, datatype);
    *request_output(c, request) =
        keep_request(c, c.comm.ireduce(mine, result, c.reduction(op, datatype), root, c.where));
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
// (collectives.cpp), started.
BATON_MPI_BODY(MPI_Igather)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                            MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                            int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Igather", site, comm);
    c.check_root(root);
    const auto mine = c.send_view(sendbuf, sendcount, sendtype);
    const auto all = c.comm.rank() == root
                         ? c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * c.comm.size()), recvtype)
                         : c.recv_buffer(nullptr, 0, sendtype);
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
    const auto all = c.comm.rank() == root
                         ? c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * c.comm.size()), sendtype)
                         : c.send_view(nullptr, 0, recvtype);
    *request_output(c, request) =
        keep_request(c, c.comm.iscatter(all, c.recv_buffer(recvbuf, recvcount, recvtype), root, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Iscatter,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, request))

// Every rank gives one block and gets one from each (iallgather), or gives one to each (ialltoall).
#define BATON_MPI_IEXCHANGE(operation, method, blocks_given)                                                        \
    BATON_MPI_BODY(MPI_##operation)(const baton_mpi_where* site, const void* sendbuf, int sendcount,       \
                                              MPI_Datatype sendtype, void* recvbuf, int recvcount,                   \
                                              MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {          \
        const call c("MPI_" #operation, site, comm);                                                                \
        const auto ranks = static_cast<std::size_t>(c.comm.size());                                                 \
        const auto mine = c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * (blocks_given)), sendtype);     \
        const auto all = c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * ranks), recvtype);             \
        *request_output(c, request) = keep_request(c, c.comm.method(mine, all, c.where));                           \
        return MPI_SUCCESS;                                                                                          \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##operation,                                                                         \
                           (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount, \
                            MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),                             \
                           (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, request))
BATON_MPI_IEXCHANGE(Iallgather, iallgather, 1)
BATON_MPI_IEXCHANGE(Ialltoall, ialltoall, ranks)
