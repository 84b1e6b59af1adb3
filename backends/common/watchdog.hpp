// The watchdog: what a run that seems stuck says before it ends.
//
// Two things look the same to a user, a rank that computes forever and a run that waits forever:
// nothing happens. A rank that runs its own code for longer than its rank timeout without calling
// baton (an endless loop) is named, with the state of every rank, and the process ends as a
// failure. A user who presses Ctrl-C (SIGINT), or a launcher that sends SIGTERM, gets the same
// report (who runs, who is blocked in which call at which line) before the process dies of that
// signal (exit status 130 or 143 in a shell).
//
// One thread per process does the watching: it is started by the first watch and sleeps on a
// pipe the signal handlers write to (the only async-signal-safe way to hand the work over), waking
// also to sample the watches that have a timeout. Each run (each MPI rank) holds a `watch` for its
// duration; the handlers for SIGINT and SIGTERM are installed while some watch exists, and only if
// the program left those signals at their default action (a program's own handler, or an ignored
// signal as under nohup, is left alone).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace baton::detail {

class watch {
public:
    // `describe(headline)` gives the report: the headline, then the state of every rank. It is
    // called on the running rank's own thread when it can be (the state is consistent there), or
    // from the watchdog's thread while the running rank runs its own code (a still state, which
    // `progressed` tells apart from a moving one).
    using describe_fn = std::function<std::string(const std::string& headline)>;

    // `rank_timeout_seconds`: 0 for none. `reports_itself`: the running rank checks
    // stop_requested() at its calls (the simulator); otherwise (MPI, whose ranks may wait inside
    // MPI for ever) `describe` reads only what is safe to read from any thread.
    watch(unsigned rank_timeout_seconds, bool reports_itself, describe_fn describe);
    ~watch();
    watch(const watch&) = delete;
    watch& operator=(const watch&) = delete;

    // ---- From the ranks: cheap (plain stores on x86), as they are called at every baton call --
    // `rank` runs now (-1: no rank runs: before the first, after the last, between two).
    void running(int rank) noexcept { running_.store(rank, std::memory_order_release); }
    int running_rank() const noexcept { return running_.load(std::memory_order_acquire); }
    // A baton call happened: the running rank is not stuck in its own code.
    void progressed() noexcept {
        progress_.store(progress_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    // For a backend whose calls may block for long (MPI): a rank blocked in a call is not running
    // its own code, however long it waits.
    void call_begins() noexcept {
        progressed();
        in_call_.store(true, std::memory_order_release);
    }
    void call_ends() noexcept {
        progressed();
        in_call_.store(false, std::memory_order_release);
    }
    // The process got SIGINT or SIGTERM: the running rank should call stop_here at its next call.
    bool stop_requested() const noexcept { return stop_.load(std::memory_order_relaxed); }
    // Builds the report on this (the running rank's) thread, hands it to the watchdog, which ends
    // the process, and waits for that.
    [[noreturn]] void stop_here();

private:
    friend class watchdog;
    const unsigned timeout_;
    const bool reports_itself_;
    const describe_fn describe_;
    std::atomic<int> running_{-1};
    std::atomic<std::uint64_t> progress_{0};
    std::atomic<bool> in_call_{false};
    std::atomic<bool> stop_{false};
    // The watchdog's own bookkeeping, under its mutex.
    std::uint64_t seen_progress_ = 0;
    std::int64_t quiet_since_ms_ = 0;
    std::string report_;  // what stop_here built
    bool reported_ = false;
};

}  // namespace baton::detail
