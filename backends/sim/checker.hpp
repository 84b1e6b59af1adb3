// The checker: what the simulator finds out about a program while the kernel (engine.hpp) runs
// it. It keeps each rank's recent calls (history.hpp), the event log of options::record and the
// findings; it tells a deadlock among blocked ranks from a potential one (deadlock.cpp), a polling
// loop that can never succeed (polling.cpp), a buffer of a pending request used by another call
// (buffer_checks.cpp), messages nobody received; and it describes the state of every rank
// (state_report.cpp) and a rank's failure (failure.cpp).
//
// It reads the kernel's ranks (rank_table.hpp) and communicators and never changes them. The
// kernel tells it what happens (a call logged, a rank acted, a rank blocked, nothing can happen
// any more), and it answers with what that is: a deadlock, or buffering to grant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include <baton/findings.hpp>
#include <baton/profile.hpp>
#include <baton/sim.hpp>

#include "blocker.hpp"
#include "buffer_checks.hpp"
#include "call_record.hpp"
#include "comm_state.hpp"
#include "history.hpp"
#include "polling.hpp"
#include "rank_table.hpp"
#include "scheduler.hpp"

namespace baton::sim::detail {

class sim_request;

using comm_list = std::vector<std::unique_ptr<comm_state>>;

// What the run may do about ranks that can never move on their own (checker::judge_stuck).
struct stuck_verdict {
    // The run's error from now on, if it changes: the deadlock, or (while buffering is granted
    // to see whether the run gets past it) provisionally a potential one.
    std::exception_ptr error;
    std::vector<int> grant;             // blocked ranks whose wait MPI's buffering would end
    std::vector<sim_request*> buffer;   // synchronous sends of polling ranks that MPI may buffer
    bool deadlock() const { return grant.empty() && buffer.empty(); }
};

class checker {
public:
    // `replay` says how reports tell to reproduce the run.
    checker(const options& opts, const rank_table& ranks, const comm_list& comms, const scheduler& sched,
            const std::string& replay);
    // Room for what it keeps of each of `ranks` ranks: made by the engine after the ranks'
    // contexts, which say at once when the ranks cannot fit, before the rest takes memory. Their
    // recent calls go in `rooms` if the contexts have them (call_history::room_bytes() each).
    void make_room(int ranks, const rank_rooms& rooms = {}) {
        history_.make_room(ranks, rooms);
        // The event log in simulated time times each rank's events (record, close_events).
        if (opts_.record && !opts_.network.empty()) event_times_.resize(static_cast<std::size_t>(ranks));
    }

    // ---- Calls --------------------------------------------------------------------------------
    // Every communication call (a send or collective when it starts, a receive when matched): the
    // last few of each rank are kept always but cheaply, for reports, and every one in the event
    // log of options::record. A receive whose message did not fit (`failed`) is in the event log
    // only: its rank fails with an error that names it.
    void log(const call_record& call, bool failed = false) {
        if (!failed) history_.add(sched_.steps(), call);
        if (profile_ && !failed) [[unlikely]]
            profile_bytes(call);
        if (opts_.record) [[unlikely]]
            record(call);
    }
    // Before `rank` is resumed: the lines of its history its next call writes (call_history::read_ahead).
    void read_ahead(int rank) const { history_.read_ahead(rank); }
    // --profile: every call logged from now on adds its bytes to its site (null: none).
    void profile_into(baton::detail::profile_recorder* profile) { profile_ = profile; }
    const last_call_note* last_call(int rank) const { return history_.last_note(rank); }
    // Whether the event log is in simulated time, closing each call's event as its rank leaves it.
    bool times_events() const { return !event_times_.empty(); }
    // Rank `rank` goes back to its own code (engine::leaving): its events since it entered end
    // at its clock, in the event log of a run with simulated time.
    void close_events(int rank) {
        if (!event_times_.empty()) [[unlikely]]
            close_timed(rank);
    }

    // ---- Findings ----------------------------------------------------------------------------
    // A problem that does not stop the run; the run fails with it at the end.
    void add_finding(finding f) { findings_.push_back(std::move(f)); }
    // A finding with this run's replay command.
    finding make_finding(finding_kind kind, std::string summary, std::vector<rank_call> calls) const;
    // Each rank's pending isend and irecv buffers; check_buffer_use reports a new operation of
    // `self` that writes (or, `writes` false, reads) one of them before it completes; true if so.
    pending_buffers& buffers() { return buffers_; }
    bool check_buffer_use(int self, const void* data, std::size_t bytes, const void* container, bool writes,
                          std::string_view operation, const std::source_location& where) {
        // Inline: every send and receive asks, and a rank with no pending request (the common
        // case) has nothing its call could conflict with.
        if (!buffers_.any(self)) return false;
        return check_pending_buffers(self, data, bytes, container, writes, operation, where);
    }
    // The error a rank's exception ends the run with: rank_failed, naming its calls.
    std::exception_ptr failure_of(int rank, std::exception_ptr original) const;
    // Every rank has finished: the messages nobody received, the collectives some never reached.
    void check_unreceived();

