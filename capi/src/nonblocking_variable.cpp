// MPI's non-blocking collectives whose blocks differ in size or place (MPI_Igatherv, MPI_Iscatterv,
// MPI_Iallgatherv, MPI_Ialltoallv, MPI_Ialltoallw): the blocking forms' packed blocks
// (collectives_variable.cpp), kept with the request (pending_blocks), the received ones moved to
// the program's displacements when it completes. An in-place block is sent from a copy the
// request keeps, or (at an iscatterv's root) received into room it keeps and drops.
#include "displacements.hpp"
#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// An exchange of blocks at displacements (ialltoallv, ialltoallw), `kept->in` already made, and
// `kept->out` unless in place.
int start_exchange(const call& c, std::unique_ptr<pending_blocks> kept, const void* sendbuf, void* recvbuf,
                   MPI_Request* request) {
    if (sendbuf == MPI_IN_PLACE) kept->out = kept->in;
    const auto given = kept->out.pack(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf);
    kept->into = recvbuf;
    auto started = c.comm.ialltoallv(given, kept->out.counts(), kept->in.room(), kept->in.counts(), c.where);
    return keep_started(c, request, std::move(started), std::move(kept));
}

}  // namespace

BATON_MPI_BODY(MPI_Igatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                     MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int displs[],
                                     MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Igatherv", site, comm);
    c.check_root(root);
    auto kept = std::make_unique<pending_blocks>();
    if (c.comm.rank() != root) {
        auto started = c.comm.igatherv(c.send_view(sendbuf, sendcount, sendtype), c.recv_buffer(nullptr, 0, sendtype),
                                       {}, root, c.where);
        return keep_started(c, request, std::move(started), std::move(kept));
    }
    kept->in = blocks(c, recvcounts, displs, recvtype, "receive");
    kept->into = recvbuf;
    const auto mine =
        sendbuf == MPI_IN_PLACE
            ? copied(kept->scratch, c.send_view(kept->in.at(recvbuf, root), kept->in.count_of(root), recvtype))
            : c.send_view(sendbuf, sendcount, sendtype);
    auto started = c.comm.igatherv(mine, kept->in.room(), kept->in.counts(), root, c.where);
    return keep_started(c, request, std::move(started), std::move(kept));
}
BATON_MPI_WITHOUT_SITE(MPI_Igatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm, request))

BATON_MPI_BODY(MPI_Iscatterv)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                                      const int displs[], MPI_Datatype sendtype, void* recvbuf, int recvcount,
                                      MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Iscatterv", site, comm);
    c.check_root(root);
    auto kept = std::make_unique<pending_blocks>();
    if (c.comm.rank() != root) {
        auto started = c.comm.iscatterv(c.send_view(nullptr, 0, recvtype), {},
                                        c.recv_buffer(recvbuf, recvcount, recvtype), root, c.where);
        return keep_started(c, request, std::move(started), std::move(kept));
    }
    kept->out = blocks(c, sendcounts, displs, sendtype, "send");
    const auto all = kept->out.pack(sendbuf);
    const auto mine = recvbuf == MPI_IN_PLACE ? kept->out.room_for(root, kept->scratch)
                                              : c.recv_buffer(recvbuf, recvcount, recvtype);
    auto started = c.comm.iscatterv(all, kept->out.counts(), mine, root, c.where);
    return keep_started(c, request, std::move(started), std::move(kept));
}
BATON_MPI_WITHOUT_SITE(MPI_Iscatterv,
                       (const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
                        void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm,
                        MPI_Request* request),
                       (sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root, comm, request))

BATON_MPI_BODY(MPI_Iallgatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                        MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                                        const int displs[], MPI_Datatype recvtype, MPI_Comm comm,
                                        MPI_Request* request) {
    const call c("MPI_Iallgatherv", site, comm);
    auto kept = std::make_unique<pending_blocks>();
    kept->in = blocks(c, recvcounts, displs, recvtype, "receive");
    kept->into = recvbuf;
    const int rank = c.comm.rank();
    const auto mine =
        sendbuf == MPI_IN_PLACE
            ? copied(kept->scratch, c.send_view(kept->in.at(recvbuf, rank), kept->in.count_of(rank), recvtype))
            : c.send_view(sendbuf, sendcount, sendtype);
    auto started = c.comm.iallgatherv(mine, kept->in.room(), kept->in.counts(), c.where);
    return keep_started(c, request, std::move(started), std::move(kept));
}
BATON_MPI_WITHOUT_SITE(MPI_Iallgatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm, request))

BATON_MPI_BODY(MPI_Ialltoallv)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                                       const int sdispls[], MPI_Datatype sendtype, void* recvbuf,
                                       const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                                       MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ialltoallv", site, comm);
    auto kept = std::make_unique<pending_blocks>();
    kept->in = blocks(c, recvcounts, rdispls, recvtype, "receive");
    if (sendbuf != MPI_IN_PLACE) kept->out = blocks(c, sendcounts, sdispls, sendtype, "send");
    return start_exchange(c, std::move(kept), sendbuf, recvbuf, request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ialltoallv,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                        void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm, request))

BATON_MPI_BODY(MPI_Ialltoallw)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                                       const int sdispls[], const MPI_Datatype sendtypes[], void* recvbuf,
                                       const int recvcounts[], const int rdispls[], const MPI_Datatype recvtypes[],
                                       MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ialltoallw", site, comm);
    auto kept = std::make_unique<pending_blocks>();
    kept->in = blocks(c, recvcounts, rdispls, recvtypes, "receive");
    if (sendbuf != MPI_IN_PLACE) kept->out = blocks(c, sendcounts, sdispls, sendtypes, "send");
    return start_exchange(c, std::move(kept), sendbuf, recvbuf, request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ialltoallw,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], const MPI_Datatype sendtypes[],
                        void* recvbuf, const int recvcounts[], const int rdispls[], const MPI_Datatype recvtypes[],
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcounts, sdispls, sendtypes, recvbuf, recvcounts, rdispls, recvtypes, comm, request))
