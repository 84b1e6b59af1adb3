// The simulator's engine: one execution context per rank (an OS thread or a fiber, see
// contexts.hpp), exactly one of them running at any time.
//
// A rank runs until it makes a baton call. Every call but a collective's arrival is a scheduling
// point: the scheduler picks the next rank to run (maybe the same one) and the CPU is handed
// over. A rank that must wait (a receive with no message yet, a collective not everyone has
// reached) leaves the runnable set until whoever satisfies its wait notifies it. When no rank can run and some have not finished,
// that is a deadlock, found at once.
//
// All engine state is touched only by the rank holding the CPU; the hand-offs order every
// access, so there are no locks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include <baton/findings.hpp>
#include <baton/sim.hpp>

#include "../common/watchdog.hpp"
#include "buffer_checks.hpp"
#include "call_record.hpp"
#include "comm_state.hpp"
#include "contexts.hpp"
#include "polling.hpp"
#include "process_exit.hpp"
#include "user_boundary.hpp"
#include "scheduler.hpp"

namespace baton::sim::detail {

// Thrown inside ranks to unwind them when the run ends early. Deliberately not a std::exception,
// so that user code catching std::exception does not swallow it.
struct run_aborted {};

// What a blocked rank waits for: when it may continue, and how to describe it in a report.
class blocker {
public:
    virtual ~blocker() = default;
    virtual bool ready() const = 0;
    virtual std::string describe() const = 0;       // e.g. "recv(source=1, tag=0, comm=world)"
    virtual rank_list waits_for() const = 0;  // world ranks it needs
    // The communicator it waits on, if one: reports say which rank of it the waiting rank is.
    virtual const comm_state* comm() const { return nullptr; }
    // True when it waits only because this run did not buffer something MPI may buffer (a send
    // above the eager limit): a deadlock through it may be a potential one (see deadlock.cpp).
    virtual bool buffering_dependent() const { return false; }
    // Ends the wait as MPI's buffering would have (the send completes, the root leaves the
    // collective); called only when buffering_dependent(). It changes what the blocker refers to.
    virtual void grant_buffering() const {}
    // Whether blocking on it should look for a deadlock among some ranks at once. Collectives say
    // no: their waits_for lists every rank not there yet, which would make each collective O(P^2);
    // a stuck collective is still found when no rank can run, or through the rank it waits for.
    virtual bool check_partial_deadlock() const { return true; }
    // A wait an exploration chose for a poll (engine::poll_wait_chosen): when nothing else can
    // happen it ends empty-handed instead of being a deadlock.
    virtual bool ends_when_nothing_else_can_happen() const { return false; }
    virtual void end() const {}
};

struct comm_state;

// What a run gave: its event log, the choices it made, and what ended it badly (if anything).
struct run_outcome {
    std::vector<event> events;
    std::vector<choice> choices;
    std::exception_ptr error;
    // schedule::systematic: which of `choices` chose the poison of irecv buffers (engine::irecv_poison).
    std::optional<std::size_t> poison_choice;
};

class engine {
public:
    engine(const options& opts, const std::function<void(communicator&)>& body);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Runs every rank to the end (from the caller's thread).
    run_outcome run();

    // ---- Called by the running rank -------------------------------------------------------
    const options& opts() const { return opts_; }
    scheduler& sched() { return scheduler_; }

    // Lets the scheduler run another rank before `self` goes on. A call that acts (anything but
    // a poll) may change what other ranks wait or poll for.
    enum class call_effect { acts, polls };
    void schedule_point(int self, call_effect effect = call_effect::acts);
    // An acting call that is not a scheduling point (a collective's arrival).
    void call_without_switch(int self);
    // After a poll (iprobe, test): whether it found what it looked for. A loop of polls that can
    // never succeed ends the run as a deadlock (polling.cpp). `poll` describes what it polls for.
    void poll_succeeded(int self);
    // Whether a poll by `self` that could succeed now may still come up empty: exploration
    // (schedule::systematic) branches on it, because on MPI a message sent may not have arrived
    // yet and a request may not be complete yet when polled. Only the first poll after something
    // changed may miss: MPI guarantees that polling again eventually sees the message.
    bool poll_may_miss(int self);
    // A poll by `self` that finds nothing now: exploration also tries waiting for what it polls
    // for, as if it had arrived before the poll. True when that was chosen and the wait is over
    // (`poll` may be ready now, or the wait ended because nothing else could happen).
    bool poll_wait_chosen(int self, const blocker& poll, const std::source_location& where);
    void poll_failed(int self, const blocker& poll, const std::source_location& where);
    // Blocks `self` until `what.ready()`. `where` is the user's call, for reports.
    void wait_until(int self, const blocker& what, const std::source_location& where);
    // `rank`'s wait may now be satisfied: make it runnable again.
    void notify(int rank);
    // Ends the whole run with `error` (a deadlock, a mismatch); unwinds the caller.
    [[noreturn]] void fail_run(std::exception_ptr error);
    bool aborting() const { return aborting_; }

    // A problem that does not stop the run; the run fails with it at the end.
    void add_finding(finding f);
    // A finding with this run's replay command.
    finding make_finding(finding_kind kind, std::string summary, std::vector<rank_call> calls) const;

    // The byte an irecv's buffer holds until the irecv completes: it differs between seeds, and
    // between explored executions, so that a program reading it early prints something else and
    // --explore --deterministic sees it (buffer_checks.cpp).
    std::byte irecv_poison();
    // Each rank's pending isend and irecv buffers; check_buffer_use reports a new operation of
    // `self` that writes (or, `writes` false, reads) one of them before it completes; true if so.
    pending_buffers& buffers() { return buffers_; }
    bool check_buffer_use(int self, const void* data, std::size_t bytes, const void* container, bool writes,
                          std::string_view operation, const std::source_location& where);

    // Every communication call (a send or collective when it starts, a receive when matched):
    // the last few of each rank are kept always but cheaply, for reports, and every one in the
    // event log of options::record. A receive whose message did not fit (`failed`) is in the event
    // log only: its rank fails with an error that names it.
    void log(const call_record& call, bool failed = false);

    // A new communicator's shared state, owned by the engine until no rank's communicator nor
    // request uses it (comm_unused).
    comm_state& make_comm(std::string name, std::vector<int> world_ranks);
    // The last handle on `comm` is gone: nobody can use it again. Freed at once unless a report at
    // the end needs it (an unreceived message, a collective some ranks never reached); the world
    // stays for the whole run.
    void comm_unused(comm_state& comm);
    comm_state& world() { return *comms_.front(); }

    // How reports say to reproduce this run.
    const std::string& replay_hint() const;

    // Rank `rank`'s code calls into the simulator / returns to its own code (user_boundary.hpp):
    // what the watchdog must know to read the state from its thread (watchdog.hpp). Calls may
    // nest (a send that waits); the outermost counts.
    void entering(int rank) noexcept {
        if (ranks_[static_cast<std::size_t>(rank)]->calls_entered++ == 0) watch_.entering();
    }
    void leaving(int rank) noexcept {
        if (--ranks_[static_cast<std::size_t>(rank)]->calls_entered == 0) watch_.leaving();
    }

    // The state of every rank, as a report under `headline`: who runs, who is blocked in which
    // call at which line and waits for whom, who has finished. What the watchdog prints when the
    // run is interrupted or a rank runs its own code for too long.
    std::string state_report(const std::string& headline) const;

private:
    enum class rank_state { runnable, blocked, finished };
    // One call remembered for reports; no allocation, as every call makes one.
    struct recent_call {
        std::uint64_t step = 0;
        call_record call;  // without its communicator, which may be gone by the time it is shown
        shared_name comm;  // but with its name
    };
    static constexpr std::size_t recent_kept = 3;
    struct rank_slot {
        rank_state state = rank_state::runnable;
        const blocker* waiting = nullptr;
        std::source_location waiting_at;
        std::array<recent_call, recent_kept> recent;  // a ring: call number n is at n % recent_kept
        last_call_note last;  // the newest of them, for a crash report (process_exit.hpp)
        int calls_entered = 0;  // entering() less leaving()
        std::uint64_t calls = 0;
        std::size_t newest = recent_kept - 1;  // where call number `calls` is in `recent`
    };
    // The event of a call, for options::record: out of log(), which every call runs.
    [[gnu::noinline]] void record(const call_record& call);
    // `rank`'s remembered calls as report lines, newest first.
    std::vector<std::string> recent_calls(int rank) const;
    // `self` has the CPU (again, or for the first time).
    void resumed(int self);

    // What each rank's context runs.
    void rank_main(int self);
    void finish(int self);
    // Hands the CPU to the next rank the scheduler picks; returns when `self` runs again (at once
    // if it is picked), or right away if `self` has finished.
    void hand_off(int self);
    void begin_abort();
    // schedule::systematic: every rank is blocked; match one waiting wildcard receive (the
    // scheduler chooses which, and which message). False if none can be matched.
    bool resolve_wildcard();
    // schedule::systematic, every rank blocked: ends the waits exploration chose for polls.
    bool end_chosen_waits();
    // Nothing can happen any more (every rank blocked, or only polling in vain): what a
    // systematic run does then, resolve_wildcard or else end_chosen_waits. True if some rank
    // can go on.
    bool go_on_at_quiescence();
    // The ranks that can never run again if `self` blocks now: a set of blocked ranks that wait
    // only for each other or for finished ranks. Empty if some rank may still wake it.
    std::vector<int> stuck_with(int self);
    // `stuck` can never move on its own. If MPI's buffering could move some of it, grant that and
    // return true: the run goes on. Otherwise set the run's error to the deadlock (replacing a
    // provisional potential one) and return false. See deadlock.cpp.
    bool settle_stuck(const std::vector<int>& stuck);
    std::exception_ptr deadlock_report(const std::vector<int>& stuck) const;
    finding deadlock_finding(const std::vector<int>& stuck, finding_kind kind) const;
    std::vector<int> blocked_ranks() const;
    std::exception_ptr failure_of(int rank, std::exception_ptr original) const;
    // The calls a rank's failure names: those of baton's error (with the receive and the send of
    // a message that did not fit), or for another exception its type and the rank's last call.
    std::vector<rank_call> failure_calls(int rank, const std::exception_ptr& original) const;
    // A blocked (or polling) rank's part in a deadlock report.
    rank_call blocked_call(int rank, const blocker& what, const std::source_location& where) const;
    // What waits in the mailboxes of `stuck` ranks, a note per message: the main clue to a wrong
    // tag or source.
    std::vector<std::string> mailbox_notes(const std::vector<int>& stuck) const;
    // The deadlock of `stuck` as the run's error, after the findings made before it.
    std::exception_ptr stuck_error(finding f) const;
    // Messages nobody received, once every rank has finished.
    void check_unreceived();

    options opts_;
    const std::function<void(communicator&)>& body_;
    scheduler scheduler_;
    std::string replay_;
    std::vector<std::unique_ptr<rank_slot>> ranks_;
    std::unique_ptr<rank_contexts> contexts_;
    int started_ = 0;   // contexts created
    int finished_ = 0;  // ranks whose body has returned or unwound
    bool aborting_ = false;
    std::exception_ptr error_;
    std::vector<std::unique_ptr<comm_state>> comms_;
    std::vector<event> events_;
    std::vector<finding> findings_;
    std::vector<std::uint64_t> visited_;  // stuck_with's marks: visited_[r] == visit_ when seen
    std::uint64_t visit_ = 0;
    std::vector<int> stuck_scratch_, pending_scratch_;  // stuck_with's lists
    // The first stuck set buffering was granted to, as a certain deadlock (settle_stuck).
    std::optional<finding> granted_from_;
    // How many findings the run had made when it first got stuck: reported with the deadlock
    // (a request leaked before may be its cause); the ones made after granting buffering are not.
    std::optional<std::size_t> findings_before_stuck_;
    poll_watch polls_{opts_.poll_limit};
    pending_buffers buffers_;
    std::optional<std::size_t> poison_choice_;  // see irecv_poison
    std::byte poison_{0xA5};
    // Last, so destroyed first: the watchdog may read the other members until it is unregistered.
    baton::detail::watch watch_;
};

}  // namespace baton::sim::detail
