#include "current_call.hpp"

#include <atomic>
#include <memory>

#include <fmt/format.h>
#include <mpi.h>

#include "../common/watchdog.hpp"

namespace baton::mpi::detail {

namespace {

int rank = -1, size = 0;
double started = 0;

double profile_now() { return MPI_Wtime() - started; }

std::string describe(const std::string& headline) {
    const char* operation = note.operation.load(std::memory_order_acquire);
    const std::source_location where = note.where.load(std::memory_order_relaxed);
    const std::string call = operation ? fmt::format("{} at {}:{}", operation, where.file_name(), where.line()) : "";
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

call_note note;
baton::detail::watch* watching = nullptr;
unsigned hooks = 0;
baton::detail::profile_recorder* profiling = nullptr;

void record_profile(baton::detail::profile_recorder* recorder, double start) noexcept {
    profiling = recorder;
    set_hook(profile_hook, recorder != nullptr);
    started = start;
}

double profile_start() noexcept { return started; }

void add_profile_bytes(const char* operation, const backend::location& where, std::size_t sent, std::size_t received) {
    profiling->moved(0, operation, where, sent, received);
}

void profile_began(const char* operation, const backend::location& where) {
    profiling->began(0, operation, where, profile_now());
}

void profile_ended() { profiling->ended(0, profile_now()); }

watched_rank::watched_rank(int world_rank, int world_size, unsigned rank_timeout_seconds) {
    rank = world_rank;
    size = world_size;
    watch_ = std::make_unique<baton::detail::watch>(rank_timeout_seconds, false, describe);
    watch_->running(world_rank);
    if (rank_timeout_seconds > 0) watching = watch_.get();
    set_hook(watch_hook, watching != nullptr);
}

watched_rank::~watched_rank() {
    watching = nullptr;
    set_hook(watch_hook, false);
}

}  // namespace baton::mpi::detail
