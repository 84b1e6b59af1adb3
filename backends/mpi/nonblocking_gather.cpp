// Non-blocking gathers, scatters and all-to-alls on MPI (issue 14: igather): MPI_Igather,
// MPI_Iallgather, MPI_Iscatter, MPI_Ialltoall and their v-forms on the callers' own buffers, each
// an mpi_request completed as any other. Every receiver names its counts before anything arrives
// (MPI's recvcounts: a fixed buffer of its block's size, or the counts its ragged was shaped
// with), so unlike the blocking v-forms no count goes ahead of the data: a call that returns at
// once could not wait for it. The v-forms' count and displacement arrays go with the request.
#include <functional>
#include <memory>
#include <span>
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

// A v-form: MPI's arrays for the sides this rank has (`sent`, `received`: empty where it has
// none), then `post` with them; the request keeps them until MPI is done with them.
std::unique_ptr<backend::request_impl> start_v(const std::shared_ptr<const comm_info>& comm, std::string_view operation,
                                               std::span<const std::size_t> sent,
                                               std::span<const std::size_t> received, const backend::location& where,
                                               const std::function<int(const block_arrays&, MPI_Request*)>& post) {
    auto arrays = std::make_shared<block_arrays>();
    arrays->sent = blocks_of(sent, *comm, operation, where);
    arrays->received = blocks_of(received, *comm, operation, where);
    return mpi_request::start_collective(
        comm, operation, where, [&](MPI_Request* r) { return post(*arrays, r); }, arrays);
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
    profile_bytes("igather", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "igather", where);
    void* to = nullptr;
    if (comm_->rank == root) to = room_for_result("igather", all, mine.count * static_cast<std::size_t>(comm_->size), where);
    // In place at the root (backend.hpp): its block is in `all` already (MPI_IN_PLACE).
    const void* from = comm_->rank == root && backend::in_place_block(mine, all, root) ? MPI_IN_PLACE : mine.data;
    return mpi_request::start_collective(comm_, "igather", where, [&](MPI_Request* r) {
        return MPI_Igather(from, n, type, to, n, type, root, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::iallgather(backend::send_view mine, backend::recv_buffer all,
                                                            backend::location where) {
    const current_call in_call("iallgather", where);
    profile_bytes("iallgather", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "iallgather", where);
    void* to = room_for_result("iallgather", all, mine.count * static_cast<std::size_t>(comm_->size), where);
    const void* from = backend::in_place_block(mine, all, comm_->rank) ? MPI_IN_PLACE : mine.data;
    return mpi_request::start_collective(comm_, "iallgather", where, [&](MPI_Request* r) {
        return MPI_Iallgather(from, n, type, to, n, type, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                          backend::location where) {
    const current_call in_call("iscatter", where);
    profile_bytes("iscatter", where, comm_->rank == root ? all.count * all.type.size : 0, 0);
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
    profile_bytes("ialltoall", where, all.count * all.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    const int block = to_int(all.count / static_cast<std::size_t>(comm_->size), *comm_, "ialltoall", where);
    const void* from = backend::in_place(all, mine) ? MPI_IN_PLACE : all.data;
    void* to = room_for_result("ialltoall", mine, all.count, where);
    return mpi_request::start_collective(comm_, "ialltoall", where, [&](MPI_Request* r) {
        return MPI_Ialltoall(from, block, type, to, block, type, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::igatherv(backend::send_view mine, backend::recv_buffer all,
                                                          std::span<const std::size_t> expected, int root,
                                                          backend::location where) {
    const current_call in_call("igatherv", where);
    profile_bytes("igatherv", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "igatherv", where);
    const auto received = comm_->rank == root ? expected : std::span<const std::size_t>();
    return start_v(comm_, "igatherv", {}, received, where, [&](const block_arrays& a, MPI_Request* r) {
        return MPI_Igatherv(mine.data, n, type, all.data, a.received.counts.data(), a.received.starts.data(), type,
                            root, comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                             std::span<const std::size_t> expected,
                                                             backend::location where) {
    const current_call in_call("iallgatherv", where);
    profile_bytes("iallgatherv", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "iallgatherv", where);
    return start_v(comm_, "iallgatherv", {}, expected, where, [&](const block_arrays& a, MPI_Request* r) {
        return MPI_Iallgatherv(mine.data, n, type, all.data, a.received.counts.data(), a.received.starts.data(), type,
                               comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                           backend::recv_buffer mine, int root,
                                                           backend::location where) {
    const current_call in_call("iscatterv", where);
    profile_bytes("iscatterv", where, comm_->rank == root ? all.count * all.type.size : 0, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "iscatterv", where);
    const auto sent = comm_->rank == root ? counts : std::span<const std::size_t>();
    return start_v(comm_, "iscatterv", sent, {}, where, [&](const block_arrays& a, MPI_Request* r) {
        return MPI_Iscatterv(all.data, a.sent.counts.data(), a.sent.starts.data(), type, mine.data, n, type, root,
                             comm, r);
    });
}

std::unique_ptr<backend::request_impl> mpi_comm::ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                            backend::recv_buffer mine,
                                                            std::span<const std::size_t> expected,
                                                            backend::location where) {
    const current_call in_call("ialltoallv", where);
    profile_bytes("ialltoallv", where, all.count * all.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    return start_v(comm_, "ialltoallv", counts, expected, where, [&](const block_arrays& a, MPI_Request* r) {
        return MPI_Ialltoallv(all.data, a.sent.counts.data(), a.sent.starts.data(), type, mine.data,
                              a.received.counts.data(), a.received.starts.data(), type, comm, r);
    });
}

}  // namespace baton::mpi::detail
