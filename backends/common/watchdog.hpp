// The watchdog: what a run that seems stuck says before it ends.
//
// Two things look the same to a user, a rank that computes forever and a run that waits forever:
// nothing happens. A rank that runs its own code for longer than its rank timeout without calling
// baton (an endless loop) is named, with the state of every rank, and the process ends as a
// failure. A user who presses Ctrl-C (SIGINT), or a launcher that sends SIGTERM, gets the same
// report (who runs, who is blocked in which call at which line) before the process dies of that
// signal (exit status 130 or 143 in a shell).
//
// One thread per process does the watching: started by the first watch, it sleeps on a pipe that
// the signal handlers (and new watches) write to, the only async-signal-safe way to hand the work
// over, and wakes also to sample the watches that have a timeout. Each run (each MPI rank) holds
// a `watch` for its duration; the handlers for SIGINT and SIGTERM are installed while some watch
// or `handlers_kept` exists, and only over the default action (a program's own handler, or a
// signal ignored, as SIGINT is in a script's background job, is left alone).
//
// Reading a run's state from the watchdog's thread. The simulator's state changes only inside
// baton calls, and only the running rank makes them. A rank is `inside` from the moment it enters
// a call until it returns to its own code. To read, the watchdog sets `stop_` (a rank that enters
// a call from then on stops there, in stop_here), makes every thread of the process execute a
// memory barrier (membarrier(2): the ranks' side costs a compiler fence only), and then reads only
// if `inside` is false: the running rank is in its own code, and will stop before it changes
// anything. So a report is never torn, and never races with the rank.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace baton::detail {

class watch {
public:
    // `describe(headline)` gives the report: the headline, then the state of every rank. It is
    // called on the running rank's own thread when the rank stops at a call, or from the
    // watchdog's thread while the rank runs its own code (see above).
    using describe_fn = std::function<std::string(const std::string& headline)>;

    // `rank_timeout_seconds`: 0 for none. `reports_itself`: the running rank stops at its next
    // call when asked (the simulator); otherwise (MPI, whose ranks may wait inside MPI for ever)
    // `describe` reads only what is safe to read from any thread at any time.
    watch(unsigned rank_timeout_seconds, bool reports_itself, describe_fn describe);
    ~watch();
    watch(const watch&) = delete;
    watch& operator=(const watch&) = delete;

    // ---- From the ranks: cheap (plain stores on x86), as they are called at every baton call --
    // `rank` runs now (-1: no rank runs: before the first, after the last).
    void running(int rank) noexcept { running_.store(rank, std::memory_order_release); }
    int running_rank() const noexcept { return running_.load(std::memory_order_acquire); }
    // The running rank enters a baton call (once, however deeply calls nest).
    void entering() noexcept {
        inside_.store(true, std::memory_order_relaxed);
        std::atomic_signal_fence(std::memory_order_seq_cst);  // the watchdog's membarrier does the rest
        if (stop_.load(std::memory_order_relaxed)) [[unlikely]]
            stop_here();
    }
    // It returns to its own code: everything it changed is published.
    void leaving() noexcept {
        progress_.store(progress_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        inside_.store(false, std::memory_order_release);
    }

private:
    friend class watchdog;
    // Builds the report on the running rank's thread, hands it to the watchdog, which ends the
    // process, and waits for that.
    [[noreturn]] void stop_here();

    const unsigned timeout_;
    const bool reports_itself_;
    const describe_fn describe_;
    std::atomic<int> running_{-1};
    std::atomic<std::uint64_t> progress_{0};
    std::atomic<bool> inside_{false};
    std::atomic<bool> stop_{false};
    // The watchdog's own bookkeeping, under its mutex.
    std::uint64_t seen_progress_ = 0;
    std::int64_t quiet_since_ms_ = 0;
    std::string report_;  // what stop_here built
    bool reported_ = false;
};

// Keeps the SIGINT and SIGTERM handlers installed while it exists, between watches too: a
// sequence of runs (an exploration's executions) would otherwise install and restore them at every
// run, eight system calls each time. A signal between two runs is reported as such.
class handlers_kept {
public:
    handlers_kept();
    ~handlers_kept();
    handlers_kept(const handlers_kept&) = delete;
    handlers_kept& operator=(const handlers_kept&) = delete;
};

}  // namespace baton::detail
