// Non-blocking scans and reduce-scatter on MPI (issue 14: iscan): MPI_Iscan, MPI_Iexscan,
// MPI_Ireduce_scatter_block and MPI_Ireduce_scatter on the callers' own buffers, through the same
// start as ireduce and iallreduce (nonblocking_collective.cpp). What MPI reads or writes after
// the call returns and the caller did not give, the request keeps: exscan's room at rank 0 (whose
// result MPI leaves undefined and baton leaves as it was), reduce_scatter's counts as ints.
#include <cstring>
#include <memory>
#include <vector>

#include "comm.hpp"
#include "ops.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

std::unique_ptr<backend::request_impl> mpi_comm::iscan(backend::send_view mine, backend::recv_buffer result,
                                                       const reduce_op& op, backend::location where) {
    return element_wise("iscan", MPI_Iscan, mine, result, op, where);
}

std::unique_ptr<backend::request_impl> mpi_comm::iexscan(backend::send_view mine, backend::recv_buffer result,
                                                         const reduce_op& op, backend::location where) {
    const MPI_Comm comm = comm_->handle;
    const int n = to_int(mine.count, *comm_, "iexscan", where);
    const bool first = comm_->rank == 0;
    // In place at rank 0 too (as MPI_IN_PLACE is given "at all processes"): its input from the room.
    const bool first_in_place = first && backend::in_place(mine, result);
    std::shared_ptr<std::vector<std::max_align_t>> room;
    if (first) {
        room = std::make_shared<std::vector<std::max_align_t>>(
            (mine.count * mine.type.size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t) + 1);
        if (first_in_place) std::memcpy(room->data(), mine.data, mine.count * mine.type.size);
    }
    auto request = nonblocking_reduction(
        "iexscan", mine, result, mine.count, !first, op,
        [&](const void* from, void* to, const mpi_reduction& native, MPI_Request* r) {
            return MPI_Iexscan(first_in_place ? MPI_IN_PLACE : from, first ? room->data() : to, n, native.type,
                               native.op, comm, r);
        },
        where);
    request->keep_until_freed(std::move(room));
    return request;
}

std::unique_ptr<backend::request_impl> mpi_comm::ireduce_scatter_block(backend::send_view mine,
                                                                       backend::recv_buffer result,
                                                                       const reduce_op& op, backend::location where) {
    const MPI_Comm comm = comm_->handle;
    const std::size_t block = mine.count / static_cast<std::size_t>(comm_->size);
    const int n = to_int(block, *comm_, "ireduce_scatter_block", where);
    return nonblocking_reduction(
        "ireduce_scatter_block", mine, result, block, true, op,
        [&](const void* from, void* to, const mpi_reduction& native, MPI_Request* r) {
            return MPI_Ireduce_scatter_block(from, to, n, native.type, native.op, comm, r);
        },
        where);
}

std::unique_ptr<backend::request_impl> mpi_comm::ireduce_scatter(backend::send_view mine,
                                                                 std::span<const std::size_t> counts,
                                                                 backend::recv_buffer result, const reduce_op& op,
                                                                 backend::location where) {
    const MPI_Comm comm = comm_->handle;
    auto sizes = std::make_shared<std::vector<int>>();
    sizes->reserve(counts.size());
    for (const std::size_t count : counts) sizes->push_back(to_int(count, *comm_, "ireduce_scatter", where));
    auto request = nonblocking_reduction(
        "ireduce_scatter", mine, result, counts[static_cast<std::size_t>(comm_->rank)], true, op,
        [&](const void* from, void* to, const mpi_reduction& native, MPI_Request* r) {
            return MPI_Ireduce_scatter(from, to, sizes->data(), native.type, native.op, comm, r);
        },
        where);
    request->keep_until_freed(std::move(sizes));
    return request;
}

}  // namespace baton::mpi::detail
