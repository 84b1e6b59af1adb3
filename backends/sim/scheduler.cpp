#include "scheduler.hpp"

namespace baton::sim::detail {

scheduler::scheduler(schedule policy, std::uint64_t seed, int ranks)
    : policy_(policy), random_(seed), position_(static_cast<std::size_t>(ranks), -1) {
    members_.reserve(static_cast<std::size_t>(ranks));
}

void scheduler::add(int rank) {
    auto& pos = position_[static_cast<std::size_t>(rank)];
    if (pos >= 0) return;
    pos = static_cast<std::ptrdiff_t>(members_.size());
    members_.push_back(rank);
    if (policy_ == schedule::round_robin) ordered_.insert(rank);
}

void scheduler::remove(int rank) {
    auto& pos = position_[static_cast<std::size_t>(rank)];
    if (pos < 0) return;
    // Swap-remove: O(1), and deterministic because it depends only on the sequence of calls.
    const int last = members_.back();
    members_[static_cast<std::size_t>(pos)] = last;
    position_[static_cast<std::size_t>(last)] = pos;
    members_.pop_back();
    pos = -1;
    if (policy_ == schedule::round_robin) ordered_.erase(rank);
}

int scheduler::pick(int current) {
    if (members_.empty()) return -1;
    ++steps_;
    if (policy_ == schedule::round_robin) {
        auto next = ordered_.upper_bound(current);
        return next == ordered_.end() ? *ordered_.begin() : *next;
    }
    return members_[choose(members_.size())];
}

std::size_t scheduler::choose(std::size_t n) {
    if (n <= 1 || policy_ == schedule::round_robin) return 0;
    // Not std::uniform_int_distribution: its output differs between standard libraries.
    return static_cast<std::size_t>(random_() % n);
}

}  // namespace baton::sim::detail
