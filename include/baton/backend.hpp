// The interface every backend implements (sim, mpi, ...). User code never sees it: the typed
// `communicator` turns each call into one call here, on untyped buffers described by type_desc.
//
// Conventions:
//  - ranks are ranks in the communicator; `root`, `dest` and `source` have been validated by the
//    typed layer (backend-independent checks live in src/validate.cpp);
//  - counts are in elements of the buffer's type_desc;
//  - every call carries the caller's source location, for reports;
//  - a receive side is a `recv_buffer`: either a fixed buffer (its count is the capacity) or a
//    resizable one (a std::vector), which is resized to exactly what arrives;
//  - a reduction (reduce, allreduce, scan, exscan) whose send view and receive buffer start at the
//    same address is in place (MPI_IN_PLACE): the rank's input is overwritten by its result. So is
//    an alltoall whose send view and receive buffer start at one address, and a gather's root or an
//    allgather whose send view is its own block (at its rank) of the receive buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include <baton/datatype.hpp>
#include <baton/ops.hpp>
#include <baton/status.hpp>

namespace baton::backend {

// Where a buffer is in the caller's memory when the backend is given a copy of it (a process
// rank's call, made in the engine's process on its behalf): the addresses the simulator's buffer
// checks compare with the rank's pending buffers, and never read. Its bytes, and the object a
// receive buffer names (its target, or its container, even when empty).
struct buffer_origin {
    const void* data = nullptr;
    const void* object = nullptr;
};

// A resizable container as a checker sees it: where its elements are, how many, and how many fit.
struct container_shape {
    const void* data = nullptr;
    std::size_t size = 0;
    std::size_t capacity = 0;
    friend bool operator==(const container_shape&, const container_shape&) = default;
};

struct send_view {
    const void* data = nullptr;
    std::size_t count = 0;
    type_desc type;
    const buffer_origin* origin = nullptr;  // null when `data` is the caller's own
    // The container the elements are in, when it can move them (a std::vector or std::string the
    // caller keeps): a pending isend's check looks at where its elements are before reading them,
    // as a push_back that outgrew the capacity has freed them.
    const void* container = nullptr;
    container_shape (*shape)(const void* container) = nullptr;
};

struct recv_buffer {
    void* data = nullptr;
    std::size_t count = 0;  // capacity of a fixed buffer; current size of a resizable one
    type_desc type;
    // Resizes the underlying container to n elements and returns its data; null for fixed buffers.
    void* (*resize)(void* container, std::size_t n) = nullptr;
    void* container = nullptr;
    // A resizable container's shape, so that the simulator notices a push_back or assign into an
    // irecv's container before the irecv completes (even an empty one, which has no bytes to watch).
    container_shape (*shape)(const void* container) = nullptr;
    // A serialized receive lands in a private byte buffer and is deserialized into the caller's
    // object on completion: that object, and a fingerprint of its value, for the same check.
    // Backends that do not check buffers ignore both (computing a fingerprint serializes).
    const void* target = nullptr;
    std::uint64_t (*fingerprint)(const void* target) = nullptr;
    const buffer_origin* origin = nullptr;  // null when this is the caller's own buffer
    // A buffer that may take bytes by reference instead of a copy: the simulator's copy of a
    // process rank's buffer, when the bytes lie where every rank's process can read them (the
    // shared payload area). A collective whose receivers all get the same bytes offers each the
    // copy it made once: share(sharer, from, n) takes the n elements at `from` as the buffer's
    // contents and returns true, or returns false and they are copied as usual. Null elsewhere.
    bool (*share)(void* sharer, const void* from, std::size_t n) = nullptr;
    void* sharer = nullptr;

    bool resizable() const { return resize != nullptr; }
};

// Whether a reduction is in place (the convention above): its send view and receive buffer start at
// the same address.
inline bool in_place(const send_view& mine, const recv_buffer& result) {
    return mine.count > 0 && mine.data == result.data;
}

// Whether a gather's root or an allgather is in place (the convention above): `mine` is block
// `rank` of `all`.
inline bool in_place_block(const send_view& mine, const recv_buffer& all, int rank) {
    return mine.count > 0 && all.data &&
           mine.data == static_cast<const std::byte*>(all.data) + static_cast<std::size_t>(rank) * mine.count * mine.type.size;
}

using location = std::source_location;

// A Cartesian grid of ranks (MPI_Cart_create's dims and periods): rank r of a communicator with
// this grid has the row-major coordinates of r (the last dimension varies fastest), as MPI numbers
// them on every implementation.
struct cartesian_grid {
    std::vector<int> dims;
    std::vector<bool> periods;  // whether each dimension wraps around
    friend bool operator==(const cartesian_grid&, const cartesian_grid&) = default;
};

// A pending non-blocking operation.
class request_impl {
public:
    virtual ~request_impl() = default;
    // Blocks until the operation completes; throws the operation's error, if any.
    virtual status wait(location where) = 0;
    // Completes the operation if it can without blocking.
    virtual std::optional<status> test(location where) = 0;
    // Blocks until one of `requests` (all of this backend; null entries are skipped) completes and
    // returns its index. Called on any one of them.
    virtual std::size_t wait_any(std::span<request_impl* const> requests, status& result,
                                 location where) = 0;

