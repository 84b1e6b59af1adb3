#include "watchdog.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sanitizers.hpp"

// The watchdog reads a run's state from its own thread while the running rank runs its own code;
// ThreadSanitizer is told to ignore those reads (see describe_from_outside).
#ifdef BATON_TSAN
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace baton::detail {

namespace {

constexpr int stop_signals[] = {SIGINT, SIGTERM};

// The write end of the pipe the signal handlers wake the watchdog through (-1: no watchdog yet).
volatile std::sig_atomic_t wake_fd = -1;
volatile std::sig_atomic_t stop_signals_seen = 0;

void on_stop_signal(int signal) {
    // A second Ctrl-C, or no watchdog to report: die at once, as without baton.
    if (++stop_signals_seen > 1 || wake_fd < 0) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        return;
    }
    const unsigned char which = static_cast<unsigned char>(signal);
    [[maybe_unused]] const ssize_t written = ::write(wake_fd, &which, 1);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void say(const std::string& text) {
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

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
        if (watches_.empty()) install_handlers();
        watches_.push_back(&w);
        if (!started_) start();
    }

    void remove(watch& w) {
        std::lock_guard lock(mutex_);
        watches_.erase(std::find(watches_.begin(), watches_.end(), &w));
        if (watches_.empty()) restore_handlers();
        cv_.notify_all();
    }

    [[noreturn]] void stop_here(watch& w) {
        std::unique_lock lock(mutex_);
        const std::string headline = headline_;
        lock.unlock();
        std::string text;
        try {
            text = w.describe_(headline);
        } catch (...) {
            text = headline;
        }
        lock.lock();
        w.report_ = std::move(text);
        w.reported_ = true;
        cv_.notify_all();
        // The watchdog ends the process; this rank waits here for that, holding nothing.
        for (;;) cv_.wait(lock);
    }

private:
    void start() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return;  // then the signals end the process as before
        ::fcntl(fds[1], F_SETFL, O_NONBLOCK);     // a handler must never block
        read_fd_ = fds[0];
        wake_fd = fds[1];
        started_ = true;
        std::thread([this] { loop(); }).detach();
    }

    void install_handlers() {
        for (std::size_t i = 0; i < std::size(stop_signals); ++i) {
            struct sigaction current {};
            installed_[i] = false;
            if (sigaction(stop_signals[i], nullptr, &current) != 0) continue;
            // Only over the default action: the program's own handler, or SIG_IGN (nohup), stays.
            if ((current.sa_flags & SA_SIGINFO) || current.sa_handler != SIG_DFL) continue;
            struct sigaction mine {};
            mine.sa_handler = on_stop_signal;
            mine.sa_flags = SA_RESTART;  // the program's system calls go on undisturbed
            sigemptyset(&mine.sa_mask);
            installed_[i] = sigaction(stop_signals[i], &mine, &previous_[i]) == 0;
        }
    }

    void restore_handlers() {
        for (std::size_t i = 0; i < std::size(stop_signals); ++i)
            if (installed_[i]) sigaction(stop_signals[i], &previous_[i], nullptr);
    }

    void loop() {
        for (;;) {
            pollfd wake{read_fd_, POLLIN, 0};
            const int woken = ::poll(&wake, 1, sampling_interval_ms());
            unsigned char signal = 0;
            if (woken > 0 && ::read(read_fd_, &signal, 1) == 1) stop_for_signal(signal);
            check_timeouts();
        }
    }

    // Often enough that a timeout fires within a quarter of itself (at least every second).
    int sampling_interval_ms() {
        std::lock_guard lock(mutex_);
        int interval = -1;
        for (const watch* w : watches_)
            if (w->timeout_ > 0) {
                const int quarter = static_cast<int>(std::clamp<unsigned>(w->timeout_ * 250, 10, 1000));
                interval = interval < 0 ? quarter : std::min(interval, quarter);
            }
        return interval;
    }

    // The report of a run whose running rank runs its own code: its state does not change while
    // read, unless the rank makes a call meanwhile; then the report may be torn and is dropped
    // (nullopt). The reads race with nothing else, so ThreadSanitizer is told to ignore them.
    static std::optional<std::string> describe_from_outside(const watch& w, const std::string& headline) {
        const std::uint64_t before = w.progress_.load(std::memory_order_acquire);
        std::optional<std::string> text;
#ifdef BATON_TSAN
        AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
        try {
            text = w.describe_(headline);
        } catch (...) {
            text = headline;
        }
#ifdef BATON_TSAN
        AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
        if (w.progress_.load(std::memory_order_acquire) != before) return std::nullopt;
        return text;
    }

    // A run started after `w` and still going: perhaps nested in `w` (a rank of `w` runs it, and
    // makes no call of `w`'s meanwhile), which is watched on its own. (Or a run on another
    // thread: then `w`'s timeout waits for it to end, which is late but never wrong.)
    bool newer_run_than(const watch& w) const { return watches_.back() != &w; }

    // SIGINT or SIGTERM: every run says where its ranks are, then the process dies of the signal.
    void stop_for_signal(int signal) {
        std::unique_lock lock(mutex_);
        headline_ = signal == SIGINT ? "interrupted by SIGINT (Ctrl-C)"
                                     : "terminated by SIGTERM (sent by a launcher, a job scheduler or kill)";
        stopping_ = true;
        for (watch* w : watches_) w->stop_.store(true, std::memory_order_relaxed);
        // The running ranks report at their next baton call, where the state is consistent. One
        // that does not come within a second runs its own code: its run is read from here.
        std::vector<std::string> reports;
        for (int attempt = 0; attempt < 10; ++attempt) {
            cv_.wait_for(lock, std::chrono::milliseconds(attempt == 0 ? 1000 : 100), [&] {
                return std::all_of(watches_.begin(), watches_.end(), [](const watch* w) {
                    return w->reported_ || !w->reports_itself_ || w->running_.load(std::memory_order_acquire) < 0;
                });
            });
            reports.clear();
            bool torn = false;
            for (const watch* w : watches_) {
                if (w->reported_) {
                    reports.push_back(w->report_);
                } else if (auto text = describe_from_outside(*w, headline_)) {
                    reports.push_back(std::move(*text));
                } else {
                    torn = true;
                }
            }
            if (!torn) break;
        }
        if (watches_.empty()) reports.push_back(headline_ + " between two runs");
        for (const auto& report : reports) say("baton: " + report + '\n');
        std::fflush(nullptr);  // what the ranks printed to a file or a pipe
        std::signal(signal, SIG_DFL);
        std::raise(signal);
        std::_Exit(128 + signal);
    }

    // A rank that has run its own code for longer than its run's timeout ends the process.
    void check_timeouts() {
        std::lock_guard lock(mutex_);
        const std::int64_t now = now_ms();
        for (watch* w : watches_) {
            if (w->timeout_ == 0) continue;
            const std::uint64_t progress = w->progress_.load(std::memory_order_acquire);
            const int rank = w->running_.load(std::memory_order_acquire);
            // A rank blocked in a call, or running a nested run (watched on its own), is not stuck.
            if (progress != w->seen_progress_ || rank < 0 || w->in_call_.load(std::memory_order_acquire) ||
                newer_run_than(*w)) {
                w->seen_progress_ = progress;
                w->quiet_since_ms_ = now;
                continue;
            }
            const std::int64_t quiet_ms = now - w->quiet_since_ms_;
            if (quiet_ms < static_cast<std::int64_t>(w->timeout_) * 1000) continue;
            const auto report = describe_from_outside(
                *w, fmt::format("rank {} has run its own code for {} s without calling baton: an endless loop? (rank "
                                "timeout {} s, from --rank-timeout or BATON_RANK_TIMEOUT: raise it for longer work); "
                                "the run ends here, as a failure",
                                rank, quiet_ms / 1000, w->timeout_));
            if (!report) continue;  // it made a call just now: not stuck after all
            say("baton: " + *report + '\n');
            std::fflush(nullptr);
            std::_Exit(1);
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<watch*> watches_;
    bool started_ = false;
    int read_fd_ = -1;
    bool installed_[std::size(stop_signals)] = {};
    struct sigaction previous_[std::size(stop_signals)] = {};
    bool stopping_ = false;
    std::string headline_;
};

watch::watch(unsigned rank_timeout_seconds, bool reports_itself, describe_fn describe)
    : timeout_(rank_timeout_seconds), reports_itself_(reports_itself), describe_(std::move(describe)) {
    watchdog::get().add(*this);
}

watch::~watch() { watchdog::get().remove(*this); }

void watch::stop_here() { watchdog::get().stop_here(*this); }

}  // namespace baton::detail
