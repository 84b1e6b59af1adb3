// What the ranks of one simulated communicator share: its members, their mailboxes and the
// collectives under way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "collective.hpp"
#include "mailbox.hpp"

namespace baton::sim::detail {

struct comm_state {
    std::string name;
    std::vector<int> world_ranks;  // world rank of each rank of this communicator
    std::vector<mailbox> mailboxes;  // one per receiving rank
    std::map<std::uint64_t, collective_slot> collectives;  // by sequence number
    std::uint64_t arrivals = 0;  // messages stored so far: their arrival order
    int children = 0;            // communicators made from this one, for their names

    comm_state(std::string comm_name, std::vector<int> members)
        : name(std::move(comm_name)), world_ranks(std::move(members)), mailboxes(world_ranks.size()) {}

    int size() const { return static_cast<int>(world_ranks.size()); }
};

}  // namespace baton::sim::detail
