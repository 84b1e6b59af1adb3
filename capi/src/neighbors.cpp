// MPI's neighbour collectives on Cartesian communicators (MPI-3.1 §7.6): the neighbours are, for
// each dimension, the source then the destination of a shift by 1; a neighbour beyond an edge
// that does not wrap is MPI_PROC_NULL, and its block is neither sent nor written.
// MPI_Neighbor_allgather and MPI_Neighbor_alltoall are the backends' own; their v-forms, whose
// blocks differ in size, are the backends' alltoallv over the whole communicator (every rank of
// it takes part in a neighbour collective), with blocks only between neighbours.
#include <algorithm>
#include <vector>

#include <baton/detail/grid.hpp>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// The communicator's grid, or a usage_error (graph topologies are not baton's).
const backend::cartesian_grid& grid_of(const call& c) {
    const backend::cartesian_grid* grid = c.comm.grid();
    if (!grid)
        detail::throw_usage(c.comm, c.name,
                            "the communicator has no Cartesian topology (MPI_Cart_create); baton's neighbour "
                            "collectives are on Cartesian communicators only",
                            c.where);
    return *grid;
}

// Elements (of a datatype) for each of `neighbors` slots, checked.
std::vector<std::size_t> slot_counts(const call& c, const int counts[], const int displs[], std::size_t neighbors,
                                     std::string_view what) {
    if (neighbors > 0 && (!counts || !displs))
        detail::throw_usage(c.comm, c.name, std::string("the ") + std::string(what) + " counts or displacements are NULL",
                            c.where);
    std::vector<std::size_t> made;
    for (std::size_t i = 0; i < neighbors; ++i) {
        if (displs[i] < 0)
            detail::throw_usage(c.comm, c.name, std::string(what) + " displacement " + std::to_string(i) + " is negative",
                                c.where);
        made.push_back(c.count(counts[i]));
    }
    return made;
}

// A neighbour v-form as an alltoallv: this rank sends `send_counts[i]` elements of `sendtype` at
// `send_at[i]` to neighbour i, and receives `recv_counts[j]` elements of `recvtype` from neighbour
// j at `recvbuf` + `recv_displs[j]` extents. What rank p gets from this rank is the blocks of the
// slots naming p, in slot order; what it sends in its slot i arrives in slot i ^ 1 here (what a
// neighbour sends upwards comes from below), as in the backends' neighbour collectives.
void neighbor_exchange(const call& c, const std::vector<const void*>& send_at, const std::vector<std::size_t>& send_counts,
                       MPI_Datatype sendtype, void* recvbuf, const std::vector<std::size_t>& recv_counts,
                       const int recv_displs[], MPI_Datatype recvtype) {
    const auto& grid = grid_of(c);
    const int size = c.comm.size(), me = c.comm.rank();
    const std::vector<int> mine = detail::grid_neighbors(grid, me);
    const call::wire_form out = c.wire(sendtype), in = c.wire(recvtype);
    std::vector<std::size_t> out_counts(static_cast<std::size_t>(size)), in_counts(out_counts);
    std::vector<std::vector<std::size_t>> arriving(static_cast<std::size_t>(size));  // slots, in arrival order
    std::vector<std::byte> given;
    for (int p = 0; p < size; ++p) {
        const auto to = static_cast<std::size_t>(p);
        for (std::size_t i = 0; i < mine.size(); ++i)
            if (mine[i] == p) {
                const std::vector<std::byte> block = pack(*out.map, send_at[i], send_counts[i]);
                given.insert(given.end(), block.begin(), block.end());
                out_counts[to] += send_counts[i] * out.per;
            }
        if (std::find(mine.begin(), mine.end(), p) == mine.end()) continue;
        const std::vector<int> theirs = detail::grid_neighbors(grid, p);
        for (std::size_t i = 0; i < theirs.size(); ++i)
            if (theirs[i] == me) {
                arriving[to].push_back(i ^ 1);
                in_counts[to] += recv_counts[i ^ 1] * in.per;
            }
    }
    const std::size_t total_in = sum_of(in_counts);
    std::vector<std::byte> received(total_in * in.element.size);
    std::vector<std::size_t> arrived;
    c.comm.alltoallv({given.data(), given.size() / out.element.size, out.element}, out_counts,
                     {received.data(), total_in, in.element}, &arrived, c.where);
    const std::byte* at = received.data();
    for (std::size_t p = 0; p < arrived.size(); ++p) {
        if (arrived[p] > in_counts[p])
            detail::throw_usage(c.comm, c.name,
                                "neighbour " + std::to_string(p) + " sent " + std::to_string(arrived[p]) +
                                    " elements where the receive counts allow " + std::to_string(in_counts[p]),
                                c.where);
        std::size_t left = arrived[p] * in.element.size;
        for (const std::size_t j : arriving[p]) {
            const std::size_t bytes = std::min(left, recv_counts[j] * in.map->size);
            unpack(*in.map, at, bytes, static_cast<std::byte*>(recvbuf) + recv_displs[j] * in.map->extent, recv_counts[j]);
            at += bytes;
            left -= bytes;
        }
    }
}