    // ---- Deadlocks and polling loops ---------------------------------------------------------
    // `rank` acted (a call that is not a poll, or it finished): what others wait or poll for may
    // have changed, and if it polled in vain before, its loop ended by itself (polling.hpp).
    void acted(int rank) {
        polls_.acted(rank);
        polls_.progress();
    }
    // Something changed that a poll may see (buffering granted, an exploration went on).
    void progress() { polls_.progress(); }
    void poll_succeeded(int rank) { polls_.succeeded(rank); }
    // Whether `rank` has polled since the last progress.
    bool polled(int rank) { return polls_.polled(rank); }
    // `self` polled for `poll` at `where` in vain. Once neither it nor any other rank that can run
    // can change anything any more, every rank that has not finished (all stuck); else empty.
    std::vector<int> polled_in_vain(int self, const blocker& poll, const std::source_location& where);
    // `self` has just blocked: the ranks that can never run again, a set of blocked ranks that
    // wait only for each other or for finished ranks; empty if some rank may still wake it.
    std::vector<int> stuck_with(int self);
    // `stuck` can never move on its own: a deadlock, unless MPI's buffering could move some of it.
    // See deadlock.cpp.
    stuck_verdict judge_stuck(const std::vector<int>& stuck);
    // A blocked (or polling) rank's call as a report shows it.
    rank_call blocked_call(int rank, const blocker& what, const std::source_location& where) const;

    // ---- Reports -----------------------------------------------------------------------------
    // The state of every rank, as a report under `headline`: who runs (`running`), who is blocked
    // in which call at which line and waits for whom, who has finished. What the watchdog prints
    // when the run is interrupted or a rank runs its own code for too long.
    std::string state_report(const std::string& headline, int running) const;

    // What the run leaves: its events and its findings.
    std::vector<event> take_events() {
        for (int rank = 0; rank < static_cast<int>(event_times_.size()); ++rank) close_events(rank);
        return std::move(events_);
    }
    std::vector<finding> take_findings() { return std::move(findings_); }
    bool has_findings() const { return !findings_.empty(); }

private:
    [[gnu::noinline]] void record(const call_record& call);  // out of log(), which every call runs
    [[gnu::noinline]] void profile_bytes(const call_record& call);
    bool check_pending_buffers(int self, const void* data, std::size_t bytes, const void* container, bool writes,
                               std::string_view operation, const std::source_location& where);
    // `rank`'s recent calls as report lines, newest first.
    std::vector<std::string> recent_calls(int rank) const;
    std::exception_ptr deadlock_report(const std::vector<int>& stuck) const;
    finding deadlock_finding(const std::vector<int>& stuck, finding_kind kind) const;
    // The calls a rank's failure names: those of baton's error (with the receive and the send of
    // a message that did not fit), or for another exception its type and the rank's last call.
    std::vector<rank_call> failure_calls(int rank, const std::exception_ptr& original) const;
    // What waits in the mailboxes of `stuck` ranks, a note per message: the main clue to a wrong
    // tag or source.
    std::vector<std::string> mailbox_notes(const std::vector<int>& stuck) const;
    // The deadlock of `stuck` as the run's error, after the findings made before it.
    std::exception_ptr stuck_error(finding f) const;

    const options& opts_;
    const rank_table& ranks_;
    const comm_list& comms_;
    const scheduler& sched_;
    const std::string& replay_;
    baton::detail::profile_recorder* profile_ = nullptr;
    call_history history_;
    std::vector<event> events_;
    // With simulated time, per rank: its events not yet closed, and the computing of its clock
    // when its last event began.
    struct event_timing {
        std::vector<std::size_t> open;
        std::int64_t computing_seen = 0;
    };
    std::vector<event_timing> event_times_;
    void close_timed(int rank);
    std::vector<finding> findings_;
    poll_watch polls_;
    pending_buffers buffers_;
    std::vector<std::uint64_t> visited_;  // stuck_with's marks: visited_[r] == visit_ when seen
    std::uint64_t visit_ = 0;
    std::vector<int> stuck_scratch_, pending_scratch_;  // stuck_with's lists
    // The first stuck set buffering was granted to, as a certain deadlock (judge_stuck).
    std::optional<finding> granted_from_;
    // How many findings the run had made when it first got stuck: reported with the deadlock
    // (a request leaked before may be its cause); the ones made after granting buffering are not.
    std::optional<std::size_t> findings_before_stuck_;
};

}  // namespace baton::sim::detail