    // Completing a set of requests (issue 14: completion). Called, as wait_any is, on any one of
    // `requests` (all of this backend; null entries are skipped); appends what it completed to
    // `done` in index order. `rule` says how many it completes:
    //  - wait_some: blocks until at least one completes, then every one that has (MPI_Waitsome);
    //  - test_any: at most one, without blocking (MPI_Testany);
    //  - test_some: every one that has completed, maybe none, without blocking (MPI_Testsome);
    //  - test_all: all of them if every one has completed, otherwise none (MPI_Testall).
    enum class completion_rule : std::uint8_t { wait_some, test_any, test_some, test_all };
    struct completed {
        std::size_t index = 0;
        status result;
    };
    virtual void complete_set(completion_rule rule, std::span<request_impl* const> requests,
                              std::vector<completed>& done, location where) = 0;
    // Cancels a pending receive that no message has matched yet (MPI_Cancel): it still has to be
    // completed by wait or test, whose status says `cancelled`. One already matched completes as
    // it would have (a no-op). A send is refused with a usage_error on every backend (MPI 4.0
    // deprecates cancelling sends, and Open MPI may not honour it).
    virtual void cancel(location where) = 0;
};

// ---- Persistent requests (issue 14: completion) -------------------------------------------------
// A persistent send or receive (MPI_Send_init, MPI_Ssend_init, MPI_Recv_init): made once on its
// buffer; each start() is one activation, a pending request that wait and test complete as an
// isend's or irecv's. The buffer is the one given at init: a send reads it at each start, a
// receive writes into it (a fixed buffer: it is never resized).
class persistent_impl {
public:
    virtual ~persistent_impl() = default;
    // One activation (MPI_Start).
    virtual std::unique_ptr<request_impl> start(location where) = 0;
};

class comm_impl {
public:
    virtual ~comm_impl() = default;

    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual const std::string& name() const = 0;  // "world", "world.split(1)", ...
    virtual int world_rank() const = 0;           // this rank's rank in the world, for messages

    // Point-to-point.
    // Blocking sends, recv and allreduce, the hot calls, take their buffers by reference: a view or buffer
    // passed by value is built and then copied into the argument's place at every call (GCC does:
    // about 10 instructions for a send view, 15 for a receive buffer), which on MPI is a
    // measurable share of a small message's cost (issue 17).
    virtual void send(const send_view& data, int dest, int tag, location where) = 0;
    virtual status recv(const recv_buffer& into, int source, int tag, location where) = 0;
    virtual std::unique_ptr<request_impl> isend(send_view data, int dest, int tag, location where) = 0;
    virtual std::unique_ptr<request_impl> irecv(recv_buffer into, int source, int tag, location where) = 0;
    virtual status probe(int source, int tag, location where) = 0;
    virtual std::optional<status> iprobe(int source, int tag, location where) = 0;

    // Point-to-point in a send mode of the call's own (issue 14). ssend and issend complete only
    // once their receive has matched, whatever the run's mode (MPI_Ssend, MPI_Issend).
    virtual void ssend(const send_view& data, int dest, int tag, location where) = 0;
    virtual std::unique_ptr<request_impl> issend(send_view data, int dest, int tag, location where) = 0;

    // Collectives. `data` at the root of bcast is both the source and (elsewhere) the destination.
    virtual void barrier(location where) = 0;
    virtual void bcast(recv_buffer data, int root, location where) = 0;
    virtual void scatter(send_view all, recv_buffer mine, int root, location where) = 0;
    virtual void gather(send_view mine, recv_buffer all, int root, location where) = 0;
    virtual void allgather(send_view mine, recv_buffer all, location where) = 0;
    virtual void alltoall(send_view all, recv_buffer mine, location where) = 0;
    virtual void reduce(send_view mine, recv_buffer result, const reduce_op& op, int root, location where) = 0;
    virtual void allreduce(const send_view& mine, const recv_buffer& result, const reduce_op& op, location where) = 0;
    virtual void scan(send_view mine, recv_buffer result, const reduce_op& op, location where) = 0;
    virtual void exscan(send_view mine, recv_buffer result, const reduce_op& op, location where) = 0;

