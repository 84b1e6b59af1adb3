// MPI's neighbour collectives on Cartesian communicators (MPI-3.1 §7.6): the neighbours are, for
// each dimension, the source then the destination of a shift by 1; a neighbour beyond an edge
// that does not wrap is MPI_PROC_NULL, and its block is neither sent nor written.
// MPI_Neighbor_allgather and MPI_Neighbor_alltoall are the backends' own. Their v-forms, whose
// blocks differ in size, and the non-blocking forms, which the backends do not have, are the
// backends' alltoallv or ialltoallv over the whole communicator (every rank of it takes part in a
// neighbour collective), with blocks only between neighbours (neighbor_plan).
#include <algorithm>
#include <span>
#include <vector>

#include <baton/detail/grid.hpp>

#include "requests.hpp"

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

std::size_t neighbors_of(const call& c) { return 2 * grid_of(c).dims.size(); }

// One neighbour slot's block in the program's buffer: `count` elements at `at`.
struct slot {
    const void* at = nullptr;
    std::size_t count = 0;
};

// The slots of a v-form's `counts` and `displs` (in extents of `datatype`) at `base`, checked.
std::vector<slot> v_slots(const call& c, const void* base, const int counts[], const int displs[],
                          MPI_Datatype datatype, std::string_view what) {
    const std::size_t neighbors = neighbors_of(c);
    if (neighbors > 0 && (!counts || !displs))
        detail::throw_usage(c.comm, c.name, std::string("the ") + std::string(what) + " counts or displacements are NULL",
                            c.where);
    const std::ptrdiff_t extent = c.wire(datatype).map->extent;
    std::vector<slot> made;
    for (std::size_t i = 0; i < neighbors; ++i) {
        if (displs[i] < 0)
            detail::throw_usage(c.comm, c.name, std::string(what) + " displacement " + std::to_string(i) + " is negative",
                                c.where);
        made.push_back({static_cast<const std::byte*>(base) + displs[i] * extent, c.count(counts[i])});
    }
    return made;
}

// The slots of `count` elements each, one after the other at `base` (the fixed-size forms), or all
// at `base` (an allgather's one block, given to every neighbour).
std::vector<slot> even_slots(const call& c, const void* base, int count, MPI_Datatype datatype, bool apart) {
    const std::size_t n = c.count(count);
    const std::ptrdiff_t step = apart ? static_cast<std::ptrdiff_t>(n) * c.wire(datatype).map->extent : 0;
    std::vector<slot> made;
    for (std::size_t i = 0; i < neighbors_of(c); ++i)
        made.push_back({static_cast<const std::byte*>(base) + static_cast<std::ptrdiff_t>(i) * step, n});
    return made;
}

// A neighbour exchange as an alltoallv: this rank sends slot i's block to neighbour i and receives
// slot j's from neighbour j. What rank p gets from this rank is the blocks of the slots naming p,
// in slot order; what p sends in its slot i arrives in slot i ^ 1 here (what a neighbour sends
// upwards comes from below), as in the backends' neighbour collectives. Kept with a non-blocking
// form's request, which unpacks it when it completes.
class neighbor_plan final : public kept_for_completion {
public:
    neighbor_plan(const call& c, const std::vector<slot>& sends, MPI_Datatype sendtype, std::vector<slot> receives,
                  MPI_Datatype recvtype)
        : out_(c.wire(sendtype)), in_(c.wire(recvtype)), receives_(std::move(receives)) {
        const auto& grid = grid_of(c);
        const int size = c.comm.size(), me = c.comm.rank();
        const std::vector<int> mine = detail::grid_neighbors(grid, me);
        out_counts_.assign(static_cast<std::size_t>(size), 0);
        in_counts_ = out_counts_;
        arriving_.resize(static_cast<std::size_t>(size));
        for (int p = 0; p < size; ++p) {
            const auto to = static_cast<std::size_t>(p);
            for (std::size_t i = 0; i < mine.size(); ++i)
                if (mine[i] == p) {
                    const std::vector<std::byte> block = pack(*out_.map, sends[i].at, sends[i].count);
                    given_.insert(given_.end(), block.begin(), block.end());
                    out_counts_[to] += sends[i].count * out_.per;
                }
            if (std::find(mine.begin(), mine.end(), p) == mine.end()) continue;
            const std::vector<int> theirs = detail::grid_neighbors(grid, p);
            for (std::size_t i = 0; i < theirs.size(); ++i)
                if (theirs[i] == me) {
                    arriving_[to].push_back(i ^ 1);
                    in_counts_[to] += receives_[i ^ 1].count * in_.per;
                }
        }
        received_.resize(sum_of(in_counts_) * in_.element.size);
    }

