// Non-blocking collectives on MPI (issue 14: icoll): MPI_Ibarrier, MPI_Ibcast, MPI_Ireduce and
// MPI_Iallreduce on the callers' own buffers, each an mpi_request completed as any other. The
// typed layer passes fixed receive buffers to ibcast (a rank cannot learn the root's size without
// waiting), so no size exchange is needed here. A reduction of the program's own runs in whichever
// later call makes progress, where no user_reduction_scope is: it is an attached_reduction.
#include <memory>

#include <baton/errors.hpp>

#include "comm.hpp"
#include "current_call.hpp"
#include "datatypes.hpp"
#include "ops.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

std::unique_ptr<backend::request_impl> mpi_comm::ibarrier(backend::location where) {
    const current_call in_call("ibarrier", where);
    const MPI_Comm comm = comm_->handle;
    return mpi_request::start_collective(comm_, "ibarrier", where, [&](MPI_Request* r) { return MPI_Ibarrier(comm, r); });
}

std::unique_ptr<backend::request_impl> mpi_comm::ibcast(backend::recv_buffer data, int root, backend::location where) {
    const current_call in_call("ibcast", where);
    profile_bytes("ibcast", where, data.count * data.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const int n = to_int(data.count, *comm_, "ibcast", where);
    const MPI_Datatype type = transfer_type(data.type);
    return mpi_request::start_collective(
        comm_, "ibcast", where, [&](MPI_Request* r) { return MPI_Ibcast(data.data, n, type, root, comm, r); });
}

std::unique_ptr<mpi_request> mpi_comm::nonblocking_reduction(const char* operation, const backend::send_view& mine,
                                                             backend::recv_buffer result, std::size_t result_count,
                                                             bool gets, const reduce_op& op,
                                                             const reduction_post& post,
                                                             const backend::location& where) {
    const current_call in_call(operation, where);
    profile_bytes(operation, where, mine.count * mine.type.size, 0);
    // MPI's own operation, or the program's (a callable, a builtin on a struct) carried by a
    // datatype of the request's own (ops.hpp).
    const mpi_reduction& native = native_reduction(op, mine.type);
    std::shared_ptr<attached_reduction> own;
    if (native.op == MPI_OP_NULL) own = std::make_shared<attached_reduction>(op, mine.type);
    const mpi_reduction& reduction = own ? own->mpi() : native;
    void* to = nullptr;
    if (gets) {
        const room_for target = room(result, result_count);
        if (!target.fits) too_small(operation, result_count, result, where);
        to = target.data;
    }
    // In place (backend.hpp): MPI takes the input from the result's buffer. Where this rank gets no
    // result (iexscan's rank 0), `post` puts one elsewhere and passes its input there itself.
    const void* from = gets && backend::in_place(mine, result) ? MPI_IN_PLACE : mine.data;
    auto request = mpi_request::start_collective(comm_, operation, where,
                                                 [&](MPI_Request* r) { return post(from, to, reduction, r); });
    if (own) request->keep_reduction(std::move(own));
    return request;
}

std::unique_ptr<backend::request_impl> mpi_comm::ireduce(backend::send_view mine, backend::recv_buffer result,
                                                         const reduce_op& op, int root, backend::location where) {
    const MPI_Comm comm = comm_->handle;
    const int n = to_int(mine.count, *comm_, "ireduce", where);
    return nonblocking_reduction(
        "ireduce", mine, result, mine.count, root == comm_->rank, op,
        [&](const void* from, void* to, const mpi_reduction& native, MPI_Request* r) {
            return MPI_Ireduce(from, to, n, native.type, native.op, root, comm, r);
        },
        where);
}

std::unique_ptr<mpi_request> mpi_comm::element_wise(const char* operation, element_wise_call call,
                                                    const backend::send_view& mine, backend::recv_buffer result,
                                                    const reduce_op& op, const backend::location& where) {
    const MPI_Comm comm = comm_->handle;
    const int n = to_int(mine.count, *comm_, operation, where);
    return nonblocking_reduction(
        operation, mine, result, mine.count, true, op,
        [&](const void* from, void* to, const mpi_reduction& native, MPI_Request* r) {
            return call(from, to, n, native.type, native.op, comm, r);
        },
        where);
}

std::unique_ptr<backend::request_impl> mpi_comm::iallreduce(backend::send_view mine, backend::recv_buffer result,
                                                            const reduce_op& op, backend::location where) {
    return element_wise("iallreduce", MPI_Iallreduce, mine, result, op, where);
}

}  // namespace baton::mpi::detail