    // Variable-size collectives. `counts` receives how many elements came from each rank.
    virtual void gatherv(send_view mine, recv_buffer all, std::vector<std::size_t>* counts, int root,
                         location where) = 0;
    virtual void allgatherv(send_view mine, recv_buffer all, std::vector<std::size_t>* counts,
                            location where) = 0;
    virtual void scatterv(send_view all, std::span<const std::size_t> counts, recv_buffer mine, int root,
                          location where) = 0;

    // Personalized exchange and reduce-scatter. alltoallv: `all` holds one block per rank, of
    // `counts` elements each; `mine` gets the block every rank has for this one, in rank order,
    // and `counts_out` their sizes. reduce_scatter: `mine` reduced element-wise over the ranks and
    // cut into blocks of `counts` elements (alike on every rank), block r to rank r;
    // reduce_scatter_block: the same with size() equal blocks.
    virtual void alltoallv(send_view all, std::span<const std::size_t> counts, recv_buffer mine,
                           std::vector<std::size_t>* counts_out, location where) = 0;
    virtual void reduce_scatter(send_view mine, std::span<const std::size_t> counts, recv_buffer result,
                                const reduce_op& op, location where) = 0;
    virtual void reduce_scatter_block(send_view mine, recv_buffer result, const reduce_op& op,
                                      location where) = 0;

    // New communicators, each with a message space of its own. split returns null for `undefined`;
    // dup keeps the communicator's grid (as MPI_Comm_dup keeps a topology).
    virtual std::unique_ptr<comm_impl> split(int color, int key, location where) = 0;
    virtual std::unique_ptr<comm_impl> dup(location where) = 0;

    // ---- Groups and a rank's own communicator (issue 15: the MPI C API's groups) ---------------
    // The world rank of each of this communicator's ranks, in rank order (MPI_Comm_group).
    virtual std::vector<int> members() const = 0;
    // A communicator of this rank alone (MPI_COMM_SELF), with a message space of its own. Local:
    // no other rank takes part, and it is no call of the program's (nothing is recorded for it).
    virtual std::unique_ptr<comm_impl> self(location where) = 0;

    // ---- Cartesian topologies and neighbour collectives (issue 14) -------------------------
    // cart_create (collective): the first product(dims) ranks, in rank order, form a communicator
    // with that grid; the others get null. A backend may reorder ranks when `reorder` (the
    // simulator does not). cart_sub: the ranks whose coordinates differ only in the dimensions
    // `keep` marks form a communicator with the grid of those dimensions. The typed layer has
    // checked the arguments.
    virtual std::unique_ptr<comm_impl> cart_create(const cartesian_grid& grid, bool reorder, location where) = 0;
    virtual std::unique_ptr<comm_impl> cart_sub(const std::vector<bool>& keep, location where) = 0;
    // The communicator's grid; null when it has none.
    virtual const cartesian_grid* grid() const = 0;
    // Neighbour collectives on a communicator with a grid: 2 * ndims neighbours, for each dimension
    // the one at displacement -1 then the one at +1 (proc_null beyond an edge that does not wrap).
    // neighbor_allgather: `all` gets one block of `mine`'s count from each neighbour;
    // neighbor_alltoall: block i of `all` goes to neighbour i, and `mine` gets one block from each.
    // A proc_null neighbour's block is neither sent nor written.
    virtual void neighbor_allgather(send_view mine, recv_buffer all, location where) = 0;
    virtual void neighbor_alltoall(send_view all, recv_buffer mine, location where) = 0;

    // ---- Buffered and ready send modes, ending the run (issue 14: modes) ----
    // The rank's one buffer for bsend (MPI_Buffer_attach / MPI_Buffer_detach: per process),
    // whichever communicator is called: `bytes` of room, which the backend allocates and owns.
    // detach_buffer waits until every message the buffer holds has been received (on MPI: sent
    // on) and returns how many bytes were attached.
    virtual void attach_buffer(std::size_t bytes, location where) = 0;
    virtual std::size_t detach_buffer(location where) = 0;
    // bsend and ibsend (MPI_Bsend, MPI_Ibsend) complete at once, whatever the run's mode, the
    // message held in the attached buffer until received: each takes its bytes plus
    // baton::bsend_overhead; one that does not fit is a usage_error.
    virtual void bsend(const send_view& data, int dest, int tag, location where) = 0;
    virtual std::unique_ptr<request_impl> ibsend(send_view data, int dest, int tag, location where) = 0;
    // rsend and irsend (MPI_Rsend, MPI_Irsend): the matching receive must already be posted when
    // they start; the simulator reports one whose receive is not (ready-send-without-receive).
    virtual void rsend(const send_view& data, int dest, int tag, location where) = 0;
    virtual std::unique_ptr<request_impl> irsend(send_view data, int dest, int tag, location where) = 0;
    // Ends the whole run, or MPI job, at once with exit status `code` (0..255, checked by the
    // typed layer), on every rank whatever the communicator (MPI_Abort). Never returns.
    [[noreturn]] virtual void abort(int code, location where) = 0;

