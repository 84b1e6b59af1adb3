// One process's handle on an MPI communicator: the backend interface on the MPI C API.
//
// Each baton call is the MPI call of the same name on the caller's own memory: a contiguous
// range is sent from where it lives and received where it will live, with no staging copy and no
// extra message. The exceptions, all documented in the README:
//  - a receive into a resizable container (std::vector, std::string, serialized values) is a
//    matched probe (MPI_Mprobe/MPI_Improbe), then MPI_Get_count, a resize and MPI_Mrecv: still
//    one message, and wildcards stay correct because the probe has matched the message (a
//    receive with a bound, baton::at_most, comes here as a fixed buffer of the bound: one MPI_Recv);
//  - collectives whose receivers are resizable but cannot know the size from their own arguments
//    (bcast into a vector, scatter, the v-collectives) first share the counts with one small
//    collective (MPI_Bcast / MPI_Gather / MPI_Allgather / MPI_Scatter / MPI_Alltoall of counts); fixed buffers
//    avoid it;
//  - exscan gives rank 0 a value-initialized result as the simulator does (MPI leaves it
//    undefined), so rank 0's result is not handed to MPI.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <baton/backend.hpp>
#include <baton/detail/mpi_c_api.hpp>

#include "current_call.hpp"
#include "errors.hpp"
#include "hidden.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

struct settings {
    bool synchronous_sends = false;  // --sends synchronous: MPI_Ssend / MPI_Issend
};

// The Cartesian topology of `handle` (MPI_Topo_test, MPI_Cart_get), if it has one.
std::optional<backend::cartesian_grid> cartesian_grid_of(MPI_Comm handle);

struct mpi_reduction;  // ops.hpp

class mpi_comm final : public backend::comm_impl {
public:
    // Takes `handle` (freed with the last user of it when `owned`).
    mpi_comm(MPI_Comm handle, std::string name, bool owned, const settings& options);

    int rank() const override { return comm_->rank; }
    int size() const override { return comm_->size; }
    const std::string& name() const override { return comm_->name; }
    int world_rank() const override { return comm_->world_rank; }
    MPI_Comm handle() const { return comm_->handle; }
    const settings& options() const { return settings_; }

