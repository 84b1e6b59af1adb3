// Non-blocking operations on MPI, and the receives MPI cannot be given yet.
//
// An isend is MPI_Isend. An irecv into a fixed buffer is MPI_Irecv with the buffer's capacity.
// An irecv into a resizable container (std::vector, std::string, a serialized value) cannot be
// posted before its size is known, and baton never sends sizes in separate messages: it is
// matched with MPI_Improbe, which tells the size, and then received with MPI_Imrecv into the
// container resized to fit. Until a message has arrived such a receive is *deferred*: it lives in
// a list of this process, in the order posted, and every later baton call that can wait (wait,
// test, recv, send, probe, collectives) first tries to match the deferred receives (`progress`).
// No thread is started and nothing blocks behind the program's back.
//
// Two rules keep MPI's semantics while receives are deferred:
//  - order: the deferred receives are tried in the order they were posted, and a receive that an
//    earlier deferred receive stands before (same communicator, overlapping source and tag) takes
//    a message only if none of the earlier ones accepts it; so each message goes to the earliest
//    receive that accepts it, as MPI matches posted receives;
//  - progress: while any receive is deferred, baton's point-to-point calls do not block inside MPI
//    (a large message to a deferred receive needs that receive to be posted before its sender can
//    finish): send, recv, probe and wait become their non-blocking forms completed by polling,
//    which tries the deferred receives again on every turn.
// Collectives cannot do the same: MPI matches a blocking collective only with the blocking form on
// every rank, and which ranks have deferred receives differs. So a rank inside a collective does
// not match its deferred receives, and a sender whose large message (above MPI's eager limit) goes
// to one of them waits until the receiving rank is back in a point-to-point call. The README says
// so ("what differs"); an irecv into a fixed buffer is posted at once and never waits like that.
// With no deferred receive (the usual case) every call is the plain blocking MPI call.
#pragma once

#include <climits>
#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <baton/backend.hpp>
#include <baton/detail/mpi_c_api.hpp>

#include "errors.hpp"

namespace baton::mpi::detail {

class attached_reduction;  // ops.hpp

// MPI's send modes: standard (MPI_Send), synchronous (MPI_Ssend), buffered (MPI_Bsend), ready
// (MPI_Rsend), and their non-blocking forms.
enum class send_kind { standard, synchronous, buffered, ready };

// The MPI functions of a send mode, blocking and non-blocking: one place maps a mode to MPI.
struct send_mode_calls {
    decltype(&MPI_Send) blocking;
    decltype(&MPI_Isend) starting;
};
inline send_mode_calls mpi_calls(send_kind kind) {
    switch (kind) {
        case send_kind::synchronous: return {MPI_Ssend, MPI_Issend};
        case send_kind::buffered: return {MPI_Bsend, MPI_Ibsend};
        case send_kind::ready: return {MPI_Rsend, MPI_Irsend};
        case send_kind::standard: break;
    }
    return {MPI_Send, MPI_Isend};
}

class mpi_request final : public backend::request_impl {
public:
    // Posts a send in mode `kind` (MPI_Isend, MPI_Issend, MPI_Ibsend or MPI_Irsend; MPI_Start of
    // `persistent`, a persistent request's handle made for this very send, when there is one).
    static std::unique_ptr<mpi_request> start_send(std::shared_ptr<const comm_info> comm,
                                                   const backend::send_view& data, int dest, int tag,
                                                   send_kind kind, std::string_view operation,
                                                   const backend::location& where,
                                                   MPI_Request persistent = MPI_REQUEST_NULL);
    // Posts a receive, or defers it (see above). With `persistent`, posting is MPI_Start of it; a
    // receive that must wait its turn behind deferred ones is matched as an irecv's is.
    static std::unique_ptr<mpi_request> start_receive(std::shared_ptr<const comm_info> comm,
                                                      const backend::recv_buffer& into, int source, int tag,
                                                      std::string_view operation, const backend::location& where,
                                                      MPI_Request persistent = MPI_REQUEST_NULL);

    // A non-blocking collective (issue 14: icoll): `post` makes its MPI request (MPI_Ibarrier,
    // MPI_Ibcast, ...) and returns MPI's code. Completed like a send, with an empty status; let go
    // while pending it is waited for, as a send is (MPI cannot cancel a collective).
    // `kept` is what MPI reads until completion besides the caller's buffers (a v-collective's
    // count and displacement arrays: issue 14, igather); the request owns it.
    static std::unique_ptr<mpi_request> start_collective(std::shared_ptr<const comm_info> comm,
                                                         std::string_view operation, const backend::location& where,
                                                         const std::function<int(MPI_Request*)>& post,
                                                         std::shared_ptr<const void> kept = nullptr);

