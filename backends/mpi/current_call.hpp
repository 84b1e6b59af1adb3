// Which baton call this MPI rank is in, or made last: what it says when it is stopped (SIGTERM
// from mpiexec, Ctrl-C) or runs its own code for longer than the rank timeout (watchdog.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <source_location>

#include <baton/backend.hpp>
#include <baton/profile.hpp>

#include "../common/watchdog.hpp"
#include "hidden.hpp"

namespace baton::mpi::detail {

// --profile on MPI: this rank's calls go to `recorder` (as its rank 0) with their times in seconds
// of MPI_Wtime since `start`, while it is set (null: off, and a call pays one test of a pointer).
void record_profile(baton::detail::profile_recorder* recorder, double start) noexcept;
double profile_start() noexcept;
BATON_MPI_HIDDEN extern baton::detail::profile_recorder* profiling;
void add_profile_bytes(const char* operation, const backend::location& where, std::size_t sent, std::size_t received);
// Bytes a call sent or received, counted at its site as on the simulator (checker::log): a
// receive's where it was posted, when its message came.
inline void profile_bytes(const char* operation, const backend::location& where, std::size_t sent,
                          std::size_t received) {
    if (profiling) [[unlikely]]
        add_profile_bytes(operation, where, sent, received);
}

// What the watchdog reads of the call this rank is in or made last (current_call.cpp describes it
// from another thread): written by the rank's thread, each field atomic, and a report built while a
// call begins may mix two calls' fields (an operation with another's line), which is harmless for
// a last word; each field alone is always whole.
struct call_note {
    std::atomic<const char*> operation{nullptr};  // a literal
    std::atomic<std::source_location> where{};    // one word: a pointer to the compiler's constant
    std::atomic<bool> inside{false};
};
BATON_MPI_HIDDEN extern call_note note;
// This rank's watch (watched_rank) while the run lasts, when it has a rank timeout: then the calls
// tell it when they begin and end, which is how it sees a rank that runs its own code too long.
// Null without a timeout, when nothing reads that (a report after SIGTERM or Ctrl-C reads the
// note, from the watchdog's thread), so that a call pays one test of a pointer for it.
BATON_MPI_HIDDEN extern baton::detail::watch* watching;
// --profile's side of a call's start and end (cold: --profile is off unless asked for).
[[gnu::cold]] void profile_began(const char* operation, const backend::location& where);
[[gnu::cold]] void profile_ended();

// What takes a call off its short path (mpi_comm::short_path), a bit each, so that a call asks
// once for all three: a receive is deferred (request.hpp), --profile is on, the rank has a timeout.
enum call_hook : unsigned { deferred_hook = 1, profile_hook = 2, watch_hook = 4 };
BATON_MPI_HIDDEN extern unsigned hooks;
inline void set_hook(call_hook hook, bool on) { hooks = on ? hooks | hook : hooks & ~hook; }

// The note of the call under way (what a report after SIGTERM or Ctrl-C reads): set as a call
// begins, cleared as it ends; current_call and short_call both write it so.
inline void note_entering(const char* operation, const backend::location& where) noexcept {
    note.where.store(where, std::memory_order_relaxed);
    note.operation.store(operation, std::memory_order_release);
    note.inside.store(true, std::memory_order_release);
}
inline void note_leaving() noexcept { note.inside.store(false, std::memory_order_release); }

// Held for the duration of each baton call on MPI (the outermost one counts: a send may wait
// on a request inside, and only the thread that called baton::run makes baton calls on MPI, so
// the note's own `inside` says whether this is the outermost). A few stores, inline: it brackets
// every call, whose whole cost beyond MPI's own is tens of instructions.
class current_call {
public:
    // `operation`: a literal.
    // A request's destructor is no call of the program's: --profile does not count it
    // (`not_profiled`), as on the simulator.
    enum profiled_call : bool { not_profiled = false, profiled = true };
    current_call(const char* operation, const backend::location& where, profiled_call counted = profiled) noexcept
        : outermost_(!note.inside.load(std::memory_order_relaxed)) {
        if (!outermost_) return;
        note_entering(operation, where);
        if (watching) watching->entering();
        if (profiling && counted) [[unlikely]]
            profile_began(operation, where);
    }
    ~current_call() {
        if (!outermost_) return;
        note_leaving();
        if (profiling) [[unlikely]]
            profile_ended();
        if (watching) watching->leaving();
    }
    current_call(const current_call&) = delete;
    current_call& operator=(const current_call&) = delete;

private:
    bool outermost_;
};

// The bracket of a call's short path (mpi_comm::short_path), which has found --profile off and no
// rank timeout on its way in, and so does not test them again. Nor does it ask whether it is the
// outermost call: a short path is only ever entered from the typed layer (no call of the backend
// makes a send, recv or allreduce through comm_impl), and a short allreduce runs no code of the
// program's, so no other call is under way. Three stores in, one out, and nothing to keep in a
// register across the MPI call.
class short_call {
public:
    short_call(const char* operation, const backend::location& where) noexcept { note_entering(operation, where); }
    ~short_call() { note_leaving(); }
    short_call(const short_call&) = delete;
    short_call& operator=(const short_call&) = delete;
};

// Watches this process's rank for the run's duration: its state goes into the watchdog's reports.
class watched_rank {
public:
    watched_rank(int world_rank, int world_size, unsigned rank_timeout_seconds);
    ~watched_rank();
    watched_rank(const watched_rank&) = delete;
    watched_rank& operator=(const watched_rank&) = delete;

private:
    std::unique_ptr<baton::detail::watch> watch_;  // `watching` when there is a rank timeout
};

}  // namespace baton::mpi::detail
