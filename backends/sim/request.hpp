// A simulated isend or irecv, and the checks of its lifecycle: a request must be completed by a
// wait or a test; an isend's data must not change before then; an irecv's buffer must not be
// written before then (and reads before then see poison, not the message). A non-blocking
// collective is both: the data it gives is watched as an isend's, its receive buffer as an
// irecv's (written by the collective when it completes, not by the program before the wait).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include <baton/backend.hpp>

#include "buffer_checks.hpp"
#include "buffer_watch.hpp"
#include "call_record.hpp"
#include "collective.hpp"
#include "engine.hpp"
#include "strict_buffers.hpp"

namespace baton::sim::detail {

struct comm_state;

class sim_request final : public backend::request_impl {
public:
    // `call` is the isend or irecv (or the blocking send or recv) that makes it, of `comm`'s rank
    // `owner`.
    sim_request(engine& eng, comm_state& comm, int owner, call_record call);
    // A pending receive is taken off its mailbox; a request never completed is a finding.
    ~sim_request() override;

    status wait(backend::location where) override;
    std::optional<status> test(backend::location where) override;
    std::size_t wait_any(std::span<backend::request_impl* const> requests, status& result,
                         backend::location where) override;
    void complete_set(completion_rule how, std::span<backend::request_impl* const> requests,
                      std::vector<completed>& done, backend::location where) override;
    void cancel(backend::location where) override;

    // Called by whichever rank completes the operation; wakes the owner.
    void complete(const status& result, std::exception_ptr failure = nullptr);
    // A synchronous send still waiting for its receive completes as if MPI had buffered it: its
    // message stays in the receiver's mailbox. A non-blocking collective MPI may complete before
    // the others arrive (an ibcast's root, an ireduce elsewhere) completes as its blocking form
    // leaves early: its data stays in the slot. Nothing for a receive or what is done already.
    void complete_as_buffered();
    bool done() const { return done_; }
    bool is_send() const { return call_.kind == call_kind::send; }
    // Pending only because this run withholds what MPI may do (deadlock.cpp): a send still waiting
    // for its receive that MPI could have buffered (not an ssend's), or a non-blocking collective
    // that MPI could have completed locally, as the blocking one's caller may leave early.
    bool may_buffer() const {
        if (done_) return false;
        if (collective_) return may_complete_locally(*collective_, owner_);
        return is_send() && !must_match;
    }

    // The call that made it; a receive's is matched when its message comes.
    call_record& call() { return call_; }
    const call_record& call() const { return call_; }
    // "irecv(source=1, tag=0, comm=world)"
    std::string describe() const { return detail::describe(call_); }
    // World ranks this operation waits for.
    rank_list waits_for() const;
    // The one world rank a pending send, or receive from a named source, waits for; -1 for the
    // others (blocker::one_awaited).
    int one_awaited() const { return done_ || collective_ || call_.asked.rank < 0 ? -1 : call_.asked.world; }

    // An isend remembers a checksum of the caller's data, to catch changes before completion.
    void watch_send_buffer(const backend::send_view& data);
    // An irecv poisons its buffer and keeps a matched message aside until completion, so a program
    // that reads early sees poison and one that writes early is caught: a change of its bytes, of
    // a std::vector's or std::string's size, capacity or memory (even an empty one's), or of the
    // object a serialized irecv will be deserialized into.
    void defer_delivery();
    // A non-blocking collective's receive buffer (not in place: then its data is that buffer, and
    // watched as what it gives until the result is written): the program must neither write it
    // nor, with --strict-buffers, read it until the request completes.
    void watch_result_buffer(const backend::recv_buffer& result);
    // A use of one of its buffers by another operation was reported already
    // (checker::check_buffer_use): its completion does not report that buffer again.
    void mark_reported(watched_part part = watched_part::data) { watched_for(part).reported = true; }
    // pending_buffers moved this buffer's entry to `index`.
    void moved_in_pending(watched_part part, std::size_t index) { watched_for(part).pending_index = index; }
    // A non-blocking collective is about to write its result (`before`), or has. Before, what the
    // program changed until then is reported: its receive buffer, or in place its data (input
    // and result in one buffer); after, the watch starts again from the result, until the wait.
    void result_written(bool before);
    // For a process rank's request: how to ask the rank's process whether it changed the buffers
    // (the engine's copy cannot change), asked when the request completes.
    void ask_rank_with(std::function<request_changes()> ask) { ask_rank_ = std::move(ask); }
    bool deferred() const { return deferred_; }
    bool watching() const { return data_.on; }
    void keep_until_completion(const void* data, std::size_t bytes);

