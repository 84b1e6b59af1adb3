// A rank that aborts (std::abort, a failed assert) or calls exit() ends the whole process: every
// rank is a thread of it. The run cannot be unwound then, but the user can still be told which
// rank did it and how to replay the run, and exit() cannot pass for success.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace baton::sim::detail {

// A rank's last baton call, as a crash report names it: plain data, read by a signal handler.
struct last_call_note {
    std::string_view operation;  // a literal ("send", "allreduce"); empty before the first call
    const char* file = nullptr;
    unsigned line = 0;
};

// Installs the SIGABRT and exit handlers that say which rank ended the process (once per process).
void install_exit_handlers();
// What the calling thread runs, as the handlers below report it (mark_rank_thread). Written at
// every switch between fiber ranks: initial-exec and constant-initialized, so reached with no
// call (the library may be built position-independent).
[[gnu::tls_model("initial-exec")]] extern constinit thread_local int current_rank_;
[[gnu::tls_model("initial-exec")]] extern constinit thread_local const std::string* current_replay;
[[gnu::tls_model("initial-exec")]] extern constinit thread_local const last_call_note* current_last_call;
[[gnu::tls_model("initial-exec")]] extern constinit thread_local bool has_alternate_stack;
void give_thread_an_alternate_stack();
// Marks the calling thread as running rank `rank` of a run replayed by `replay`, whose last call
// is `last` (if known). Inline: fibers call it at every switch (issue 17).
inline void mark_rank_thread(int rank, const std::string* replay, const last_call_note* last = nullptr) {
    if (rank >= 0 && !has_alternate_stack) [[unlikely]]
        give_thread_an_alternate_stack();
    current_rank_ = rank;
    current_replay = replay;
    current_last_call = last;
}
// In the process of a process rank (rank_context::process): running_rank() says `rank`, and the
// handlers above stay silent, as the engine's process reports how this one ended.
void mark_process_rank(int rank);
// The rank last marked on the calling thread (-1: none).
int current_rank() noexcept;

// A rank that faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL: a bad pointer, a stack overflow) would end
// the process with nothing said. While at least one run is active, handlers on an alternate
// signal stack (each marked thread gets one: an overflowed stack has no room left for a handler)
// name the rank and the replay command, then die of the same signal. Outside runs the program's
// own handlers are back. engine::run holds one of these for its duration; runs may nest.
// It also keeps the calling thread's mark from before the run: a rank may call sim::run itself,
// and when the nested run's ranks are done the thread is that rank's again (exit() and abort()
// in it are still reported as its own).
class active_run {
public:
    active_run();
    ~active_run();
    active_run(const active_run&) = delete;
    active_run& operator=(const active_run&) = delete;
    // This run's ranks no longer run on this thread: back to the mark from before the run.
    void ranks_done() noexcept;

private:
    int rank_before_;
    const std::string* replay_before_;
    const last_call_note* last_before_;
};

// Defined in fiber_contexts.cpp, called from the signal handler (so async-signal-safe: it only
// reads the calling thread's running fiber stacks): whether `address` is in the guard page below
// a fiber rank's stack on this thread; if so which rank's, and how big each rank's stack is.
bool in_fiber_guard_page(const void* address, int& rank, std::size_t& stack_bytes) noexcept;
// Defined in thread_contexts.cpp, likewise: whether `address` is just below the stack of the
// thread rank running on this thread (an overflow); if so how big that stack is.
bool in_thread_stack_overflow(const void* address, std::size_t& stack_bytes) noexcept;

// Fiber rank `rank` went below its stack of `stack_bytes` (fiber_contexts.cpp finds it when the
// rank switches, where no guard page stopped it). The memory there, maybe another rank's stack,
// is overwritten, so nothing can be unwound: says which rank and how to replay, then aborts.
[[noreturn]] void die_of_fiber_stack_overflow(int rank, std::size_t stack_bytes);

}  // namespace baton::sim::detail