// A neighbour collective whose result is `count` elements of `recvtype` from each neighbour, at
// `recvbuf`: `exchange(result)` fills a copy, whose blocks from real neighbours are then moved to
// the program's buffer. MPI leaves a MPI_PROC_NULL neighbour's block untouched; the backends need
// not (on process ranks the whole result comes back, zeros there).
template <class Exchange>
void into_neighbor_blocks(const call& c, void* recvbuf, int count, MPI_Datatype recvtype, Exchange&& exchange) {
    const std::vector<int> neighbors = detail::grid_neighbors(grid_of(c), c.comm.rank());
    const call::wire_form in = c.wire(recvtype);
    const std::size_t n = c.count(count), block = n * in.map->size;
    std::vector<std::byte> result(neighbors.size() * block);
    exchange(backend::recv_buffer{result.data(), neighbors.size() * n * in.per, in.element});
    for (std::size_t i = 0; i < neighbors.size(); ++i)
        if (neighbors[i] != proc_null)
            unpack(*in.map, result.data() + i * block, block,
                   static_cast<std::byte*>(recvbuf) + static_cast<std::ptrdiff_t>(i * n) * in.map->extent, n);
}

}  // namespace

extern "C" int baton_MPI_Neighbor_allgather_at(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                               MPI_Datatype sendtype, void* recvbuf, int recvcount,
                                               MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_allgather", site, comm);
    const auto mine = c.send_view(sendbuf, sendcount, sendtype);
    into_neighbor_blocks(c, recvbuf, recvcount, recvtype,
                         [&](const backend::recv_buffer& all) { c.comm.neighbor_allgather(mine, all, c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_allgather,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm))

extern "C" int baton_MPI_Neighbor_alltoall_at(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                              MPI_Datatype sendtype, void* recvbuf, int recvcount,
                                              MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_alltoall", site, comm);
    const std::size_t neighbors = 2 * grid_of(c).dims.size();
    const auto all = c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * neighbors), sendtype);
    into_neighbor_blocks(c, recvbuf, recvcount, recvtype,
                         [&](const backend::recv_buffer& mine) { c.comm.neighbor_alltoall(all, mine, c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_alltoall,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm))

// The one block of `sendbuf` goes to every neighbour.
extern "C" int baton_MPI_Neighbor_allgatherv_at(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                                MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                                                const int displs[], MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_allgatherv", site, comm);
    const std::size_t neighbors = 2 * grid_of(c).dims.size();
    neighbor_exchange(c, std::vector<const void*>(neighbors, sendbuf),
                      std::vector<std::size_t>(neighbors, c.count(sendcount)), sendtype, recvbuf,
                      slot_counts(c, recvcounts, displs, neighbors, "receive"), displs, recvtype);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_allgatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm))

extern "C" int baton_MPI_Neighbor_alltoallv_at(const baton_mpi_where* site, const void* sendbuf,
                                               const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                                               void* recvbuf, const int recvcounts[], const int rdispls[],
                                               MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_alltoallv", site, comm);
    const std::size_t neighbors = 2 * grid_of(c).dims.size();
    const auto send_counts = slot_counts(c, sendcounts, sdispls, neighbors, "send");
    const std::ptrdiff_t extent = c.wire(sendtype).map->extent;
    std::vector<const void*> send_at;
    for (std::size_t i = 0; i < neighbors; ++i) send_at.push_back(static_cast<const std::byte*>(sendbuf) + sdispls[i] * extent);
    neighbor_exchange(c, send_at, send_counts, sendtype, recvbuf, slot_counts(c, recvcounts, rdispls, neighbors, "receive"),
                      rdispls, recvtype);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_alltoallv,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                        void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                        MPI_Comm comm),
                       (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm))
