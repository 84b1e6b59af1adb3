#include "process_exit.hpp"

#include <baton/sim.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace baton::sim::detail {

namespace {

// initial-exec: read and written at every switch between fibers, so without a call to
// __tls_get_addr (the library may be built position-independent).
[[gnu::tls_model("initial-exec")]] thread_local int current_rank_ = -1;
[[gnu::tls_model("initial-exec")]] thread_local const std::string* current_replay = nullptr;

// A rank may call sim::run itself, and the nested run's end must give the thread back to the
// rank, not unmark it (exit() and abort() in the rank would then pass unreported). The engine only
// says which rank runs (its replay text tells the runs apart) and, as its run ends,
// mark_rank_thread(-1, nullptr); so a thread remembers, each time a run it was not running yet
// marks it, the mark it had before, and that run's end puts it back. Not covered: a run on thread
// ranks nested in a fiber rank leaves that rank unmarked until its next switch (telling it from
// the outer run's end needs the engine to save and restore the mark itself).
struct saved_mark {
    int rank;
    const std::string* replay;
    const std::string* by;  // the run whose first mark saved it
    bool whole_thread;      // the thread was made for that run's rank: it stays that rank's
};
thread_local std::vector<saved_mark> saved_marks;
// Set on the threads that made an engine (the engine's constructor installs the handlers): the
// ones a run's fibers may run on. A thread that never made one and gets marked is a thread rank.
thread_local bool made_a_run = false;
struct sigaction previous_abort_action;

// Only async-signal-safe calls from here on: write(2), no allocation.
void say(std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
        if (written <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

void say_rank(std::string_view what) {
    char digits[16];
    int n = 0, rank = current_rank_;
    do digits[n++] = static_cast<char>('0' + rank % 10); while ((rank /= 10) > 0);
    say("baton: rank ");
    while (n > 0) say(std::string_view(&digits[--n], 1));
    say(what);
    if (current_replay) {
        say("\n  replay: ");
        say(*current_replay);
    }
    say("\n");
}

void on_abort(int signal) {
    if (current_rank_ >= 0) say_rank(" aborted (SIGABRT: std::abort or a failed assert); the whole run ends here");
    sigaction(SIGABRT, &previous_abort_action, nullptr);
    std::raise(signal);
}

void on_exit() {
    if (current_rank_ < 0) return;
    // _Exit skips the flush exit() would do after this handler: without these, what the ranks
    // printed to a file or a pipe (not a terminal) would still be in the buffers, and lost.
    std::cout.flush();
    std::fflush(nullptr);
    say_rank(" called exit() before the run ended; the whole run ends here, as a failure");
    std::_Exit(1);
}

}  // namespace

void install_exit_handlers() {
    static std::once_flag installed;
    std::call_once(installed, [] {
        struct sigaction action {};
        action.sa_handler = on_abort;
        sigemptyset(&action.sa_mask);
        sigaction(SIGABRT, &action, &previous_abort_action);
        std::atexit(on_exit);
    });
    made_a_run = true;
}

int current_rank() noexcept { return current_rank_; }

void mark_rank_thread(int rank, const std::string* replay) {
    if (rank >= 0 && replay != current_replay) {
        saved_marks.push_back({current_rank_, current_replay, replay, !made_a_run});
    } else if (rank < 0) {
        // A run ends. If it marked this thread (its fibers ran here), back to the mark from before
        // it; if not (its ranks were threads of their own), the thread's mark is not its own.
        if (!saved_marks.empty() && saved_marks.back().by == current_replay && !saved_marks.back().whole_thread) {
            current_rank_ = saved_marks.back().rank;
            current_replay = saved_marks.back().replay;
            saved_marks.pop_back();
        }
        return;
    }
    current_rank_ = rank;
    current_replay = replay;
}

}  // namespace baton::sim::detail

namespace baton::sim {

int running_rank() noexcept { return detail::current_rank(); }

}  // namespace baton::sim