    // A pending receive is cancelled; a pending send is waited for (its data is about to go away),
    // except while an exception unwinds the stack, when it is let go.
    ~mpi_request() override;

    status wait(backend::location where) override;
    std::optional<status> test(backend::location where) override;
    std::size_t wait_any(std::span<backend::request_impl* const> requests, status& result,
                         backend::location where) override;
    void complete_set(completion_rule how, std::span<backend::request_impl* const> requests,
                      std::vector<completed>& done, backend::location where) override;
    // MPI_Cancel of a posted receive; a deferred one (no message yet) is taken off the list.
    void cancel(backend::location where) override;

    // Hands a deferred receive to MPI if it can be; true when it is no longer deferred. `behind`:
    // an earlier deferred receive, in [first, self) of the deferred list, could take the same
    // message; then only a message that none of them accepts is taken.
    bool try_start(bool behind, std::list<mpi_request*>::const_iterator first,
                   std::list<mpi_request*>::const_iterator self);
    bool deferred() const { return phase_ == phase::deferred; }
    // True when this deferred receive would accept a message (source, tag) of `comm`.
    bool accepts(const comm_info* comm, int source, int tag) const;
    // True when this deferred receive could take a message that `later` could take.
    bool overlaps(const mpi_request& later) const;

    // "irecv(source=1, tag=0, comm=world) posted at app.cpp:12"
    std::string describe() const;

    // Memory MPI may use until this request is done, freed with it (issue 14: iscan): an iexscan's
    // result room at rank 0, an ireduce_scatter's counts as MPI's ints.
    void keep_until_freed(std::shared_ptr<const void> kept) { kept_ = std::move(kept); }
    // A non-blocking reduction's operation of the program's own (ops.hpp), kept until the request
    // is over: what it threw while MPI applied it is the request's error once the collective is done.
    void keep_reduction(std::shared_ptr<const attached_reduction> reduction) { reduction_ = std::move(reduction); }

private:
    enum class phase { deferred, active, done };
    enum class kind { send, receive, collective };

    mpi_request(std::shared_ptr<const comm_info> comm, kind k, std::string_view operation, int peer, int tag,
                const backend::location& posted_at);

    // Polls once: returns true when the request is done.
    bool poll();
    // Records the outcome of the MPI request.
    void finish(int code, const MPI_Status& mpi_status);
    void fail(std::exception_ptr failure);
    status take_result();
    // The destructor's part for a pending collective while an exception unwinds (request.cpp).
    void finish_while_unwinding();

    std::shared_ptr<const comm_info> comm_;
    kind kind_;
    std::string_view operation_;  // a string literal: "isend", "irecv", "recv", ...
    int peer_;                    // dest of a send, source of a receive (baton's any_source)
    int tag_;
    backend::location posted_at_;

