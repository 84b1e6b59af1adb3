#include "watchdog.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

namespace baton::detail {

namespace {

constexpr int stop_signals[] = {SIGINT, SIGTERM};

// The write end of the pipe that wakes the watchdog (-1: no watchdog). A byte 0 says "a watch
// came"; another byte is the number of the signal that arrived.
volatile std::sig_atomic_t wake_fd = -1;
std::atomic<int> stop_signals_seen{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

void wake(unsigned char why) {
    const int saved = errno;
    [[maybe_unused]] const ssize_t written = ::write(wake_fd, &why, 1);
    errno = saved;
}

void on_stop_signal(int signal) {
    // A second Ctrl-C, or no watchdog to report: die at once, as without baton.
    if (stop_signals_seen.fetch_add(1) > 0 || wake_fd < 0) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    wake(static_cast<unsigned char>(signal));
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void say(const std::string& text) {
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

long membarrier(int command) { return ::syscall(SYS_membarrier, command, 0, 0); }

}  // namespace

// The watchdog's state: created with the first watch and never destroyed, as its thread runs
// until the process ends (and may wake during static destruction).
class watchdog {
public:
    static watchdog& get() {
        static watchdog* const only = new watchdog;
        return *only;
    }

    void add(watch& w) {
        std::lock_guard lock(mutex_);
        w.quiet_since_ms_ = now_ms();
        if (stopping_) w.stop_.store(true, std::memory_order_relaxed);
        if (!handlers_wanted()) install_handlers();
        watches_.push_back(&w);
        if (!started_)
            start();
        else if (w.timeout_ > 0)
            wake(0);  // it may sleep without a timeout to sample: let it count this one's
    }

    void remove(watch& w) {
        std::lock_guard lock(mutex_);
        // Not there in a child process forked during the run (see forked).
        if (const auto it = std::find(watches_.begin(), watches_.end(), &w); it != watches_.end()) watches_.erase(it);
        if (!handlers_wanted()) restore_handlers();
        cv_.notify_all();
    }

    // The SIGINT and SIGTERM handlers stay installed while a watch or a handlers_kept exists.
    bool handlers_wanted() const { return !watches_.empty() || kept_ > 0; }
    // See handlers_kept in watchdog.hpp.
    void keep_handlers() {
        std::lock_guard lock(mutex_);
        if (!handlers_wanted()) install_handlers();
        ++kept_;
    }
    void release_handlers() {
        std::lock_guard lock(mutex_);
        if (kept_ == 0) return;  // kept in the parent of this forked process: not here
        --kept_;
        if (!handlers_wanted()) restore_handlers();
    }

    // What a debugger's `baton ranks` shows (baton_debug_ranks): the state of every run, built on
    // the thread the debugger calls in while it holds the process stopped, so nothing changes
    // meanwhile. Never waits: a process stopped inside the watchdog says so instead.
    std::string for_debugger() {
        std::unique_lock lock(mutex_, std::try_to_lock);
        if (!lock) return "baton: the process stopped inside baton's watchdog; step on a little, then ask again";
        if (watches_.empty()) return "baton: no run is going on in this process";
        std::string text;
        for (const watch* w : watches_) text += report_of(*w, "baton: the ranks, as the run stands") + '\n';
        return text;
    }

    [[noreturn]] void stop_here(watch& w) {
        std::unique_lock lock(mutex_);
        const std::string headline = headline_;
        lock.unlock();
        std::string text = report_of(w, headline);
        lock.lock();
        w.report_ = std::move(text);
        w.reported_ = true;
        cv_.notify_all();
        // The watchdog ends the process; this rank waits here for that, holding nothing.
        for (;;) cv_.wait(lock);
    }

private:
    // `w`'s report under `headline`; the headline alone, with why, if it cannot be made.
    static std::string report_of(const watch& w, const std::string& headline) {
        try {
            return w.describe_(headline);
        } catch (const std::exception& e) {
            return headline + "\n  (the state of the ranks could not be described: " + e.what() + ")";
        }
    }

    void start() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return;  // then the signals end the process as before
        ::fcntl(fds[1], F_SETFL, O_NONBLOCK);     // a handler must never block
        read_fd_ = fds[0];
        wake_fd = fds[1];
        started_ = true;
        // membarrier(2)'s fast form needs registering once (Linux 4.14); the slow one does not.
        fast_barrier_ = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
        static std::once_flag fork_handlers;
        std::call_once(fork_handlers, [] {
            pthread_atfork([] { get().mutex_.lock(); }, [] { get().mutex_.unlock(); }, [] { get().forked(); });
        });
        // Its thread takes no signals: the program's handlers run on the program's threads, and
        // the one it raises at the end is unblocked then.
        sigset_t all, before;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &before);
        std::thread([this] {
            thread_started_.release();
            loop();
        }).detach();
        pthread_sigmask(SIG_SETMASK, &before, nullptr);
        // Back only once the thread has started: the simulator forks a process per rank right
        // after the first watch, and a fork while this thread is still starting (allocating) can
        // leave the child's allocator locked for ever. glibc's malloc is locked across a fork, but
        // AddressSanitizer's allocator (clang 16) is not: a process rank hung in a malloc in about
        // one fresh process in 300 (tests/core/process_ranks.cpp, "the first run of a fresh
        // process ..."). From its loop on, this thread allocates only to report.
        thread_started_.acquire();
    }

    // In a child process forked while watches existed: it has none of them and no watchdog thread
    // (fork copies only the calling thread); signals sent to it are its own again.
    void forked() {
        restore_handlers();
        watches_.clear();
        kept_ = 0;
        if (read_fd_ >= 0) ::close(read_fd_);
        if (wake_fd >= 0) ::close(wake_fd);
        read_fd_ = -1;
        wake_fd = -1;
        started_ = false;
        stopping_ = false;
        stop_signals_seen.store(0);
        mutex_.unlock();
    }

    void install_handlers() {
        for (std::size_t i = 0; i < std::size(stop_signals); ++i) {
            struct sigaction current {};
            installed_[i] = false;
            if (sigaction(stop_signals[i], nullptr, &current) != 0) continue;
            // Only over the default action: the program's own handler, or SIG_IGN, stays.
            if ((current.sa_flags & SA_SIGINFO) || current.sa_handler != SIG_DFL) continue;
            struct sigaction mine {};
            mine.sa_handler = on_stop_signal;
            mine.sa_flags = SA_RESTART;  // the program's system calls go on undisturbed
            sigemptyset(&mine.sa_mask);
            installed_[i] = sigaction(stop_signals[i], &mine, &previous_[i]) == 0;
        }
    }

    // Back to what was there, unless the program has set a handler of its own meanwhile.
    void restore_handlers() {
        for (std::size_t i = 0; i < std::size(stop_signals); ++i) {
            struct sigaction current {};
            if (installed_[i] && sigaction(stop_signals[i], nullptr, &current) == 0 &&
                !(current.sa_flags & SA_SIGINFO) && current.sa_handler == on_stop_signal)
                sigaction(stop_signals[i], &previous_[i], nullptr);
            installed_[i] = false;
        }
    }

    void loop() {
        for (;;) {
            pollfd woken{read_fd_, POLLIN, 0};
            unsigned char why = 0;
            if (::poll(&woken, 1, sampling_interval_ms()) > 0 && ::read(read_fd_, &why, 1) == 1 && why != 0)
                stop_for_signal(why);
            check_timeouts();
        }
    }

    // Often enough that a timeout fires within a quarter of itself (at least every second).
    int sampling_interval_ms() {
        std::lock_guard lock(mutex_);
        std::int64_t interval = -1;
        for (const watch* w : watches_)
            if (w->timeout_ > 0) {
                const std::int64_t quarter = std::clamp<std::int64_t>(std::int64_t{w->timeout_} * 250, 10, 1000);
                interval = interval < 0 ? quarter : std::min(interval, quarter);
            }
        return static_cast<int>(interval);
    }

    // Every thread of the process executes a full memory barrier before this returns.
    void barrier_everywhere() const {
        if (fast_barrier_ && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
        if (membarrier(MEMBARRIER_CMD_GLOBAL) == 0) return;
        // No membarrier (a kernel before 4.3, or a sandbox without it): a context switch is a
        // barrier too, and the running rank has surely had one in this much time.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    // `w`'s report if it can be read now (see watchdog.hpp): its running rank is in its own code,
    // and stops at its next call. nullopt while it is inside a call.
    std::optional<std::string> read_from_outside(watch& w) {
        if (w.reports_itself_) {
            w.stop_.store(true);
            barrier_everywhere();
            if (w.running_.load(std::memory_order_acquire) < 0 || w.inside_.load(std::memory_order_acquire))
                return std::nullopt;
        }
        return report_of(w, headline_);
    }

    // Each watch's report under headline_: made by its rank at its next call, or read from here
    // while the rank runs its own code. A rank that stays inside one call (a long copy, or MPI)
    // is waited for a few seconds, then the report says only the headline.
    std::vector<std::string> collect_reports(std::unique_lock<std::mutex>& lock, const std::vector<watch*>& which) {
        std::vector<std::optional<std::string>> reports(which.size());
        for (int attempt = 0; attempt < 100; ++attempt) {
            bool missing = false;
            for (std::size_t i = 0; i < which.size(); ++i) {
                if (reports[i]) continue;
                watch* w = which[i];
                if (std::find(watches_.begin(), watches_.end(), w) == watches_.end())
                    reports[i] = headline_ + "\n  (its run ended meanwhile)";
                else if (w->reported_)
                    reports[i] = w->report_;
                else
                    reports[i] = read_from_outside(*w);
                missing = missing || !reports[i];
            }
            if (!missing) break;
            cv_.wait_for(lock, std::chrono::milliseconds(50));
        }
        std::vector<std::string> texts;
        for (auto& report : reports)
            texts.push_back(report ? std::move(*report)
                                   : headline_ + "\n  (the running rank stayed inside one baton call: its state "
                                                 "could not be read)");
        return texts;
    }

    // SIGINT or SIGTERM: every run says where its ranks are, then the process dies of the signal.
    void stop_for_signal(int signal) {
        std::unique_lock lock(mutex_);
        headline_ = signal == SIGINT ? "interrupted by SIGINT (Ctrl-C)"
                                     : "terminated by SIGTERM (sent by a launcher, a job scheduler or kill)";
        stopping_ = true;
        for (watch* w : watches_) w->stop_.store(true);
        const std::vector<watch*> which = watches_;
        std::vector<std::string> reports = collect_reports(lock, which);
        if (which.empty()) reports.push_back(headline_ + " between two runs");
        for (const auto& report : reports) say("baton: " + report + '\n');
        std::fflush(nullptr);  // what the ranks printed to a file or a pipe
        sigset_t just_this;
        sigemptyset(&just_this);
        sigaddset(&just_this, signal);
        std::signal(signal, SIG_DFL);
        pthread_sigmask(SIG_UNBLOCK, &just_this, nullptr);
        std::raise(signal);
        std::_Exit(128 + signal);
    }

    // A rank that has run its own code for longer than its run's timeout ends the process.
    void check_timeouts() {
        std::unique_lock lock(mutex_);
        const std::int64_t now = now_ms();
        // A gap much longer than the sampling interval: the process was stopped (a debugger, or
        // Ctrl-Z). That time was not the rank's: count afresh.
        const bool was_stopped = last_sample_ms_ != 0 && now - last_sample_ms_ > 5000;
        last_sample_ms_ = now;
        for (watch* w : watches_) {
            if (w->timeout_ == 0) continue;
            const std::uint64_t progress = w->progress_.load(std::memory_order_acquire);
            const int rank = w->running_.load(std::memory_order_acquire);
            // A rank blocked in a call, or running a run started after this one (perhaps nested
            // in it, and watched on its own), is not stuck in its own code.
            if (was_stopped || progress != w->seen_progress_ || rank < 0 ||
                w->inside_.load(std::memory_order_acquire) || watches_.back() != w) {
                w->seen_progress_ = progress;
                w->quiet_since_ms_ = now;
                continue;
            }
            const std::int64_t quiet_ms = now - w->quiet_since_ms_;
            if (quiet_ms < std::int64_t{w->timeout_} * 1000) continue;
            headline_ = fmt::format(
                "rank {} has run its own code for {} s without calling baton: an endless loop? (rank timeout {} s, "
                "from --rank-timeout or BATON_RANK_TIMEOUT: raise it for longer work); the run ends here, as a "
                "failure",
                rank, quiet_ms / 1000, w->timeout_);
            stopping_ = true;
            say("baton: " + collect_reports(lock, {w}).front() + '\n');
            std::fflush(nullptr);
            std::_Exit(1);
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<watch*> watches_;  // in the order they came
    int kept_ = 0;                 // handlers_kept alive: the handlers stay while there is one
    bool started_ = false;
    std::binary_semaphore thread_started_{0};  // start() waits on it (see there)
    bool fast_barrier_ = false;
    int read_fd_ = -1;
    bool installed_[std::size(stop_signals)] = {};
    struct sigaction previous_[std::size(stop_signals)] = {};
    bool stopping_ = false;
    std::string headline_;
    std::int64_t last_sample_ms_ = 0;
};

watch::watch(unsigned rank_timeout_seconds, bool reports_itself, describe_fn describe)
    : timeout_(rank_timeout_seconds), reports_itself_(reports_itself), describe_(std::move(describe)) {
    watchdog::get().add(*this);
}

watch::~watch() { watchdog::get().remove(*this); }

void watch::stop_here() { watchdog::get().stop_here(*this); }

handlers_kept::handlers_kept() { watchdog::get().keep_handlers(); }
handlers_kept::~handlers_kept() { watchdog::get().release_handlers(); }

}  // namespace baton::detail

// For a debugger (tools/gdb/baton_gdb.py's `baton ranks`): gdb calls it in the stopped program.
// The text stays until the next call.
extern "C" [[gnu::used]] const char* baton_debug_ranks() {
    static std::string text;
    text = baton::detail::watchdog::get().for_debugger();
    return text.c_str();
}

// The gdb commands themselves, inline in this object's .debug_gdb_scripts section: every program
// linked with baton carries them, and gdb loads them where its auto-load safe-path allows.
#include "baton_gdb_section.h"
