// The simulator's kernel: one execution context per rank (an OS thread or a fiber, see
// contexts.hpp), exactly one of them running at any time.
//
// A rank runs until it makes a baton call. Every call but a collective's arrival is a scheduling
// point: the scheduler picks the next rank to run (maybe the same one) and the CPU is handed
// over. A rank that must wait (a receive with no message yet, a collective not everyone has
// reached) leaves the runnable set until whoever satisfies its wait notifies it. When no rank can
// run and some have not finished, the checker (checker.hpp) says whether that is a deadlock, found
// at once, or whether buffering MPI may do lets the run go on.
//
// The kernel owns the ranks (rank_table.hpp), their contexts, the scheduler, the communicators and
// the checker; the operations (comm.cpp, request.cpp, collective.cpp) call it to switch, block and
// wake, and the checker to log calls and report findings. README.md draws the whole.
//
// All engine state is touched only by the rank holding the CPU; the hand-offs order every
// access, so there are no locks.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include <baton/findings.hpp>
#include <baton/profile.hpp>
#include <baton/sim.hpp>

#include "../common/watchdog.hpp"
#include "blocker.hpp"
#include "bsend_buffer.hpp"
#include "happens_before.hpp"
#include "checker.hpp"
#include "comm_state.hpp"
#include "contexts.hpp"
#include "polling.hpp"
#include "process_exit.hpp"
#include "process_proxy.hpp"
#include "process_ranks.hpp"
#include "rank_table.hpp"
#include "user_boundary.hpp"
#include "scheduler.hpp"
#include "sim_clock.hpp"

namespace baton::sim::detail {

// Thrown inside ranks to unwind them when the run ends early. Deliberately not a std::exception,
// so that user code catching std::exception does not swallow it.
struct run_aborted {};

// What a run gave: its event log, the choices it made, and what ended it badly (if anything).
struct run_outcome {
    std::vector<event> events;
    std::vector<choice> choices;
    std::exception_ptr error;
    // schedule::systematic: which of `choices` chose the poison of irecv buffers (engine::irecv_poison).
    std::optional<std::size_t> poison_choice;
    // With simulated time asked for (--network): the run's line, for a single run to print (an
    // exploration's many executions print none).
    std::string time_summary;
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
    checker& checks() { return checker_; }
    // What orders the ranks' calls whatever the schedule (systematic runs only: happens_before.hpp).
    happens_before& order() { return order_; }

    // Lets the scheduler run another rank before `self` goes on. A call that acts (anything but
    // a poll) may change what other ranks wait or poll for.
    enum class call_effect { acts, polls };
    void schedule_point(int self, call_effect effect = call_effect::acts);
    // An acting call that is not a scheduling point (a collective's arrival).
    void call_without_switch(int self);
    // After a poll (iprobe, test): whether it found what it looked for. A loop of polls that can
    // never succeed ends the run as a deadlock (polling.cpp).
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
    // `poll` describes what it polls for.
    void poll_failed(int self, const blocker& poll, const std::source_location& where);
    // Blocks `self` until `what.ready()`. `where` is the user's call, for reports.
    void wait_until(int self, const blocker& what, const std::source_location& where);
    // `rank`'s wait may now be satisfied: make it runnable again.
    void notify(int rank);
    // notify(rank) for each of `ranks` in order: a whole collective's ranks at its completion.
    void notify_all(std::span<const int> ranks);
    // The communicator `comm` of rank `rank`'s is going away: if the contexts read it before
    // resuming the rank (rank_main's world), they stop, as its memory may be given back.
    void comm_gone(int rank, const void* comm);
    // Ends the whole run with `error` (a deadlock, a mismatch); unwinds the caller.
    [[noreturn]] void fail_run(std::exception_ptr error);
    // Ends the whole run with `error` as rank `rank`'s failure (a process rank that died while
    // another ran); unwinds the caller.
    [[noreturn]] void fail_rank(int rank, std::exception_ptr error);
    bool aborting() const { return aborting_; }

    // The byte an irecv's buffer holds until the irecv completes: it differs between seeds, and
    // between explored executions, so that a program reading it early prints something else and
    // --explore --deterministic sees it (exploration_choices.cpp).
    std::byte irecv_poison();

    // A new communicator's shared state, owned by the engine until no rank's communicator nor
    // request uses it (comm_unused).
    comm_state& make_comm(std::string name, std::vector<int> world_ranks);
    // The last handle on `comm` is gone: nobody can use it again. Freed at once unless a report at
    // the end needs it (an unreceived message, a collective some ranks never reached); the world
    // stays for the whole run.
    void comm_unused(comm_state& comm);
    comm_state& world() { return *comms_.front(); }
    // World rank `rank`'s buffer for bsend (bsend_buffer.hpp), made at its first use.
    const std::shared_ptr<bsend_buffer>& bsend_buffer_of(int rank);

