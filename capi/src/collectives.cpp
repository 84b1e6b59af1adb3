// MPI's blocking collectives, on the rank's backend.
#include <vector>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

BATON_MPI_BODY(MPI_Barrier)(const baton_mpi_where* site, MPI_Comm comm) {
    const call c("MPI_Barrier", site, comm);
    c.comm.barrier(c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Barrier, (MPI_Comm comm), (comm))

BATON_MPI_BODY(MPI_Bcast)(const baton_mpi_where* site, void* buffer, int count, MPI_Datatype datatype, int root,
                          MPI_Comm comm) {
    const call c("MPI_Bcast", site, comm);
    c.check_root(root);
    c.comm.bcast(c.recv_buffer(buffer, count, datatype), root, c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Bcast, (void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm),
                       (buffer, count, datatype, root, comm))

// The root's send buffer holds sendcount elements for each rank; elsewhere it is not read.
BATON_MPI_BODY(MPI_Scatter)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                            MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                            int root, MPI_Comm comm) {
    const call c("MPI_Scatter", site, comm);
    c.check_root(root);
    // Elsewhere than at the root nothing is sent, in the type received (MPI ignores sendtype there).
    const bool at_root = c.comm.rank() == root;
    const backend::send_view all = at_root ? c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * c.comm.size()), sendtype)
                                           : c.send_view(nullptr, 0, recvtype);
    std::vector<std::byte> dropped;  // in place at the root: its own block, which stays where it is
    const auto mine = at_root && recvbuf == MPI_IN_PLACE ? room_for_block(c, all, dropped)
                                                         : c.recv_buffer(recvbuf, recvcount, recvtype);
    c.comm.scatter(all, mine, root, c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Scatter,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, int root, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm))

// The root's receive buffer gets recvcount elements from each rank; elsewhere it is not written.
BATON_MPI_BODY(MPI_Gather)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                           MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                           int root, MPI_Comm comm) {
    const call c("MPI_Gather", site, comm);
    c.check_root(root);
    // Elsewhere than at the root nothing is received, in the type sent (MPI ignores recvtype there).
    const bool at_root = c.comm.rank() == root;
    const backend::recv_buffer all = at_root
                                         ? c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * c.comm.size()), recvtype)
                                         : c.recv_buffer(nullptr, 0, sendtype);
    const auto mine = at_root && sendbuf == MPI_IN_PLACE ? block_of(c, all, root) : c.send_view(sendbuf, sendcount, sendtype);
    c.comm.gather(mine, all, root, c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Gather,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, int root, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm))

BATON_MPI_BODY(MPI_Allgather)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                              MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                              MPI_Comm comm) {
    const call c("MPI_Allgather", site, comm);
    const auto all = c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * c.comm.size()), recvtype);
    const auto mine = sendbuf == MPI_IN_PLACE ? block_of(c, all, c.comm.rank()) : c.send_view(sendbuf, sendcount, sendtype);
    c.comm.allgather(mine, all, c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Allgather,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm))

BATON_MPI_BODY(MPI_Reduce)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                           MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm) {
    const call c("MPI_Reduce", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    if (!at_root && sendbuf == MPI_IN_PLACE)
        fail(MPI_ERR_BUFFER, c.comm, c.name, "MPI_IN_PLACE is for the root's send buffer only", c.where);
    const backend::recv_buffer result = c.recv_buffer(at_root ? recvbuf : nullptr, at_root ? count : 0, datatype);
    c.comm.reduce(c.reduction_input(sendbuf, recvbuf, count, datatype), result,
                  c.reduction(op, datatype), root, c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Reduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                        MPI_Comm comm),
                       (sendbuf, recvbuf, count, datatype, op, root, comm))

BATON_MPI_BODY(MPI_Allreduce)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                              MPI_Datatype datatype, MPI_Op op, MPI_Comm comm) {
    const call c("MPI_Allreduce", site, comm);
    c.comm.allreduce(c.reduction_input(sendbuf, recvbuf, count, datatype), c.recv_buffer(recvbuf, count, datatype),
                     c.reduction(op, datatype), c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Allreduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm),
                       (sendbuf, recvbuf, count, datatype, op, comm))

// The reductions that cut or scan (MPI_Reduce_scatter_block, MPI_Reduce_scatter, MPI_Scan,
// MPI_Exscan); MPI_IN_PLACE is the receive buffer as the input.
BATON_MPI_BODY(MPI_Reduce_scatter_block)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf,
                                         int recvcount, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm) {
    const call c("MPI_Reduce_scatter_block", site, comm);
    const std::size_t all = c.count(recvcount) * static_cast<std::size_t>(c.comm.size());
    std::vector<std::byte> copy;
    c.comm.reduce_scatter_block(input_or_copy(c, sendbuf, recvbuf, all, datatype, copy),
                                c.recv_buffer(recvbuf, recvcount, datatype), c.reduction(op, datatype), c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Reduce_scatter_block,
                       (const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype datatype, MPI_Op op,
                        MPI_Comm comm),
                       (sendbuf, recvbuf, recvcount, datatype, op, comm))

BATON_MPI_BODY(MPI_Reduce_scatter)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf,
                                   const int recvcounts[], MPI_Datatype datatype, MPI_Op op, MPI_Comm comm) {
    const call c("MPI_Reduce_scatter", site, comm);
    const auto counts = counts_of(c, recvcounts);
    const auto mine = counts[static_cast<std::size_t>(c.comm.rank())];
    std::vector<std::byte> copy;
    c.comm.reduce_scatter(input_or_copy(c, sendbuf, recvbuf, sum_of(counts), datatype, copy), counts,
                          c.recv_buffer(recvbuf, static_cast<int>(mine), datatype), c.reduction(op, datatype), c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Reduce_scatter,
                       (const void* sendbuf, void* recvbuf, const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
                        MPI_Comm comm),
                       (sendbuf, recvbuf, recvcounts, datatype, op, comm))

// MPI_Scan and MPI_Exscan: the backend's scan or exscan (exscan leaves rank 0's result as it was,
// which MPI leaves undefined).
#define BATON_MPI_SCAN(operation, method)                                                                                \
    BATON_MPI_BODY(MPI_##operation)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count, \
                                         MPI_Datatype datatype, MPI_Op op, MPI_Comm comm) {                         \
        const call c("MPI_" #operation, site, comm);                                                                     \
        c.comm.method(c.reduction_input(sendbuf, recvbuf, count, datatype), c.recv_buffer(recvbuf, count, datatype), \
                      c.reduction(op, datatype), c.where);                                 \
        return MPI_SUCCESS;                                                                                          \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##operation,                                                                              \
                           (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,         \
                            MPI_Comm comm),                                                                          \
                           (sendbuf, recvbuf, count, datatype, op, comm))
BATON_MPI_SCAN(Scan, scan)
BATON_MPI_SCAN(Exscan, exscan)
