#include "process_exit.hpp"

#include <baton/sim.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>

#include <unistd.h>

namespace baton::sim::detail {

namespace {

// initial-exec: read and written at every switch between fibers, so without a call to
// __tls_get_addr (the library may be built position-independent).
[[gnu::tls_model("initial-exec")]] thread_local int current_rank_ = -1;
[[gnu::tls_model("initial-exec")]] thread_local const std::string* current_replay = nullptr;
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
}

int current_rank() noexcept { return current_rank_; }

void mark_rank_thread(int rank, const std::string* replay) {
    current_rank_ = rank;
    current_replay = replay;
}

}  // namespace baton::sim::detail

namespace baton::sim {

int running_rank() noexcept { return detail::current_rank(); }

}  // namespace baton::sim