    // How reports say to reproduce this run.
    const std::string& replay_hint() const;

    // Rank `rank`'s code calls into the simulator / returns to its own code (user_boundary.hpp):
    // what the watchdog must know to read the state from its thread (watchdog.hpp). Calls may
    // nest (a send that waits); the outermost counts.
    // What the rank computed in between advances its simulated clock (sim_clock.hpp).
    // A call of the program's names its operation (a literal) and line, for --profile.
    void entering(int rank, const char* operation = nullptr, const std::source_location& where = {}) noexcept {
        if (ranks_[rank].calls_entered++ == 0) {
            watch_.entering();
            if (brackets_work_) [[unlikely]] {
                time_.entered(rank);
                if (profile_ && operation) profile_->began(rank, operation, where, profile_now(rank));
            }
        }
    }
    void leaving(int rank) noexcept {
        if (--ranks_[rank].calls_entered == 0) {
            if (brackets_work_) [[unlikely]] {
                if (profile_) profile_->ended(rank, profile_now(rank));
                time_.left(rank);
                checker_.close_events(rank);
            }
            watch_.leaving();
        }
    }

    // --profile's time for `rank`, in seconds since the run began: its simulated clock when the
    // run has simulated time (options::network), else the real (steady) clock.
    double profile_now(int rank) const noexcept;

    // Every rank's simulated clock, and the network model that advances them.
    simulated_time& time() { return time_; }
    // Rank `rank`'s simulated clock in seconds (baton::wtime): what it computed until now counts.
    double wtime(int rank);

private:
    // `self` has the CPU (again, or for the first time), or `kept_cpu`: it was picked while it
    // held the CPU. Every scheduling step comes here (gdb's `baton step` stops at its return).
    void resumed(int self, bool kept_cpu = false);
    // `self` stops for a debugger: at `step` of --break-at, or (step 0) before its code starts,
    // for --debug-rank.
    void stop_for_debugger(int self, std::uint64_t step);

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
    // `stuck` can never move on its own: grants what buffering the checker finds MPI may do and
    // returns true (the run goes on), or sets the run's error to the deadlock (or to the failure
    // of a process rank that died, which is why they are stuck) and returns false.
    bool settle_stuck(const std::vector<int>& stuck);
    // Process ranks: one whose process ended before its rank function did, looked for in every
    // process now: its failure becomes the run's error, and true. Asked before the run is called
    // stuck: a call only looks once a millisecond (process_ranks::ended_early).
    bool a_process_rank_died();
    std::vector<int> blocked_ranks() const;

    options opts_;
    const std::function<void(communicator&)>& body_;
    scheduler scheduler_;
    std::string replay_;
    rank_table ranks_;
    std::unique_ptr<rank_contexts> contexts_;
    rank_rooms world_rooms_;  // where each rank's world communicator is made, if the contexts have rooms
    bool aborting_ = false;
    std::exception_ptr error_;
    std::vector<std::shared_ptr<bsend_buffer>> bsend_buffers_;  // by world rank
    happens_before order_{opts_.ranks, opts_.schedule == schedule::systematic};
    comm_list comms_;
    checker checker_{opts_, ranks_, comms_, scheduler_, replay_};
    std::optional<std::size_t> poison_choice_;  // see irecv_poison
    // rank_context::process: the ranks' processes, and who takes what their functions return.
    std::unique_ptr<process_ranks> processes_;
    const result_taker* result_taker_ = current_result_taker();
    std::byte poison_{0xA5};
    simulated_time time_{opts_, ranks_};
    simulated_clock clock_{*this};  // baton::wtime() on the ranks' threads
    // --profile's counts (options::profile), or null; the checker adds the bytes of each call.
    std::unique_ptr<baton::detail::profile_recorder> profile_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    // Whether entering and leaving have more to do than tell the watchdog: --profile, measured
    // compute time, or an event log in simulated time. Most runs have none, and each call asked
    // all three (issue 17).
    bool brackets_work_ = false;
    // Whether the contexts read a rank's memory before resuming it, and hand_off reads its history's
    // next lines with it (rank_contexts::reads_ahead).
    bool reads_ahead_ = false;
    // Last, so destroyed first: the watchdog may read the other members until it is unregistered.
    baton::detail::watch watch_;
};

}  // namespace baton::sim::detail
