#include "current_call.hpp"

#include <atomic>
#include <memory>

#include <fmt/format.h>

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

current_call::current_call(const char* operation, const backend::location& where) noexcept
    : outermost_(depth++ == 0) {
    if (!outermost_) return;
    note.file.store(where.file_name(), std::memory_order_relaxed);
    note.line.store(where.line(), std::memory_order_relaxed);
    note.operation.store(operation, std::memory_order_release);
    note.inside.store(true, std::memory_order_release);
    if (watching) watching->entering();
}

current_call::~current_call() {
    --depth;
    if (!outermost_) return;
    note.inside.store(false, std::memory_order_release);
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
