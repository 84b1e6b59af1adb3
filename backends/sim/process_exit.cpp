#include "process_exit.hpp"
#include "strict_buffers.hpp"

#include <baton/sim.hpp>

#include <csignal>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <mutex>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

namespace baton::sim::detail {

constinit thread_local int current_rank_ = -1;
constinit thread_local const std::string* current_replay = nullptr;
constinit thread_local const last_call_note* current_last_call = nullptr;
constinit thread_local bool has_alternate_stack = false;

namespace {

struct sigaction previous_abort_action;
// In a process rank's process: its rank is marked, but what happens to it is not this process's
// to report (mark_process_rank).
bool reports_elsewhere = false;

// Only async-signal-safe calls from here on: write(2), no allocation.
void say(std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
        if (written <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

// A number in decimal or (`hex`, with 0x) hexadecimal, without allocating.
void say_number(std::uintptr_t value, bool hex = false) {
    char digits[24];
    int n = 0;
    const unsigned base = hex ? 16 : 10;
    do digits[n++] = "0123456789abcdef"[value % base]; while ((value /= base) > 0);
    if (hex) say("0x");
    while (n > 0) say(std::string_view(&digits[--n], 1));
}

// "baton: rank N", the start of every line said about the running rank.
void say_rank_start() {
    say("baton: rank ");
    say_number(static_cast<std::uintptr_t>(current_rank_));
}

// The end of every such report: its replay command.
void say_replay() {
    if (current_replay) {
        say("\n  replay: ");
        say(*current_replay);
    }
    say("\n");
}

// Where the running rank was: what it called last (it may be in that call still).
void say_last_call() {
    if (!current_last_call) return;
    if (current_last_call->operation.empty()) {
        say("\n  before its first baton call");
        return;
    }
    say("\n  its last baton call: ");
    say(current_last_call->operation);
    say(" at ");
    say(current_last_call->file ? current_last_call->file : "?");
    say(":");
    say_number(current_last_call->line);
}

void say_rank(std::string_view what) {
    say_rank_start();
    say(what);
    say_replay();
}

void on_abort(int signal) {
    if (current_rank_ >= 0 && !reports_elsewhere) say_rank(" aborted (SIGABRT: std::abort or a failed assert); the whole run ends here");
    sigaction(SIGABRT, &previous_abort_action, nullptr);
    std::raise(signal);
}

// What the ranks printed to a file or a pipe (not a terminal) may still be in the buffers: a
// process that ends without exit()'s own flush would lose it.
void flush_program_output() {
    std::cout.flush();
    std::fflush(nullptr);
}

void on_exit() {
    if (current_rank_ < 0 || reports_elsewhere) return;
    flush_program_output();  // _Exit skips the flush exit() would do after this handler
    say_rank(" called exit() before the run ended; the whole run ends here, as a failure");
    std::_Exit(1);
}

// ---- Fatal signals: a rank that faults --------------------------------------------------------

constexpr int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
constexpr std::string_view fatal_names[] = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL"};
struct sigaction previous_fatal_actions[std::size(fatal_signals)];
std::mutex active_runs_mutex;
int active_runs = 0;  // runs going on (nested, or in several threads): handlers while > 0

// This thread's alternate signal stack, made the first time it is marked as a rank: a stack that
// overflowed leaves no room for the handler's frame. Freed when the thread ends.
struct alternate_stack {
    void* memory = nullptr;
    std::size_t bytes = 0;
    ~alternate_stack() {
        if (!memory) return;
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, nullptr);
        ::munmap(memory, bytes);
    }
};
}  // namespace

void give_thread_an_alternate_stack() {
    has_alternate_stack = true;
    stack_t current{};
    // The program's own alternate stack, if it set one, serves as well: leave it.
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    thread_local alternate_stack mine;
    mine.bytes = 64 * 1024;  // the handler's few frames, with room for sanitizers' own
    void* memory = ::mmap(nullptr, mine.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;  // then a stack overflow dies unreported, as before
    mine.memory = memory;
    stack_t stack{};
    stack.ss_sp = memory;
    stack.ss_size = mine.bytes;
    sigaltstack(&stack, nullptr);
}

namespace {

void on_fatal_signal(int signal, siginfo_t* info, void* context) {
    if (strict_buffers::on_fault(signal, info, context)) return;  // --strict-buffers: a pending buffer touched
    std::size_t which = 0;
    while (fatal_signals[which] != signal) ++which;
    // Not a rank (the program's other threads, or between ranks): as if baton were not there. A
    // fault happens again on return, now for the program's handler; a sent signal is sent again.
    if (current_rank_ < 0 || reports_elsewhere) {
        sigaction(signal, &previous_fatal_actions[which], nullptr);
        if (info->si_code <= 0) std::raise(signal);
        return;
    }
    say_rank_start();
    say(" crashed (");
    say(fatal_names[which]);
    if (info->si_code > 0) {  // raised by the CPU, not sent with kill: it has a faulting address
        say(", address ");
        say_number(reinterpret_cast<std::uintptr_t>(info->si_addr), true);
    }
    say(")");
    int owner = -1;
    std::size_t stack_bytes = 0;
    if (signal == SIGSEGV && in_fiber_guard_page(info->si_addr, owner, stack_bytes)) {
        say(" in the guard page below ");
        if (owner == current_rank_) {
            say("its fiber stack");
        } else {
            say("rank ");
            say_number(static_cast<std::uintptr_t>(owner));
            say("'s fiber stack");
        }
        say(": a stack overflow; give ranks more stack with --fiber-stack BYTES (now ");
        say_number(stack_bytes);
        say(")");
    } else if (signal == SIGSEGV && in_thread_stack_overflow(info->si_addr, stack_bytes)) {
        // glibc gives new threads the stack size of RLIMIT_STACK, as read when the program started.
        say(" just below its thread's stack: a stack overflow; give thread ranks more stack with ulimit -s KIB "
            "before starting the program (now ");
        say_number(stack_bytes / 1024);
        say(" KiB), or run ranks as fibers with --context fiber --fiber-stack BYTES");
    }
    say("; the whole run ends here");
    say_last_call();
    say_replay();
    // Die of the same signal, so that the status (and a core dump) are what they would have been.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(signal, &default_action, nullptr);
    if (info->si_code <= 0) std::raise(signal);  // a fault happens again on return
}

}  // namespace

active_run::active_run()
    : rank_before_(current_rank_), replay_before_(current_replay), last_before_(current_last_call) {
    if (!has_alternate_stack) give_thread_an_alternate_stack();
    std::lock_guard lock(active_runs_mutex);
    if (active_runs++ > 0) return;
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(fatal_signals); ++i)
        sigaction(fatal_signals[i], &action, &previous_fatal_actions[i]);
}

void active_run::ranks_done() noexcept {
    current_rank_ = rank_before_;
    current_replay = replay_before_;
    current_last_call = last_before_;
}

active_run::~active_run() {
    ranks_done();
    std::lock_guard lock(active_runs_mutex);
    if (--active_runs > 0) return;
    for (std::size_t i = 0; i < std::size(fatal_signals); ++i)
        sigaction(fatal_signals[i], &previous_fatal_actions[i], nullptr);
}

void install_exit_handlers() {
    static std::once_flag installed;
    std::call_once(installed, [] {
        struct sigaction action {};
        action.sa_handler = on_abort;
        sigemptyset(&action.sa_mask);
        sigaction(SIGABRT, &action, &previous_abort_action);
        std::atexit(on_exit);
    });
}

void mark_process_rank(int rank) {
    reports_elsewhere = true;
    current_rank_ = rank;
    current_replay = nullptr;
    current_last_call = nullptr;
}

int current_rank() noexcept { return current_rank_; }

void die_of_fiber_stack_overflow(int rank, std::size_t stack_bytes) {
    flush_program_output();
    current_rank_ = rank;  // the rank that just switched away, for the report's first words
    say_rank_start();
    say(" overflowed its fiber stack of ");
    say_number(stack_bytes);
    say(" bytes: it went below it, into memory that may be another rank's stack; the whole run ends here\n"
        "  give ranks more stack with --fiber-stack BYTES");
    say_replay();
    current_rank_ = -1;  // on_abort: not a rank's own abort, nothing more to say
    std::abort();
}

}  // namespace baton::sim::detail

namespace baton::sim {

int running_rank() noexcept { return detail::current_rank(); }

}  // namespace baton::sim
