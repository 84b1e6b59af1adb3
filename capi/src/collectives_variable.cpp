// MPI's collectives whose blocks differ in size or place (gatherv, scatterv, allgatherv, alltoall,
// alltoallv, alltoallw), over the backends' packed forms (displacements.hpp), with MPI_IN_PLACE
// where MPI allows it: the root's block of a gatherv or scatterv stays where it is, an
// allgatherv's own block is sent from the receive buffer, an alltoall(v,w) exchanges the receive
// buffer's blocks. A failure names the MPI call with its arguments that are not arrays
// (collective_reports.hpp).
#include "collective_reports.hpp"
#include "displacements.hpp"

using namespace baton;
using namespace baton::capi;

BATON_MPI_BODY(MPI_Gatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                            MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int displs[],
                            MPI_Datatype recvtype, int root, MPI_Comm comm) {
    const call c("MPI_Gatherv", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    const auto described = [&] {  // elsewhere than at the root, only the send's arguments apply
        call_text text(c);
        text.send(at_root ? sendbuf : nullptr, sendcount, sendtype);
        if (at_root) text.type("recvtype", recvtype);
        return text.number("root", root).done();
    };
    if (!at_root) {
        const auto none = c.recv_buffer(nullptr, 0, sendtype);
        const auto mine = c.send_view(sendbuf, sendcount, sendtype);
        as_called(c, "gatherv", described, [&] { c.comm.gatherv(mine, none, nullptr, root, c.where); });
        return MPI_SUCCESS;
    }
    blocks in(c, recvcounts, displs, recvtype, "receive");
    const auto mine = sendbuf == MPI_IN_PLACE ? c.send_view(in.at(recvbuf, root), in.count_of(root), recvtype)
                                              : c.send_view(sendbuf, sendcount, sendtype);
    std::vector<std::size_t> arrived;
    as_called(c, "gatherv", described, [&] { c.comm.gatherv(mine, in.room(), &arrived, root, c.where); });
    in.check(c, arrived);
    in.unpack(recvbuf, arrived);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Gatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm))

