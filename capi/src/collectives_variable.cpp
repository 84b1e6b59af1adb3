// MPI's collectives whose blocks differ in size or place (gatherv, scatterv, allgatherv, alltoall,
// alltoallv), over the backends' packed forms (displacements.hpp).
#include "displacements.hpp"

using namespace baton;
using namespace baton::capi;

BATON_MPI_BODY(MPI_Gatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                            MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int displs[],
                            MPI_Datatype recvtype, int root, MPI_Comm comm) {
    const call c("MPI_Gatherv", site, comm);
    c.check_root(root);
    const auto mine = c.send_view(sendbuf, sendcount, sendtype);
    if (c.comm.rank() != root) {
        c.comm.gatherv(mine, c.recv_buffer(nullptr, 0, sendtype), nullptr, root, c.where);
        return MPI_SUCCESS;
    }
    const layout at = layout_of(c, recvcounts, displs, "receive");
    const type_desc type = type_of(c.comm, recvtype, c.name, c.where);
    std::vector<std::byte> packed(at.total() * type.size);
    std::vector<std::size_t> arrived;
    c.comm.gatherv(mine, {packed.data(), at.total(), type}, &arrived, root, c.where);
    unpack(c, packed, arrived, recvbuf, at, type.size);
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
    const auto mine = c.recv_buffer(recvbuf, recvcount, recvtype);
    if (c.comm.rank() != root) {
        c.comm.scatterv(c.send_view(nullptr, 0, recvtype), {}, mine, root, c.where);
        return MPI_SUCCESS;
    }
    const layout at = layout_of(c, sendcounts, displs, "send");
    const type_desc type = type_of(c.comm, sendtype, c.name, c.where);
    const std::vector<std::byte> packed = pack(sendbuf, at, type.size);
    c.comm.scatterv({packed.data(), at.total(), type}, at.counts, mine, root, c.where);
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
    const layout at = layout_of(c, recvcounts, displs, "receive");
    const type_desc type = type_of(c.comm, recvtype, c.name, c.where);
    std::vector<std::byte> packed(at.total() * type.size);
    std::vector<std::size_t> arrived;
    c.comm.allgatherv(c.send_view(sendbuf, sendcount, sendtype), {packed.data(), at.total(), type}, &arrived, c.where);
    unpack(c, packed, arrived, recvbuf, at, type.size);
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
    if (sendbuf == MPI_IN_PLACE) detail::throw_usage(c.comm, c.name, "MPI_IN_PLACE is not supported here yet", c.where);
    const auto ranks = static_cast<std::size_t>(c.comm.size());
    c.comm.alltoall(c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * ranks), sendtype),
                    c.recv_buffer(recvbuf, static_cast<int>(c.count(recvcount) * ranks), recvtype), c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Alltoall,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm))

BATON_MPI_BODY(MPI_Alltoallv)(const baton_mpi_where* site, const void* sendbuf, const int sendcounts[],
                              const int sdispls[], MPI_Datatype sendtype, void* recvbuf,
                              const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                              MPI_Comm comm) {
    const call c("MPI_Alltoallv", site, comm);
    if (sendbuf == MPI_IN_PLACE) detail::throw_usage(c.comm, c.name, "MPI_IN_PLACE is not supported here yet", c.where);
    const layout out = layout_of(c, sendcounts, sdispls, "send"), in = layout_of(c, recvcounts, rdispls, "receive");
    const type_desc sent = type_of(c.comm, sendtype, c.name, c.where), received = type_of(c.comm, recvtype, c.name, c.where);
    const std::vector<std::byte> packed_out = pack(sendbuf, out, sent.size);
    std::vector<std::byte> packed_in(in.total() * received.size);
    std::vector<std::size_t> arrived;
    c.comm.alltoallv({packed_out.data(), out.total(), sent}, out.counts, {packed_in.data(), in.total(), received},
                     &arrived, c.where);
    unpack(c, packed_in, arrived, recvbuf, in, received.size);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Alltoallv,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                        void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                        MPI_Comm comm),
                       (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm))
