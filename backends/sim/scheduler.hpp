// Which rank runs next. Every choice the simulator makes comes from here, so a run is a pure
// function of the program and (policy, seed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include <baton/sim.hpp>

namespace baton::sim::detail {

class scheduler {
public:
    scheduler(schedule policy, std::uint64_t seed, int ranks);

    void add(int rank);
    void remove(int rank);
    bool contains(int rank) const { return position_[static_cast<std::size_t>(rank)] >= 0; }
    bool empty() const { return members_.empty(); }

    // The rank to run next among those added, or -1 if there is none. `current` is the rank
    // asking (or -1): round-robin continues after it.
    int pick(int current);

    // One of n alternatives (n > 0) for a choice other than whom to run, such as which of
    // several eligible messages a wildcard receive takes. Round-robin takes the first.
    std::size_t choose(std::size_t n);

    // How many choices have been made: the run's logical clock.
    std::uint64_t steps() const { return steps_; }

private:
    schedule policy_;
    std::mt19937_64 random_;             // fully specified by the standard: same numbers everywhere
    std::vector<int> members_;           // unordered, for the random policy
    std::vector<std::ptrdiff_t> position_;  // index in members_, or -1
    std::set<int> ordered_;              // the same members in rank order, for round-robin
    std::uint64_t steps_ = 0;
};

}  // namespace baton::sim::detail