BATON_MPI_BODY(MPI_Scatterv)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                             const int displs[], MPI_Datatype sendtype, void* recvbuf, int recvcount,
                             MPI_Datatype recvtype, int root, MPI_Comm comm) {
    const call c("MPI_Scatterv", site, comm);
    c.check_root(root);
    const bool at_root = c.comm.rank() == root;
    const auto described = [&] {  // elsewhere than at the root, only the receive's arguments apply
        call_text text(c);
        if (at_root) text.type("sendtype", sendtype);
        return text.receive(at_root ? recvbuf : nullptr, recvcount, recvtype).number("root", root).done();
    };
    if (!at_root) {
        const auto mine = c.recv_buffer(recvbuf, recvcount, recvtype);
        const auto none = c.send_view(nullptr, 0, recvtype);
        as_called(c, "scatterv", described, [&] { c.comm.scatterv(none, {}, mine, root, c.where); });
        return MPI_SUCCESS;
    }
    blocks out(c, sendcounts, displs, sendtype, "send");
    std::vector<std::byte> dropped;  // in place: the root's block, which stays where it is
    const auto mine = recvbuf == MPI_IN_PLACE ? out.room_for(root, dropped) : c.recv_buffer(recvbuf, recvcount, recvtype);
    const auto all = out.pack(sendbuf);
    as_called(c, "scatterv", described, [&] { c.comm.scatterv(all, out.counts(), mine, root, c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Scatterv,
                       (const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
                        void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm),
                       (sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root, comm))

BATON_MPI_BODY(MPI_Allgatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                               MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                               const int displs[], MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Allgatherv", site, comm);
    blocks in(c, recvcounts, displs, recvtype, "receive");
    const int rank = c.comm.rank();
    const auto mine = sendbuf == MPI_IN_PLACE ? c.send_view(in.at(recvbuf, rank), in.count_of(rank), recvtype)
                                              : c.send_view(sendbuf, sendcount, sendtype);
    std::vector<std::size_t> arrived;
    const auto described = [&] { return call_text(c).send(sendbuf, sendcount, sendtype).type("recvtype", recvtype).done(); };
    as_called(c, "allgatherv", described, [&] { c.comm.allgatherv(mine, in.room(), &arrived, c.where); });
    in.check(c, arrived);
    in.unpack(recvbuf, arrived);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Allgatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm))

BATON_MPI_BODY(MPI_Alltoall)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                             MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype,
                             MPI_Comm comm) {
    const call c("MPI_Alltoall", site, comm);
    const auto ranks = static_cast<std::size_t>(c.comm.size());
    const auto all = c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * ranks), recvtype);
    // In place: the receive buffer is sent from (the backends' in-place convention, backend.hpp).
    const auto given = sendbuf == MPI_IN_PLACE ? backend::send_view{all.data, all.count, all.type}
                                               : c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * ranks), sendtype);
    as_called(
        c, "alltoall",
        [&] { return call_text(c).send(sendbuf, sendcount, sendtype).receive(recvbuf, recvcount, recvtype).done(); },
        [&] { c.comm.alltoall(given, all, c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Alltoall,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm))

namespace {

// An exchange of blocks at displacements (alltoallv, alltoallw): `out` packed from `sendbuf` (from
// the receive buffer in place, which `out` then describes), `in` unpacked into `recvbuf`. A
// failure names the call as `text` says it (its arguments that are not arrays).
void exchange(const call& c, blocks& out, const void* sendbuf, blocks& in, void* recvbuf, const call_text& text) {
    const auto given = out.pack(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf);
    std::vector<std::size_t> arrived;
    as_called(c, "alltoallv", [&] { return text.done(); },
              [&] { c.comm.alltoallv(given, out.counts(), in.room(), &arrived, c.where); });
    in.check(c, arrived);
    in.unpack(recvbuf, arrived);
}

}  // namespace

BATON_MPI_BODY(MPI_Alltoallv)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                              const int sdispls[], MPI_Datatype sendtype, void* recvbuf,
                              const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                              MPI_Comm comm) {
    const call c("MPI_Alltoallv", site, comm);
    blocks in(c, recvcounts, rdispls, recvtype, "receive");
    blocks out = sendbuf == MPI_IN_PLACE ? in : blocks(c, sendcounts, sdispls, sendtype, "send");
    call_text text(c);
    if (sendbuf == MPI_IN_PLACE) text.in_place("sendbuf");
    else text.type("sendtype", sendtype);
    exchange(c, out, sendbuf, in, recvbuf, text.type("recvtype", recvtype));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Alltoallv,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                        void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                        MPI_Comm comm),
                       (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm))

// A datatype per peer, displacements in bytes (MPI-3.1 §5.8).
BATON_MPI_BODY(MPI_Alltoallw)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                                      const int sdispls[], const MPI_Datatype sendtypes[], void* recvbuf,
                                      const int recvcounts[], const int rdispls[], const MPI_Datatype recvtypes[],
                                      MPI_Comm comm) {
    const call c("MPI_Alltoallw", site, comm);
    blocks in(c, recvcounts, rdispls, recvtypes, "receive");
    blocks out = sendbuf == MPI_IN_PLACE ? in : blocks(c, sendcounts, sdispls, sendtypes, "send");
    call_text text(c);  // every argument but the buffers an array
    if (sendbuf == MPI_IN_PLACE) text.in_place("sendbuf");
    exchange(c, out, sendbuf, in, recvbuf, text);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Alltoallw,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], const MPI_Datatype sendtypes[],
                        void* recvbuf, const int recvcounts[], const int rdispls[], const MPI_Datatype recvtypes[],
                        MPI_Comm comm),
                       (sendbuf, sendcounts, sdispls, sendtypes, recvbuf, recvcounts, rdispls, recvtypes, comm))
