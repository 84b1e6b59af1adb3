// MPI's blocking collectives, on the rank's backend; a failure names the MPI call as the program
// made it (collective_reports.hpp).
#include <vector>

#include "collective_reports.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// A reduction's arguments as a report shows them: its input in place or not, `count` (named
// `count_name`), the datatype and the reduction.
call_text reduction_text(const call& c, const void* sendbuf, int count, MPI_Datatype datatype, MPI_Op op,
                         std::string_view count_name = "count") {
    call_text text(c);
    if (sendbuf == MPI_IN_PLACE) text.in_place("sendbuf");
    text.number(count_name, count).type("datatype", datatype).op(op);
    return text;
}

}  // namespace

BATON_MPI_BODY(MPI_Barrier)(const baton_mpi_where* site, MPI_Comm comm) {
    const call c("MPI_Barrier", site, comm);
    as_called(c, "barrier", [&] { return call_text(c).done(); }, [&] { c.comm.barrier(c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Barrier, (MPI_Comm comm), (comm))

BATON_MPI_BODY(MPI_Bcast)(const baton_mpi_where* site, void* buffer, int count, MPI_Datatype datatype, int root,
                          MPI_Comm comm) {
    const call c("MPI_Bcast", site, comm);
    c.check_root(root);
    const auto data = c.recv_buffer(buffer, count, datatype);
    as_called(
        c, "bcast", [&] { return call_text(c).number("count", count).type("datatype", datatype).number("root", root).done(); },
        [&] { c.comm.bcast(data, root, c.where); });
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
    // Elsewhere than at the root only the receive's arguments apply.
    const auto described = [&] {
        call_text text(c);
        if (at_root) text.send(sendbuf, sendcount, sendtype);
        return text.receive(at_root ? recvbuf : nullptr, recvcount, recvtype).number("root", root).done();
    };
    as_called(c, "scatter", described, [&] { c.comm.scatter(all, mine, root, c.where); });
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
    const auto described = [&] {  // elsewhere than at the root, only the send's arguments apply
        call_text text(c);
        text.send(at_root ? sendbuf : nullptr, sendcount, sendtype);
        if (at_root) text.receive(recvbuf, recvcount, recvtype);
        return text.number("root", root).done();
    };
    as_called(c, "gather", described, [&] { c.comm.gather(mine, all, root, c.where); });
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
    as_called(
        c, "allgather",
        [&] { return call_text(c).send(sendbuf, sendcount, sendtype).receive(recvbuf, recvcount, recvtype).done(); },
        [&] { c.comm.allgather(mine, all, c.where); });
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
    // The reduction is checked before the input (in the reductions below, the result too), in
    // named steps: the order decides the error a call with two mistakes gets, and when the checks
    // were a call's arguments it was the compiler's (GCC right to left, as now; clang left to
    // right, so a clang build then reported the input's mistake first).
    const auto reduction = c.reduction(op, datatype);
    const auto input = c.reduction_input(sendbuf, recvbuf, count, datatype);
    as_called(c, "reduce", [&] { return reduction_text(c, sendbuf, count, datatype, op).number("root", root).done(); },
              [&] { c.comm.reduce(input, result, reduction, root, c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Reduce,
                       (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                        MPI_Comm comm),
                       (sendbuf, recvbuf, count, datatype, op, root, comm))

BATON_MPI_BODY(MPI_Allreduce)(const baton_mpi_where* site, const void* sendbuf, void* recvbuf, int count,
                              MPI_Datatype datatype, MPI_Op op, MPI_Comm comm) {
    const call c("MPI_Allreduce", site, comm);
    const auto reduction = c.reduction(op, datatype);
    const auto result = c.recv_buffer(recvbuf, count, datatype);
    const auto input = c.reduction_input(sendbuf, recvbuf, count, datatype);
    as_called(c, "allreduce", [&] { return reduction_text(c, sendbuf, count, datatype, op).done(); },
              [&] { c.comm.allreduce(input, result, reduction, c.where); });
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
    const auto reduction = c.reduction(op, datatype);
    const auto result = c.recv_buffer(recvbuf, recvcount, datatype);
    const auto input = input_or_copy(c, sendbuf, recvbuf, all, datatype, copy);
    as_called(
        c, "reduce_scatter_block",
        [&] { return reduction_text(c, sendbuf, recvcount, datatype, op, "recvcount").done(); },
        [&] { c.comm.reduce_scatter_block(input, result, reduction, c.where); });
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
    const auto reduction = c.reduction(op, datatype);
    const auto result = c.recv_buffer(recvbuf, static_cast<int>(mine), datatype);
    const auto input = input_or_copy(c, sendbuf, recvbuf, sum_of(counts), datatype, copy);
    as_called(
        c, "reduce_scatter",
        [&] {  // this rank's own count, of the counts every rank gives
            const std::string own_count = "recvcounts[" + std::to_string(c.comm.rank()) + "]";
            return reduction_text(c, sendbuf, static_cast<int>(mine), datatype, op, own_count).done();
        },
        [&] { c.comm.reduce_scatter(input, counts, result, reduction, c.where); });
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
        const auto reduction = c.reduction(op, datatype);                                                        \
        const auto result = c.recv_buffer(recvbuf, count, datatype);                                             \
        const auto input = c.reduction_input(sendbuf, recvbuf, count, datatype);                                 \
        as_called(c, #method, [&] { return reduction_text(c, sendbuf, count, datatype, op).done(); },            \
                  [&] { c.comm.method(input, result, reduction, c.where); });                                    \
        return MPI_SUCCESS;                                                                                          \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##operation,                                                                              \
                           (const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,         \
                            MPI_Comm comm),                                                                          \
                           (sendbuf, recvbuf, count, datatype, op, comm))
BATON_MPI_SCAN(Scan, scan)
BATON_MPI_SCAN(Exscan, exscan)