    backend::recv_buffer buffer;  // where a receive writes
    bool posted = false;          // a receive sitting in its mailbox's posted list
    bool unmatched_sync_send = false;  // a synchronous send whose message is still in a mailbox
    bool blocking = false;             // made by a blocking send or recv, not by isend/irecv
    bool must_match = false;           // ssend, issend: complete only when matched, never buffered
    std::uint32_t posted_clock = 0;    // a posted receive: its rank's clock then (happens_before.hpp)
    // Simulated time (sim_clock.hpp): when a receive was posted, and when the operation is done
    // (its owner's clock reaches it when a wait or test takes its completion).
    sim_time posted_time = 0;
    sim_time done_time = 0;

    // A non-blocking collective's request owns its call, which stays in the communicator's slot
    // (at `collective_sequence`) until the collective completes.
    void own_collective(std::unique_ptr<collective_call> call) { collective_ = std::move(call); }
    std::uint64_t collective_sequence = 0;
    // What its owner learns of the others when a wait or test takes its completion, not before:
    // until then nothing tells it they joined (happens_before.hpp).
    void learn_when_taken(happens_before::clock known) { learned_ = std::move(known); }

    int owner() const { return owner_; }  // rank in the communicator
    int peer() const { return call_.asked.rank; }
    int tag() const { return call_.asked.tag; }
    comm_state& comm() const { return comm_; }
    const std::source_location& posted_at() const { return call_.where; }

private:
    // What the destructor undoes of a request still in the simulator's lists or watching a
    // buffer, and the leak finding of one never completed.
    [[gnu::noinline]] void let_go();
    // What wait/test return: the status, or the operation's error. Runs the completion checks.
    status take_result(const backend::location& where);
    int world_owner() const { return call_.rank; }

    engine& eng_;
    comm_state& comm_;
    comm_handle keep_{comm_};  // a request may outlive its communicator, as in MPI
    int owner_;
    call_record call_;
    bool done_ = false;
    bool consumed_ = false;  // returned by wait, test or wait_any
    status result_;
    std::exception_ptr failure_;

    // One buffer it watches until completion.
    struct watched {
        bool on = false;                // on the rank's pending buffers (buffer_checks.hpp)
        bool reported = false;          // a finding about it was made already
        bool sends = false;             // data it gives (an isend's, a collective's input)
        bool paused = false;            // off while its collective writes the result
        // Made when watching starts, unless the rank's own process watches it: empty, it costs a
        // blocking call's request (most requests, which watch nothing) one store to make.
        std::optional<buffer_watch> watch;
        int strict_slot = -1;           // its protected pages (strict_buffers.hpp), if any
        std::size_t pending_index = 0;  // where the checker keeps it (pending_buffers)
    };
    watched& watched_for(watched_part part) { return part == watched_part::result ? result_buffer_ : data_; }
    // On the rank's pending buffers (and under --strict-buffers' protection).
    void start_watching(watched_part part, std::uintptr_t begin, std::size_t bytes, const void* container,
                        const void* protect, bool no_access);
    // Off the rank's pending buffers (and out of --strict-buffers' protection); what that saw.
    strict_buffers::access stop_watching(watched_part part);
    // The finding's summary if the buffer was touched before completion (at `where`), or nothing.
    // `until`: when it was looked at ("completing it at file:line"); `asked`: what a process rank
    // said of it.
    std::optional<std::string> change_seen(watched_part part, const std::string& until,
                                           const std::optional<buffer_change>& asked = std::nullopt);
    // A finding of `summary`, if any and none about this buffer was made yet.
    void report_change(watched_part part, std::optional<std::string> summary);
    // Both buffers' checks at completion, at `where`. Inline, for the requests that watch
    // neither (every blocking call's): nothing to check.
    void check_at_completion(const backend::location& where) {
        if (data_.on || result_buffer_.on) [[unlikely]]
            check_watched_at_completion(where);
    }
    void check_watched_at_completion(const backend::location& where);

    watched data_;    // the isend's data, the irecv's poisoned buffer, a collective's input
    watched result_buffer_;  // a non-blocking collective's receive buffer
    std::function<request_changes()> ask_rank_;
    bool deferred_ = false;
    std::vector<std::byte> kept_;    // a deferred receive's message
    happens_before::clock learned_;  // learn_when_taken's
    bool cancelled_ = false;         // a receive cancelled before any message matched it
    std::unique_ptr<collective_call> collective_;
};

}  // namespace baton::sim::detail
