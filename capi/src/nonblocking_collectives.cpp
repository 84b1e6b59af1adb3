// MPI's non-blocking collectives: the backend's, each a request in the rank's table, completed by
// MPI_Wait, MPI_Test and the others like any request.
#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

extern "C" int baton_MPI_Ibarrier_at(const baton_mpi_where* site, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ibarrier", site, comm);
    *request_output(c, request) = keep_request(c, c.comm.ibarrier(c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Ibarrier, (MPI_Comm comm, MPI_Request* request), (comm, request))

extern "C" int baton_MPI_Ibcast_at(const baton_mpi_where* site, void* buffer, int count, MPI_Datatype datatype, int root,
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
extern "C" int baton_MPI_Ireduce_at(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                                    MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ireduce", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    if (!at_root && sendbuf == MPI_IN_PLACE)
        detail::throw_usage(c.comm, c.name, "MPI_IN_PLACE is for the root's send buffer only", c.where);
    const auto mine = c.send_view(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf, count, datatype);
    const auto result = c.recv_buffer(at_root ? recvbuf : nullptr, at_root ? count : 0, datatype);
    *request_output(c, request) =
        keep_request(c, c.comm.ireduce(mine, result, c.reduction(op, datatype), root, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Ireduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, recvbuf, count, datatype, op, root, comm, request))

extern "C" int baton_MPI_Iallreduce_at(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                                       MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Iallreduce", site, comm);
    const auto mine = c.send_view(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf, count, datatype);
    *request_output(c, request) = keep_request(
        c, c.comm.iallreduce(mine, c.recv_buffer(recvbuf, count, datatype), c.reduction(op, datatype), c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Iallreduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                        MPI_Request* request),
                       (sendbuf, recvbuf, count, datatype, op, comm, request))
