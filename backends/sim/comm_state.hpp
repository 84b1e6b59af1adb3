// What the ranks of one simulated communicator share: its members, their mailboxes and the
// collectives under way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <baton/backend.hpp>
#include <baton/findings.hpp>

#include "collective.hpp"
#include "mailbox.hpp"

namespace baton::sim::detail {

class engine;

// A communicator's name, shared by the communicator and the reports that mention it (each rank's
// last few calls, see history.hpp), which may outlive it. Counted without atomics: like all
// engine state it is touched only by the rank holding the CPU, and every call kept in the history
// copies one.
class shared_name {
public:
    shared_name() = default;
    explicit shared_name(std::string text) : block_(new block{std::move(text), 1}) {}
    shared_name(const shared_name& other) : block_(other.block_) {
        if (block_) ++block_->refs;
    }
    shared_name& operator=(const shared_name& other) {
        if (block_ == other.block_) return *this;  // the usual case: a call on the same communicator as before
        if (other.block_) ++other.block_->refs;
        drop();
        block_ = other.block_;
        return *this;
    }

    ~shared_name() { drop(); }
    const std::string& operator*() const { return block_->text; }

private:
    struct block {
        std::string text;
        std::size_t refs;
    };
    void drop() {
        if (block_ && --block_->refs == 0) delete block_;
    }
    block* block_ = nullptr;
};

struct comm_state {
    shared_name label;
    const std::string& name = *label;  // "world", "world.dup1", ...
    std::vector<int> world_ranks;  // world rank of each rank of this communicator
    std::optional<backend::cartesian_grid> grid;  // cart_create's and cart_sub's communicators
    std::vector<mailbox> mailboxes;  // one per receiving rank
    std::map<std::uint64_t, collective_slot> collectives;  // by sequence number
    // The slot of collective `sequence`, made at its first arrival. The last one asked for is
    // kept at hand: every rank of a collective arrives at the same one, a search each (issue 17).
    collective_slot& slot_of(std::uint64_t sequence) {
        if (!arriving_ || arriving_sequence_ != sequence) {
            arriving_ = &collectives[sequence];
            arriving_sequence_ = sequence;
        }
        return *arriving_;
    }
    void erase_slot(std::uint64_t sequence) {
        if (arriving_sequence_ == sequence) arriving_ = nullptr;
        collectives.erase(sequence);
    }
    // How many collectives have completed: every one numbered below (all ranks reach them in one
    // order, so they complete in that order).
    std::uint64_t completed = 0;
    // The last one complete() finished without visiting its calls (collective.hpp: gather_input):
    // its result, for each of its ranks to take when resumed. The next one cannot complete before
    // every one of them has: each arrives there only after taking its own.
    std::vector<std::byte> result;
    std::size_t result_count = 0;
    sim_time result_leaves_at = 0;
    std::uint64_t arrivals = 0;  // messages stored so far: their arrival order
    int children = 0;            // communicators made from this one, for their names
    // The engine that owns it, told when the last handle is gone (engine::comm_unused); null once
    // the engine is gone, and then the last handle frees it.
    engine* owner = nullptr;
    std::size_t handles = 0;  // ranks' communicators and requests on it (comm_handle)

    comm_state(std::string comm_name, std::vector<int> members);
    ~comm_state();
    comm_state(const comm_state&) = delete;
    comm_state& operator=(const comm_state&) = delete;

private:
    collective_slot* arriving_ = nullptr;  // slot_of's, or null
    std::uint64_t arriving_sequence_ = 0;

public:

    int size() const { return static_cast<int>(world_ranks.size()); }
    int world_rank(int rank) const { return world_ranks[static_cast<std::size_t>(rank)]; }

    // How reports name this communicator's ranks, so that a number never leaves it unsaid which
    // communicator it counts in: a bare rank number is a world rank, one of another communicator
    // says its world rank. `peer(1)` is the argument of a call on it ("1", or "1 (world rank 3)"
    // in a communicator other than the world; "any_source" for -1); `member(1)` names rank 1 by
    // its world rank ("rank 3", or "rank 3 (rank 1 of world.split1(color=0))"); `in_comm(3)` is
    // what a report adds after world rank 3 ("rank 1 of world.split1(color=0)", or nothing in the
    // world).
    std::string peer(int rank) const;
    std::string member(int rank) const;
    std::string in_comm(int world) const;
    // Nothing in it that a report at the end of the run would mention: no stored message, no
    // posted receive, no collective some ranks have reached.
    bool idle() const;
};

// A message still in `comm`'s mailbox of rank `dest` whose receiver has finished: the summary
// ("message never received: ...") and the sender's call, as every report of it says them.
std::string never_received(const comm_state& comm, std::size_t dest, const message& m);
rank_call sender_of(const comm_state& comm, std::size_t dest, const message& m);

// Keeps a communicator's state alive while a rank's communicator or a request uses it. When the
// last one goes, the engine frees the state (issue #11: 100 000 dups used to keep 309 MB until the
// run ended, and every wildcard match scanned them all).
class comm_handle {
public:
    explicit comm_handle(comm_state& comm) : comm_(&comm) { ++comm.handles; }
    comm_handle(const comm_handle&) = delete;
    comm_handle& operator=(const comm_handle&) = delete;
    ~comm_handle();

private:
    comm_state* comm_;
};

// How many comm_states exist in this process (every run's): for tests that check that unused
// communicators are freed during a run.
std::size_t live_comm_states();

}  // namespace baton::sim::detail
