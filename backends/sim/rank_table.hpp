// Each rank as the kernel (engine) runs it: whether it can run, what it is blocked on, whether it
// has finished. The kernel writes it; the checker only reads it, to find and describe the ranks
// that are stuck.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <source_location>
#include <type_traits>
#include <vector>

#include "blocker.hpp"
#include "contexts.hpp"
#include "sim_clock.hpp"

namespace baton::sim::detail {

enum class rank_state : std::uint8_t { runnable, blocked, finished };

// What a rank keeps of its own (on fibers, in its room: the rank's own calls find it in the page
// they run on). Its state is not here but in rank_table's dense array: waking every rank of a
// collective, or a walk over all ranks, reads and writes states only, and at 100 000 ranks and
// more a state in each rank's room was a cache and TLB miss per rank (issue 17).
struct rank_slot {
    const blocker* waiting = nullptr;  // while blocked
    std::source_location waiting_at;   // the call it is blocked in
    int calls_entered = 0;             // engine::entering() less leaving()
    rank_clock clock;                  // its simulated time (sim_clock.hpp)
};

struct rank_table {
    rank_table() = default;
    rank_table(const rank_table&) = delete;
    rank_table& operator=(const rank_table&) = delete;

    // Room for `ranks` ranks, made once: each rank's slot in its room (contexts.hpp) when `rooms`
    // has them, where the rank's own calls find it, else in a table of its own.
    void make_room(int ranks, const rank_rooms& rooms = {}) {
        static_assert(std::is_trivially_destructible_v<rank_slot> && alignof(rank_slot) <= 64);
        count_ = ranks;
        states_.assign(static_cast<std::size_t>(ranks), rank_state::runnable);
        if (rooms.base && rooms.bytes >= sizeof(rank_slot)) {
            rooms_ = rooms;
            for (int r = 0; r < ranks; ++r) new (rooms_.of(r)) rank_slot();
        } else {
            own_.resize(static_cast<std::size_t>(ranks));
            rooms_ = {reinterpret_cast<std::byte*>(own_.data()), sizeof(rank_slot), sizeof(rank_slot)};
        }
    }
    rank_slot& operator[](int rank) { return *std::launder(reinterpret_cast<rank_slot*>(rooms_.of(rank))); }
    const rank_slot& operator[](int rank) const {
        return *std::launder(reinterpret_cast<const rank_slot*>(rooms_.of(rank)));
    }
    int size() const { return count_; }
    rank_state& state(int rank) { return states_[static_cast<std::size_t>(rank)]; }
    rank_state state(int rank) const { return states_[static_cast<std::size_t>(rank)]; }
    bool blocked(int rank) const { return state(rank) == rank_state::blocked; }
    bool finished(int rank) const { return state(rank) == rank_state::finished; }

    int started = 0;   // contexts created: ranks 0 to started - 1
    int ended = 0;     // ranks whose body has returned or unwound

private:
    rank_rooms rooms_;             // where each rank's slot is: in the rank's room, or in own_
    std::vector<rank_slot> own_;   // without rooms (thread ranks)
    std::vector<rank_state> states_;  // by rank, dense (see rank_slot)
    int count_ = 0;
};

// simulated_time's (sim_clock.hpp) that reach a rank's clock, in its slot.
inline sim_time simulated_time::now(int rank) const { return ranks_[rank].clock.now; }

inline void simulated_time::reach(int rank, sim_time t) {
    auto& clock = ranks_[rank].clock;
    clock.now = std::max(clock.now, t);
}

inline sent_timing simulated_time::send(int rank, int to, std::size_t bytes, bool rendezvous) {
    auto& clock = ranks_[rank].clock;
    const network_model& net = between(rank, to);
    const sim_time inject = std::max(clock.now, clock.next_inject);
    clock.next_inject = inject + net.gap;
    clock.now = inject + net.overhead;
    return {clock.now, bytes, rendezvous, &net};
}

}  // namespace baton::sim::detail
