// Non-blocking gathers, scatters and all-to-alls on MPI (issue 14: igather): MPI_Igather,
// MPI_Iallgather, MPI_Iscatter, MPI_Ialltoall and their v-forms on the callers' own buffers, each
// an mpi_request completed as any other. Every receiver names its counts before anything arrives
// (MPI's recvcounts: a fixed buffer of its block's size, or the counts its ragged was shaped
// with), so unlike the blocking v-forms no count goes ahead of the data: a call that returns at
// once could not wait for it. The v-forms' count and displacement arrays go with the request.
#include <vector>

#include <fmt/format.h>

#include <baton/errors.hpp>

#include "comm.hpp"
#include "current_call.hpp"
#include "datatypes.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

namespace {

// One side of a v-collective as MPI takes it: a count and a displacement per rank.
struct blocks {
    std::vector<int> counts, starts;
};

// Both sides' arrays, which MPI reads until the collective completes.
struct block_arrays {
    blocks sent, received;
};

blocks blocks_of(std::span<const std::size_t> counts, const comm_info& comm, std::string_view operation,
                 const backend::location& where) {
    blocks b;
    std::size_t total = 0;
    for (const std::size_t count : counts) {
        b.starts.push_back(to_int(total, comm, operation, where));
        b.counts.push_back(to_int(count, comm, operation, where));
        total += count;
    }
    to_int(total, comm, operation, where);
    return b;
}

}  // namespace

void* mpi_comm::room_for_result(std::string_view operation, backend::recv_buffer& into, std::size_t count,
                                backend::location where) {
    to_int(count, *comm_, operation, where);
    const room_for target = room(into, count);
    if (!target.fits) too_small(operation, count, into, where);
    return target.data;
}

std::unique_ptr<backend::request_impl> mpi_comm::igather(backend::send_view mine, backend::recv_buffer all, int root,
                                                         backend::location where) {
    const current_call in_call("igather", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "igather", where);
    void* to = nullptr;
    if (comm_->rank == root) to = room_for_result("igather", all, mine.count * static_cast<std::size_t>(comm_->size), where);
    return mpi_request::start_collective(comm_, "igather", where, [&](MPI_Request* r) {
        return MPI_Igather(mine.data, n, type, to, n, type, root, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::iallgather(backend::send_view mine, backend::recv_buffer all,
                                                            backend::location where) {
    const current_call in_call("iallgather", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "iallgather", where);
    void* to = room_for_result("iallgather", all, mine.count * static_cast<std::size_t>(comm_->size), where);
    return mpi_request::start_collective(comm_, "iallgather", where, [&](MPI_Request* r) {
        return MPI_Iallgather(mine.data, n, type, to, n, type, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                          backend::location where) {
    const current_call in_call("iscatter", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int block = to_int(all.count / static_cast<std::size_t>(comm_->size), *comm_, "iscatter", where);
    const int n = to_int(mine.count, *comm_, "iscatter", where);
    return mpi_request::start_collective(comm_, "iscatter", where, [&](MPI_Request* r) {
        return MPI_Iscatter(all.data, block, type, mine.data, n, type, root, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::ialltoall(backend::send_view all, backend::recv_buffer mine,
                                                           backend::location where) {
    const current_call in_call("ialltoall", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    const int block = to_int(all.count / static_cast<std::size_t>(comm_->size), *comm_, "ialltoall", where);
    void* to = room_for_result("ialltoall", mine, all.count, where);
    return mpi_request::start_collective(comm_, "ialltoall", where, [&](MPI_Request* r) {
        return MPI_Ialltoall(all.data, block, type, to, block, type, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::igatherv(backend::send_view mine, backend::recv_buffer all,
                                                          std::span<const std::size_t> expected, int root,
                                                          backend::location where) {
    const current_call in_call("igatherv", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "igatherv", where);
    auto arrays = std::make_shared<block_arrays>();
    if (comm_->rank == root) arrays->received = blocks_of(expected, *comm_, "igatherv", where);
    const blocks& into = arrays->received;
    return mpi_request::start_collective(
        comm_, "igatherv", where,
        [&](MPI_Request* r) {
            return MPI_Igatherv(mine.data, n, type, all.data, into.counts.data(), into.starts.data(), type, root,
                                comm, r);
        },
        arrays);
}

std::unique_ptr<backend::request_impl> mpi_comm::iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                             std::span<const std::size_t> expected,
                                                             backend::location where) {
    const current_call in_call("iallgatherv", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "iallgatherv", where);
    auto arrays = std::make_shared<block_arrays>();
    arrays->received = blocks_of(expected, *comm_, "iallgatherv", where);
    const blocks& into = arrays->received;
    return mpi_request::start_collective(
        comm_, "iallgatherv", where,
        [&](MPI_Request* r) {
            return MPI_Iallgatherv(mine.data, n, type, all.data, into.counts.data(), into.starts.data(), type, comm, r);
        },
        arrays);
}

std::unique_ptr<backend::request_impl> mpi_comm::iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                           backend::recv_buffer mine, int root,
                                                           backend::location where) {
    const current_call in_call("iscatterv", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "iscatterv", where);
    auto arrays = std::make_shared<block_arrays>();
    if (comm_->rank == root) arrays->sent = blocks_of(counts, *comm_, "iscatterv", where);
    const blocks& from = arrays->sent;
    return mpi_request::start_collective(
        comm_, "iscatterv", where,
        [&](MPI_Request* r) {
            return MPI_Iscatterv(all.data, from.counts.data(), from.starts.data(), type, mine.data, n, type, root,
                                 comm, r);
        },
        arrays);
}

std::unique_ptr<backend::request_impl> mpi_comm::ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                            backend::recv_buffer mine,
                                                            std::span<const std::size_t> expected,
                                                            backend::location where) {
    const current_call in_call("ialltoallv", where);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    auto arrays = std::make_shared<block_arrays>();
    arrays->sent = blocks_of(counts, *comm_, "ialltoallv", where);
    arrays->received = blocks_of(expected, *comm_, "ialltoallv", where);
    const blocks &from = arrays->sent, &into = arrays->received;
    return mpi_request::start_collective(
        comm_, "ialltoallv", where,
        [&](MPI_Request* r) {
            return MPI_Ialltoallv(all.data, from.counts.data(), from.starts.data(), type, mine.data,
                                  into.counts.data(), into.starts.data(), type, comm, r);
        },
        arrays);
}

}  // namespace baton::mpi::detail