    backend::send_view given() const { return {given_.data(), given_.size() / out_.element.size, out_.element}; }
    std::span<const std::size_t> out_counts() const { return out_counts_; }
    backend::recv_buffer room() { return {received_.data(), received_.size() / in_.element.size, in_.element}; }
    std::span<const std::size_t> in_counts() const { return in_counts_; }

    // A usage_error when a neighbour sent more than this rank's slots for it hold.
    void check(const call& c, const std::vector<std::size_t>& arrived) const {
        for (std::size_t p = 0; p < arrived.size(); ++p)
            if (arrived[p] > in_counts_[p])
                detail::throw_usage(c.comm, c.name,
                                    "neighbour " + std::to_string(p) + " sent " + std::to_string(arrived[p]) +
                                        " elements where the receive counts allow " + std::to_string(in_counts_[p]),
                                    c.where);
    }
    // What arrived from each rank (`arrived`, backend elements) moved to its slots.
    void unpack(std::span<const std::size_t> arrived) const {
        const std::byte* at = received_.data();
        for (std::size_t p = 0; p < arrived.size(); ++p) {
            std::size_t left = arrived[p] * in_.element.size;
            for (const std::size_t j : arriving_[p]) {
                const std::size_t bytes = std::min(left, receives_[j].count * in_.map->size);
                capi::unpack(*in_.map, at, bytes, const_cast<void*>(receives_[j].at), receives_[j].count);
                at += bytes;
                left -= bytes;
            }
        }
    }
    void complete() override { unpack(in_counts_); }

private:
    call::wire_form out_, in_;
    std::vector<slot> receives_;
    std::vector<std::size_t> out_counts_, in_counts_;
    std::vector<std::vector<std::size_t>> arriving_;  // for each rank, the slots what it sends arrives in
    std::vector<std::byte> given_, received_;
};

// The blocking forms through a plan (the v-forms).
void exchange_now(const call& c, neighbor_plan& plan) {
    std::vector<std::size_t> arrived;
    c.comm.alltoallv(plan.given(), plan.out_counts(), plan.room(), &arrived, c.where);
    plan.check(c, arrived);
    plan.unpack(arrived);
}

// The non-blocking forms: the plan goes with the request.
int start_exchange(const call& c, std::unique_ptr<neighbor_plan> plan, MPI_Request* request) {
    auto started = c.comm.ialltoallv(plan->given(), plan->out_counts(), plan->room(), plan->in_counts(), c.where);
    return keep_started(c, request, std::move(started), std::move(plan));
}

// A fixed-size neighbour collective whose result is `count` elements of `recvtype` from each
// neighbour, at `recvbuf`: `exchange(result)` fills a copy, whose blocks from real neighbours are
// then moved to the program's buffer. MPI leaves a MPI_PROC_NULL neighbour's block untouched; the
// backends need not (on process ranks the whole result comes back, zeros there).
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

BATON_MPI_BODY(MPI_Neighbor_allgather)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
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