    void send(const backend::send_view& data, int dest, int tag, backend::location where) override;
    status recv(const backend::recv_buffer& into, int source, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> isend(backend::send_view data, int dest, int tag,
                                                 backend::location where) override;
    std::unique_ptr<backend::request_impl> irecv(backend::recv_buffer into, int source, int tag,
                                                 backend::location where) override;
    status probe(int source, int tag, backend::location where) override;
    std::optional<status> iprobe(int source, int tag, backend::location where) override;

    // Per-call send modes.
    void ssend(const backend::send_view& data, int dest, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> issend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override;

    // Persistent requests, natively (MPI_Send_init, MPI_Ssend_init, MPI_Recv_init).
    std::unique_ptr<backend::persistent_impl> send_init(backend::send_view data, int dest, int tag, bool synchronous,
                                                        backend::location where) override;
    std::unique_ptr<backend::persistent_impl> recv_init(backend::recv_buffer into, int source, int tag,
                                                        backend::location where) override;

    void barrier(backend::location where) override;
    void bcast(backend::recv_buffer data, int root, backend::location where) override;
    void scatter(backend::send_view all, backend::recv_buffer mine, int root, backend::location where) override;
    void gather(backend::send_view mine, backend::recv_buffer all, int root, backend::location where) override;
    void allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override;
    void alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override;
    void reduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, int root,
                backend::location where) override;
    void allreduce(const backend::send_view& mine, const backend::recv_buffer& result, const reduce_op& op,
                   backend::location where) override;
    void scan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
              backend::location where) override;
    void exscan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                backend::location where) override;
    void gatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts, int root,
                 backend::location where) override;
    void allgatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                    backend::location where) override;
    void scatterv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine, int root,
                  backend::location where) override;
    void alltoallv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                   std::vector<std::size_t>* counts_out, backend::location where) override;
    void reduce_scatter(backend::send_view mine, std::span<const std::size_t> counts, backend::recv_buffer result,
                        const reduce_op& op, backend::location where) override;
    void reduce_scatter_block(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                              backend::location where) override;
    std::unique_ptr<backend::comm_impl> split(int color, int key, backend::location where) override;
    std::unique_ptr<backend::comm_impl> dup(backend::location where) override;
    std::vector<int> members() const override;
    std::unique_ptr<backend::comm_impl> self(backend::location where) override;

    // Cartesian topologies and neighbour collectives (issue 14; cartesian.cpp): MPI_Cart_create,
    // MPI_Cart_sub, MPI_Neighbor_allgather, MPI_Neighbor_alltoall.
    std::unique_ptr<backend::comm_impl> cart_create(const backend::cartesian_grid& grid, bool reorder,
                                                    backend::location where) override;
    std::unique_ptr<backend::comm_impl> cart_sub(const std::vector<bool>& keep, backend::location where) override;
    const backend::cartesian_grid* grid() const override { return grid_ ? &*grid_ : nullptr; }
    void neighbor_allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override;
    void neighbor_alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override;

    // Buffered and ready send modes (issue 14; send_modes.cpp), ending the job.
    void attach_buffer(std::size_t bytes, backend::location where) override;
    std::size_t detach_buffer(backend::location where) override;
    void bsend(const backend::send_view& data, int dest, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> ibsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override;
    void rsend(const backend::send_view& data, int dest, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> irsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override;
    [[noreturn]] void abort(int code, backend::location where) override;

    // Non-blocking collectives (issue 14: icoll; nonblocking_collective.cpp).
    std::unique_ptr<backend::request_impl> ibarrier(backend::location where) override;
    std::unique_ptr<backend::request_impl> ibcast(backend::recv_buffer data, int root, backend::location where) override;
    std::unique_ptr<backend::request_impl> ireduce(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, int root, backend::location where) override;
    std::unique_ptr<backend::request_impl> iallreduce(backend::send_view mine, backend::recv_buffer result,
                                                      const reduce_op& op, backend::location where) override;
    // Non-blocking scans and reduce-scatter (issue 14: iscan; nonblocking_scan.cpp).
    std::unique_ptr<backend::request_impl> iscan(backend::send_view mine, backend::recv_buffer result,
                                                 const reduce_op& op, backend::location where) override;
    std::unique_ptr<backend::request_impl> iexscan(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, backend::location where) override;
    std::unique_ptr<backend::request_impl> ireduce_scatter_block(backend::send_view mine, backend::recv_buffer result,
                                                                 const reduce_op& op, backend::location where) override;
    std::unique_ptr<backend::request_impl> ireduce_scatter(backend::send_view mine, std::span<const std::size_t> counts,
                                                           backend::recv_buffer result, const reduce_op& op,
                                                           backend::location where) override;

    // Non-blocking gathers, scatters and all-to-alls (issue 14: igather; nonblocking_gather.cpp).
    std::unique_ptr<backend::request_impl> igather(backend::send_view mine, backend::recv_buffer all, int root,
                                                   backend::location where) override;
    std::unique_ptr<backend::request_impl> iallgather(backend::send_view mine, backend::recv_buffer all,
                                                      backend::location where) override;
    std::unique_ptr<backend::request_impl> iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                    backend::location where) override;
    std::unique_ptr<backend::request_impl> ialltoall(backend::send_view all, backend::recv_buffer mine,
                                                     backend::location where) override;
    std::unique_ptr<backend::request_impl> igatherv(backend::send_view mine, backend::recv_buffer all,
                                                    std::span<const std::size_t> expected, int root,
                                                    backend::location where) override;
    std::unique_ptr<backend::request_impl> iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                       std::span<const std::size_t> expected,
                                                       backend::location where) override;
    std::unique_ptr<backend::request_impl> iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                     backend::recv_buffer mine, int root,
                                                     backend::location where) override;
    std::unique_ptr<backend::request_impl> ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                      backend::recv_buffer mine, std::span<const std::size_t> expected,
                                                      backend::location where) override;