    // Persistent requests (issue 14: completion; persistent_impl above). By default each start is
    // this communicator's isend, issend or irecv on the same buffer, which is what MPI's persistent
    // request means (the simulator's checks then apply to each activation as to an isend's or
    // irecv's); the MPI backend makes them natively. The communicator must outlive the request.
    virtual std::unique_ptr<persistent_impl> send_init(send_view data, int dest, int tag, bool synchronous,
                                                       location where);
    virtual std::unique_ptr<persistent_impl> recv_init(recv_buffer into, int source, int tag, location where);

    // ---- Non-blocking collectives (issue 14: icoll) -------------------------------------------
    // MPI_Ibarrier, MPI_Ibcast, MPI_Ireduce, MPI_Iallreduce: the same collective as the blocking
    // call (matched with the others by the order each rank calls them), whose request completes
    // once it is done here. The buffers must stay alive and untouched until then; `op` is copied,
    // but the function object its context names must outlive the request (the typed layer keeps
    // it). A receive buffer is a fixed one or a resizable one, as for the blocking call.
    virtual std::unique_ptr<request_impl> ibarrier(location where) = 0;
    virtual std::unique_ptr<request_impl> ibcast(recv_buffer data, int root, location where) = 0;
    virtual std::unique_ptr<request_impl> ireduce(send_view mine, recv_buffer result, const reduce_op& op, int root,
                                                  location where) = 0;
    virtual std::unique_ptr<request_impl> iallreduce(send_view mine, recv_buffer result, const reduce_op& op,
                                                     location where) = 0;

    // ---- Non-blocking gathers, scatters and all-to-alls (issue 14: igather) -----------------
    // MPI_Igather, MPI_Iallgather, MPI_Iscatter, MPI_Ialltoall and their v-forms, as the icolls
    // above. A receiver names what it receives before anything arrives, as MPI's recvcounts do:
    // igatherv's root, iallgatherv and ialltoallv give `expected`, one count per sender, and their
    // fixed `all`/`mine` holds their sum; iscatter(v)'s `mine` is a fixed buffer of its block's
    // size. The count spans, like the buffers, must stay alive until the request completes.
    virtual std::unique_ptr<request_impl> igather(send_view mine, recv_buffer all, int root, location where) = 0;
    virtual std::unique_ptr<request_impl> iallgather(send_view mine, recv_buffer all, location where) = 0;
    virtual std::unique_ptr<request_impl> iscatter(send_view all, recv_buffer mine, int root, location where) = 0;
    virtual std::unique_ptr<request_impl> ialltoall(send_view all, recv_buffer mine, location where) = 0;
    virtual std::unique_ptr<request_impl> igatherv(send_view mine, recv_buffer all,
                                                   std::span<const std::size_t> expected, int root,
                                                   location where) = 0;
    virtual std::unique_ptr<request_impl> iallgatherv(send_view mine, recv_buffer all,
                                                      std::span<const std::size_t> expected, location where) = 0;
    virtual std::unique_ptr<request_impl> iscatterv(send_view all, std::span<const std::size_t> counts,
                                                    recv_buffer mine, int root, location where) = 0;
    virtual std::unique_ptr<request_impl> ialltoallv(send_view all, std::span<const std::size_t> counts,
                                                     recv_buffer mine, std::span<const std::size_t> expected,
                                                     location where) = 0;

    // ---- Non-blocking scans and reduce-scatter (issue 14: iscan) ------------------------------
    // MPI_Iscan, MPI_Iexscan, MPI_Ireduce_scatter_block, MPI_Ireduce_scatter: the blocking calls'
    // collectives, started as the four above are. iexscan leaves rank 0's `result` as it was;
    // ireduce_scatter copies `counts` (the caller's may go before the request completes).
    virtual std::unique_ptr<request_impl> iscan(send_view mine, recv_buffer result, const reduce_op& op,
                                                location where) = 0;
    virtual std::unique_ptr<request_impl> iexscan(send_view mine, recv_buffer result, const reduce_op& op,
                                                  location where) = 0;
    virtual std::unique_ptr<request_impl> ireduce_scatter_block(send_view mine, recv_buffer result,
                                                                const reduce_op& op, location where) = 0;
    virtual std::unique_ptr<request_impl> ireduce_scatter(send_view mine, std::span<const std::size_t> counts,
                                                          recv_buffer result, const reduce_op& op,
                                                          location where) = 0;
};

}  // namespace baton::backend