    phase phase_ = phase::active;
    MPI_Request handle_ = MPI_REQUEST_NULL;
    MPI_Request persistent_ = MPI_REQUEST_NULL;  // the persistent request this is an activation of
    MPI_Datatype type_ = MPI_DATATYPE_NULL;
    backend::recv_buffer buffer_;
    int count_ = 0;  // elements sent, capacity of a fixed receive, or what a resizable one matched
    status result_;
    std::exception_ptr failure_;
    std::list<mpi_request*>::iterator slot_;  // in the deferred list while deferred
    std::shared_ptr<const attached_reduction> reduction_;
    std::shared_ptr<const void> kept_;  // start_collective's `kept` or keep_until_freed's: destroyed after the request is over
};

// A persistent send or receive made natively (MPI_Send_init, MPI_Ssend_init, MPI_Recv_init):
// each start is an mpi_request on its handle (MPI_Start). Freed (MPI_Request_free) with it; the
// typed layer ends a pending activation first.
class mpi_persistent final : public backend::persistent_impl {
public:
    mpi_persistent(std::shared_ptr<const comm_info> comm, const backend::send_view& data, int dest, int tag,
                   bool synchronous, const backend::location& where);
    mpi_persistent(std::shared_ptr<const comm_info> comm, const backend::recv_buffer& into, int source, int tag,
                   const backend::location& where);
    ~mpi_persistent() override;
    std::unique_ptr<backend::request_impl> start(backend::location where) override;

private:
    std::shared_ptr<const comm_info> comm_;
    bool send_;
    bool synchronous_ = false;
    backend::send_view data_;
    backend::recv_buffer into_;
    int peer_, tag_;
    MPI_Request handle_ = MPI_REQUEST_NULL;
};

// How many receives are deferred (the size of the list above).
extern std::size_t deferred_receives;
// True when no receive is deferred: then blocking MPI calls are safe and used as they are.
inline bool nothing_deferred() { return deferred_receives == 0; }
// Tries to start every deferred receive that no earlier deferred receive stands before.
void progress();
// True when a message (source, tag) on `comm` belongs to a deferred receive (a probe must not
// report it).
bool claimed_by_deferred(const comm_info* comm, int source, int tag);
// Completes `request` while keeping deferred receives progressing. Returns MPI's error code.
int wait_progressing(MPI_Request& request, MPI_Status* mpi_status);

// A message matched by a probe, to be received into a resizable buffer: resizes the buffer to
// the message and says where to receive it and how many elements. When the message is no whole
// number of elements (another type was sent) or the resize fails, the message is taken off MPI's
// queue and `failed()`; room_failure() then makes the error, its message starting with `context`.
struct matched_room {
    void* data = nullptr;
    int count = 0;
    int source = 0, tag = 0;
    MPI_Count bytes = 0;           // the message's size when it is no whole number of elements
    std::exception_ptr resize_error;
    bool failed() const { return count == MPI_UNDEFINED || resize_error; }
};
matched_room make_room(MPI_Message& message, const MPI_Status& mpi_status, const backend::recv_buffer& into,
                       MPI_Datatype type);
std::exception_ptr room_failure(const matched_room& room, const backend::recv_buffer& into,
                                const std::string& context);

// How many elements of `type` (each `element_size` bytes, the datatype's size) a status counts:
// what MPI_Get_count says, MPI_UNDEFINED when the bytes are no whole number of elements or more
// than an int holds. Every receive needs it for its status, right where the program is waiting
// for the message, so it is kept short:
//  - Open MPI's MPI_Get_count checks its arguments and looks up the datatype's size, some 90
//    instructions; its status carries the byte count MPI_Get_count divides (`_ucount`, a field
//    that Open MPI's mpi.h reserves for itself), so on Open MPI the count is read from there. The
//    cross-backend suite checks received counts of every element type against the simulator;
//  - a 64-bit division costs tens of cycles: when the message filled the `expected` elements (a
//    fixed buffer's capacity, usually what arrives) one multiplication says so.
inline int received_count(const MPI_Status& mpi_status, MPI_Datatype type, std::size_t element_size,
                          int expected = 0) {
#if defined(OPEN_MPI) && OPEN_MPI
    (void)type;
    const std::size_t bytes = mpi_status._ucount;
    if (bytes == static_cast<std::size_t>(expected) * element_size) [[likely]]
        return expected;
    if (bytes % element_size != 0 || bytes / element_size > static_cast<std::size_t>(INT_MAX)) [[unlikely]]
        return MPI_UNDEFINED;
    return static_cast<int>(bytes / element_size);
#else
    (void)element_size;
    (void)expected;
    int count = MPI_UNDEFINED;
    MPI_Get_count(&mpi_status, type, &count);
    return count;
#endif
}
// The type_mismatch_error of a fixed receive whose bytes are no whole number of elements.
std::exception_ptr not_whole_elements(const MPI_Status& mpi_status, const backend::recv_buffer& into,
                                      const std::string& context);
// What a fixed receive that MPI found too short says.
std::string truncation_detail(const MPI_Status& mpi_status, int capacity, const backend::recv_buffer& into);

// baton's wildcards and null peer as MPI's (their values differ between MPI libraries), and back.
inline int mpi_source(int source) {
    return source == proc_null ? MPI_PROC_NULL : source < 0 ? MPI_ANY_SOURCE : source;
}
inline int mpi_dest(int dest) { return dest == proc_null ? MPI_PROC_NULL : dest; }
inline int mpi_tag(int tag) { return tag < 0 ? MPI_ANY_TAG : tag; }
// A receive's status from MPI's: the source and tag of a receive from MPI_PROC_NULL are baton's.
inline status received_status(const MPI_Status& mpi_status, std::size_t bytes) {
    if (mpi_status.MPI_SOURCE == MPI_PROC_NULL) return {proc_null, any_tag, 0};
    return {mpi_status.MPI_SOURCE, mpi_status.MPI_TAG, bytes};
}

}  // namespace baton::mpi::detail
