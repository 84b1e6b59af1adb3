#include "current_call.hpp"

#include <atomic>
#include <memory>

#include <fmt/format.h>
#include <mpi.h>

#include "../common/watchdog.hpp"

namespace baton::mpi::detail {

namespace {

// Written by the rank's thread, read by the watchdog's: each field atomic, and a report built
// while a call begins may mix two calls' fields (an operation with another's line), which is
// harmless for a last word; each field alone is always whole.
struct call_note {
    std::atomic<const char*> operation{nullptr};  // a literal
    std::atomic<const char*> file{nullptr};
    std::atomic<unsigned> line{0};
    std::atomic<bool> inside{false};
};

call_note note;
int depth = 0;  // only the thread that called baton::run makes baton calls on MPI
int rank = -1, size = 0;
std::unique_ptr<baton::detail::watch> watching;
double started = 0;

double profile_now() { return MPI_Wtime() - started; }

std::string describe(const std::string& headline) {
    const char* operation = note.operation.load(std::memory_order_acquire);
    const std::string call =
        operation ? fmt::format("{} at {}:{}", operation, note.file.load(), note.line.load())
                  : "";
    std::string state;
    if (!operation)
        state = "running its own code, before its first baton call";
    else if (note.inside.load(std::memory_order_acquire))
        state = "in " + call;
    else
        state = "running its own code, after its last baton call, " + call;
    return fmt::format("{}\n  rank {} of {} (MPI): {}", headline, rank, size, state);
}

}  // namespace

baton::detail::profile_recorder* profiling = nullptr;

void record_profile(baton::detail::profile_recorder* recorder, double start) noexcept {
    profiling = recorder;
    started = start;
}

double profile_start() noexcept { return started; }

void add_profile_bytes(const char* operation, const backend::location& where, std::size_t sent, std::size_t received) {
    profiling->moved(0, operation, where, sent, received);
}

current_call::current_call(const char* operation, const backend::location& where, profiled_call counted) noexcept
    : outermost_(depth++ == 0) {
    if (!outermost_) return;
    note.file.store(where.file_name(), std::memory_order_relaxed);
    note.line.store(where.line(), std::memory_order_relaxed);
    note.operation.store(operation, std::memory_order_release);
    note.inside.store(true, std::memory_order_release);
    if (watching) watching->entering();
    if (profiling && counted) [[unlikely]]
        profiling->began(0, operation, where, profile_now());
}

current_call::~current_call() {
    --depth;
    if (!outermost_) return;
    note.inside.store(false, std::memory_order_release);
    if (profiling) [[unlikely]]
        profiling->ended(0, profile_now());
    if (watching) watching->leaving();
}

watched_rank::watched_rank(int world_rank, int world_size, unsigned rank_timeout_seconds) {
    rank = world_rank;
    size = world_size;
    watching = std::make_unique<baton::detail::watch>(rank_timeout_seconds, false, describe);
    watching->running(world_rank);
}

watched_rank::~watched_rank() { watching.reset(); }

}  // namespace baton::mpi::detail
