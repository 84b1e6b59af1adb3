// What a simulated rank computes between two calls, added to its clock (sim_clock.hpp): the CPU
// time it spent, read at engine::leaving and again at engine::entering.
#include <cmath>

#include "rank_table.hpp"
#include "sim_clock.hpp"
#include "thread_cpu_clock.hpp"

namespace baton::sim::detail {

void simulated_time::compute_in_process(int rank, pid_t pid) {
    if (!measuring_) return;
    if (cpu_clocks_.empty()) cpu_clocks_.assign(static_cast<std::size_t>(ranks_.size()), CLOCK_THREAD_CPUTIME_ID);
    clockid_t clock{};
    if (::clock_getcpuclockid(pid, &clock) == 0) cpu_clocks_[static_cast<std::size_t>(rank)] = clock;
}

void simulated_time::ranks_ended() {
    if (measuring_) thread_cpu_clock_unmark();
}

std::int64_t simulated_time::cpu_now(int rank) const {
    // Threads and fibers compute on the thread that calls this: between a rank's leaving and its
    // entering nothing else runs there (thread_cpu_clock.cpp reads it mostly without a system
    // call). A process rank's proxy runs here while its process computes.
    const clockid_t clock = cpu_clocks_.empty() ? CLOCK_THREAD_CPUTIME_ID : cpu_clocks_[static_cast<std::size_t>(rank)];
    return clock == CLOCK_THREAD_CPUTIME_ID ? thread_cpu_ns() : clock_ns(clock);
}

void simulated_time::cpu_mark(int rank) { ranks_[rank].clock.cpu_left = cpu_now(rank); }

void simulated_time::add_computing(int rank) {
    auto& clock = ranks_[rank].clock;
    if (clock.cpu_left < 0) return;
    const std::int64_t spent_ns = std::max<std::int64_t>(0, cpu_now(rank) - clock.cpu_left);
    const auto spent = static_cast<sim_time>(std::llround(static_cast<double>(spent_ns) * 1000.0 * cpu_scale_));
    clock.now += spent;
    clock.computing += spent;
}

}  // namespace baton::sim::detail
