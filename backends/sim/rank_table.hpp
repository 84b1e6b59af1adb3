// Each rank as the kernel (engine) runs it: whether it can run, what it is blocked on, whether it
// has finished. The kernel writes it; the checker only reads it, to find and describe the ranks
// that are stuck.
#pragma once

#include <cstddef>
#include <source_location>
#include <vector>

#include "blocker.hpp"
#include "sim_clock.hpp"

namespace baton::sim::detail {

enum class rank_state { runnable, blocked, finished };

struct rank_slot {
    rank_state state = rank_state::runnable;
    const blocker* waiting = nullptr;  // while blocked
    std::source_location waiting_at;   // the call it is blocked in
    int calls_entered = 0;             // engine::entering() less leaving()
    rank_clock clock;                  // its simulated time (sim_clock.hpp)
};

struct rank_table {
    rank_table() = default;
    explicit rank_table(int ranks) : slots(static_cast<std::size_t>(ranks)) {}
    rank_slot& operator[](int rank) { return slots[static_cast<std::size_t>(rank)]; }
    const rank_slot& operator[](int rank) const { return slots[static_cast<std::size_t>(rank)]; }
    int size() const { return static_cast<int>(slots.size()); }
    bool blocked(int rank) const { return (*this)[rank].state == rank_state::blocked; }
    bool finished(int rank) const { return (*this)[rank].state == rank_state::finished; }

    std::vector<rank_slot> slots;  // by world rank
    int started = 0;   // contexts created: ranks 0 to started - 1
    int ended = 0;     // ranks whose body has returned or unwound
};

}  // namespace baton::sim::detail