private:
    // Whether a call can take its short path, the plain MPI call bracketed by a short_call: no
    // hook is set (current_call.hpp: no receive is deferred, --profile is off, no rank timeout).
    // Each hot call (send, a receive into a fixed buffer, allreduce with MPI's own operation) asks
    // this once on its way in; the rest of their cases, and the errors of all, are in functions of
    // their own (the general path), so that the short one keeps few registers and a small frame.
    static bool short_path() { return hooks == 0; }
    // The ends of the short paths that only a failure (or, for recv, a status that needs more than
    // a glance) reaches: they read the call's arguments back from `short_args` and `note`.
    [[noreturn, gnu::cold, gnu::noinline]] static void short_send_failed(int code);
    [[gnu::noinline]] static status short_recv_finished(int code, const MPI_Status& mpi_status);
    [[noreturn, gnu::cold, gnu::noinline]] static void short_allreduce_failed(int code);
    // Whether a send or receive can take its short path, once its datatype is known (MPI's own
    // is looked up inline, a struct's made on first use by send_general or recv_general, which
    // take the short path then too): a send in the run's mode (MPI_Send), a fixed buffer and a
    // real source for a receive, an int count, no hook set.
    bool short_send(const backend::send_view& data) const {
        return !settings_.synchronous_sends && data.count <= static_cast<std::size_t>(INT_MAX) && short_path();
    }
    static bool short_recv(const backend::recv_buffer& into, int source) {
        return !into.resizable() && source != proc_null && into.count <= static_cast<std::size_t>(INT_MAX) &&
               short_path();
    }
    void send_short(const backend::send_view& data, MPI_Datatype type, int dest, int tag,
                    const backend::location& where);
    status recv_short(const backend::recv_buffer& into, MPI_Datatype type, int source, int tag,
                      const backend::location& where);
    // send's and recv's other paths, with send's and recv's own arguments, so that send and recv
    // reach them with a jump: a struct, a hook set, a synchronous send, a resizable buffer,
    // proc_null. recv_finished is the end of a fixed receive whose status needs more than a
    // glance (an error, fewer elements than the capacity).
    [[gnu::noinline]] void send_general(const backend::send_view& data, int dest, int tag, backend::location where);
    [[gnu::noinline]] status recv_general(const backend::recv_buffer& into, int source, int tag,
                                          backend::location where);
    [[gnu::noinline]] status recv_finished(int code, const MPI_Status& mpi_status, int capacity,
                                           const backend::recv_buffer& into, int source, int tag,
                                           const backend::location& where);
    // allreduce's general path: a hook set, a resizable result, a user operation.
    [[gnu::noinline]] void allreduce_general(const backend::send_view& mine, const backend::recv_buffer& given,
                                             const reduce_op& op, backend::location where);
    // A non-blocking reduction (ireduce, iallreduce, iscan, ...) with MPI's own `op`: `post(from,
    // to, reduction, request)` starts it, `to` being room for `result_count` elements of `result`,
    // or null where this rank gets no result (`gets` false).
    using reduction_post = std::function<int(const void* from, void* to, const mpi_reduction& native,
                                             MPI_Request* request)>;
    std::unique_ptr<mpi_request> nonblocking_reduction(const char* operation, const backend::send_view& mine,
                                                       backend::recv_buffer result, std::size_t result_count,
                                                       bool gets, const reduce_op& op, const reduction_post& post,
                                                       const backend::location& where);
    // iallreduce and iscan: `call` (MPI_Iallreduce or MPI_Iscan), as many elements into every
    // rank's `result` as each gives.
    using element_wise_call = int (*)(const void*, void*, int, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request*);
    std::unique_ptr<mpi_request> element_wise(const char* operation, element_wise_call call,
                                              const backend::send_view& mine, backend::recv_buffer result,
                                              const reduce_op& op, const backend::location& where);
    // Where a non-blocking gather or all-to-all's `count` elements go: `into` resized, or a fixed
    // buffer that holds them; a truncation_error (before anything starts) otherwise.
    void* room_for_result(std::string_view operation, backend::recv_buffer& into, std::size_t count,
                          backend::location where);
    // send, ssend, bsend and rsend: MPI_Send, MPI_Ssend, MPI_Bsend or MPI_Rsend (through a
    // request while receives are deferred).
    void blocking_send(const backend::send_view& data, int dest, int tag, send_kind kind, const char* operation,
                       const backend::location& where);
    // The error of a failed send (MPI_Send, MPI_Ssend, ...), out of the send's own code.
    [[noreturn, gnu::cold, gnu::noinline]] void send_failed(int code, int dest, int tag, const char* operation,
                                                            const backend::location& where) const;
    // bsend and ibsend: a usage_error when no buffer is attached (send_modes.cpp).
    void require_bsend_buffer(std::string_view operation, const backend::location& where) const;
    // issend, ibsend and irsend: a request in that mode, once deferred receives had their chance.
    std::unique_ptr<backend::request_impl> starting_send(const backend::send_view& data, int dest, int tag,
                                                         send_kind kind, const char* operation,
                                                         const backend::location& where);
    // A collective: `call()`, the blocking MPI call, after giving deferred receives (see
    // request.hpp) a chance to start. Returns MPI's code.
    template <class Call>
    int collective(Call&& call);
    // The reductions differ only in their MPI call; `op_name` names it in errors.
    // `where_result`: the rank receives `result_count` elements (reduce's root; not exscan's rank
    // 0, whose result MPI leaves undefined and the simulator value-initializes). A send view and
    // result at one address are MPI_IN_PLACE (backend.hpp).
    enum class result_at { this_rank, nowhere, scratch };
    template <class Call>
    void reduction(std::string_view op_name, const backend::send_view& mine, backend::recv_buffer& result,
                   std::size_t result_count, const reduce_op& op, result_at where_result, Call&& call,
                   backend::location where);
    // The error of a reduction's failed MPI call, naming the operation and what it reduced.
    [[noreturn, gnu::cold, gnu::noinline]] void reduction_failed(std::string_view op_name, int code,
                                                                 const backend::send_view& mine, const reduce_op& op,
                                                                 const backend::location& where) const;
    // Room for `count` elements in `into`: the container resized, or a fixed buffer when it is large
    // enough; otherwise scratch room (`fits` false: the caller takes part in the collective all the
    // same, so that the others do not hang, then throws too_small).
    struct room_for {
        void* data = nullptr;
        bool fits = true;
    };
    room_for room(backend::recv_buffer& into, std::size_t count) {
        if (!into.resizable() && count <= into.count) [[likely]]
            return {into.data, true};  // a fixed buffer that holds it: the usual case, kept inline
        return resized_or_scratch(into, count);
    }
    room_for resized_or_scratch(backend::recv_buffer& into, std::size_t count);
    [[noreturn]] void too_small(std::string_view operation, std::size_t count, const backend::recv_buffer& into,
                                backend::location where) const;
    std::string described(std::string_view operation, std::string_view arguments) const;
    // The start of a receive's error messages, and the error of a failed MPI_Recv (kept out of
    // the receive's own code, which stays short).
    std::string recv_context(int source, int tag, const backend::location& where) const;
    [[noreturn, gnu::cold, gnu::noinline]] void recv_failed(int code, const MPI_Status& mpi_status, int capacity,
                                                            const backend::recv_buffer& into, int source, int tag,
                                                            const backend::location& where) const;

    std::shared_ptr<comm_info> comm_;
    MPI_Comm handle_;  // comm_->handle, one load nearer for the short paths
    settings settings_;
    int children_ = 0;  // communicators made from this one, for their names (as the simulator counts)
    // The handle's Cartesian topology (MPI_Cart_get), if it has one: cart_create's and cart_sub's,
    // or one that came through from_native.
    std::optional<backend::cartesian_grid> grid_;
};

// What the error of a short path's MPI call names beside the operation and line (which are in
// `note`): the communicator, the buffer, the peer and tag, the reduction. Written to memory on
// the way in rather than kept in callee-saved registers across the MPI call, so that the short
// path saves and restores none and only a failure reads them back. One set for the process: only
// the thread that called baton::run makes baton calls on MPI, and a short path makes no other.
struct short_arguments {
    mpi_comm* comm;
    const void* buffer;   // send: the send_view; recv: the recv_buffer; allreduce: `mine`
    const reduce_op* op;  // allreduce
    int peer;             // send: dest; recv: source
    int tag;
};
BATON_MPI_HIDDEN extern short_arguments short_args;

}  // namespace baton::mpi::detail