BATON_MPI_BODY(MPI_Neighbor_alltoall)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                              MPI_Datatype sendtype, void* recvbuf, int recvcount,
                                              MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_alltoall", site, comm);
    const auto all = c.send_view(sendbuf, static_cast<int>(c.count(sendcount) * neighbors_of(c)), sendtype);
    into_neighbor_blocks(c, recvbuf, recvcount, recvtype,
                         [&](const backend::recv_buffer& mine) { c.comm.neighbor_alltoall(all, mine, c.where); });
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_alltoall,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm))

// The one block of `sendbuf` goes to every neighbour.
BATON_MPI_BODY(MPI_Neighbor_allgatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                                MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                                                const int displs[], MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_allgatherv", site, comm);
    neighbor_plan plan(c, even_slots(c, sendbuf, sendcount, sendtype, false), sendtype,
                       v_slots(c, recvbuf, recvcounts, displs, recvtype, "receive"), recvtype);
    exchange_now(c, plan);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_allgatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, MPI_Comm comm),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm))

BATON_MPI_BODY(MPI_Neighbor_alltoallv)(const baton_mpi_where* site, const void* sendbuf,
                                               const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                                               void* recvbuf, const int recvcounts[], const int rdispls[],
                                               MPI_Datatype recvtype, MPI_Comm comm) {
    const call c("MPI_Neighbor_alltoallv", site, comm);
    neighbor_plan plan(c, v_slots(c, sendbuf, sendcounts, sdispls, sendtype, "send"), sendtype,
                       v_slots(c, recvbuf, recvcounts, rdispls, recvtype, "receive"), recvtype);
    exchange_now(c, plan);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Neighbor_alltoallv,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                        void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                        MPI_Comm comm),
                       (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm))

BATON_MPI_BODY(MPI_Ineighbor_allgather)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                                MPI_Datatype sendtype, void* recvbuf, int recvcount,
                                                MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ineighbor_allgather", site, comm);
    return start_exchange(c,
                          std::make_unique<neighbor_plan>(c, even_slots(c, sendbuf, sendcount, sendtype, false), sendtype,
                                                          even_slots(c, recvbuf, recvcount, recvtype, true), recvtype),
                          request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ineighbor_allgather,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, request))

BATON_MPI_BODY(MPI_Ineighbor_alltoall)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                               MPI_Datatype sendtype, void* recvbuf, int recvcount,
                                               MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ineighbor_alltoall", site, comm);
    return start_exchange(c,
                          std::make_unique<neighbor_plan>(c, even_slots(c, sendbuf, sendcount, sendtype, true), sendtype,
                                                          even_slots(c, recvbuf, recvcount, recvtype, true), recvtype),
                          request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ineighbor_alltoall,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                        MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, request))

BATON_MPI_BODY(MPI_Ineighbor_allgatherv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                                 MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                                                 const int displs[], MPI_Datatype recvtype, MPI_Comm comm,
                                                 MPI_Request* request) {
    const call c("MPI_Ineighbor_allgatherv", site, comm);
    return start_exchange(c,
                          std::make_unique<neighbor_plan>(c, even_slots(c, sendbuf, sendcount, sendtype, false), sendtype,
                                                          v_slots(c, recvbuf, recvcounts, displs, recvtype, "receive"),
                                                          recvtype),
                          request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ineighbor_allgatherv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                        const int displs[], MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm, request))

BATON_MPI_BODY(MPI_Ineighbor_alltoallv)(const baton_mpi_where* site, const void* sendbuf,
                                                const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                                                void* recvbuf, const int recvcounts[], const int rdispls[],
                                                MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Ineighbor_alltoallv", site, comm);
    return start_exchange(c,
                          std::make_unique<neighbor_plan>(c, v_slots(c, sendbuf, sendcounts, sdispls, sendtype, "send"),
                                                          sendtype,
                                                          v_slots(c, recvbuf, recvcounts, rdispls, recvtype, "receive"),
                                                          recvtype),
                          request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ineighbor_alltoallv,
                       (const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                        void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                        MPI_Comm comm, MPI_Request* request),
                       (sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls, recvtype, comm, request))
