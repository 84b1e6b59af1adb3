#include <baton/clock.hpp>

#include <chrono>
#include <utility>

namespace baton {

namespace {

thread_local detail::clock_impl* current_clock = nullptr;

}  // namespace

detail::clock_impl* detail::use_clock(clock_impl* clock) noexcept { return std::exchange(current_clock, clock); }

double wtime() {
    if (current_clock) return current_clock->now();
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double wtick() {
    if (current_clock) return current_clock->tick();
    return std::chrono::duration<double>(std::chrono::steady_clock::duration(1)).count();
}

}  // namespace baton
