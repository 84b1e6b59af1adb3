#include "scheduler.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace baton::sim::detail {

scheduler::scheduler(const options& opts, int ranks)
    : policy_(opts.schedule), position_(static_cast<std::size_t>(ranks), -1), plan_(opts.plan) {
    members_.reserve(static_cast<std::size_t>(ranks));
    if (policy_ == schedule::random || policy_ == schedule::pct) random_.emplace(opts.seed);
    if (policy_ == schedule::pct) {
        // Burckhardt et al.: distinct random priorities d..d+n-1, and d-1 change points drawn
        // from the first `pct_steps` steps, at which the running rank drops to priority d-1, d-2, ...
        priority_.resize(static_cast<std::size_t>(ranks));
        for (int r = 0; r < ranks; ++r) priority_[static_cast<std::size_t>(r)] = opts.pct_depth + r;
        for (int r = ranks - 1; r > 0; --r)
            std::swap(priority_[static_cast<std::size_t>(r)],
                      priority_[static_cast<std::size_t>(draw() % static_cast<std::uint64_t>(r + 1))]);
        for (int i = 1; i < opts.pct_depth; ++i) change_points_.push_back(1 + draw() % std::max<std::uint64_t>(opts.pct_steps, 1));
        lowest_ = opts.pct_depth;
    }
}

void scheduler::add_in_order(int rank) {
    if (policy_ == schedule::round_robin || policy_ == schedule::systematic) ordered_.insert(rank);
    if (policy_ == schedule::pct) by_priority_.emplace(priority_[static_cast<std::size_t>(rank)], rank);
}

void scheduler::remove_in_order(int rank) {
    if (policy_ == schedule::round_robin || policy_ == schedule::systematic) ordered_.erase(rank);
    if (policy_ == schedule::pct) by_priority_.erase({priority_[static_cast<std::size_t>(rank)], rank});
}

int scheduler::pick_by_policy(int current) {
    if (members_.empty()) return -1;
    ++steps_;
    switch (policy_) {
        case schedule::round_robin:
        case schedule::systematic: {
            // Systematic runs do not branch on whom to run: in a program without shared memory
            // that changes nothing but timing; the matches are branched on in choose().
            auto next = ordered_.upper_bound(current);
            return next == ordered_.end() ? *ordered_.begin() : *next;
        }
        case schedule::pct:
            if (current >= 0 && std::find(change_points_.begin(), change_points_.end(), steps_) != change_points_.end())
                set_priority(current, --lowest_);
            return pick_by_priority();
        case schedule::random:  // pick() draws among the members itself, inline
            break;
    }
    return -1;
}

void scheduler::polled_in_vain(int rank) {
    if (policy_ == schedule::pct) set_priority(rank, --lowest_);
}

void scheduler::set_priority(int rank, std::int64_t priority) {
    auto& slot = priority_[static_cast<std::size_t>(rank)];
    if (contains(rank)) {
        by_priority_.erase({slot, rank});
        by_priority_.emplace(priority, rank);
    }
    slot = priority;
}

int scheduler::pick_by_priority() { return by_priority_.rbegin()->second; }

std::size_t scheduler::choose(std::size_t n) {
    if (n <= 1) return 0;
    const std::size_t index = choices_made_++;
    std::size_t chosen = 0;
    if (index < plan_.size()) {
        if (plan_[index].of != n && !divergence_)
            divergence_ = fmt::format("choice #{} had {} alternatives when recorded and {} now", index + 1,
                                      plan_[index].of, n);
        chosen = std::min<std::size_t>(plan_[index].chosen, n - 1);
    } else if (policy_ == schedule::random || policy_ == schedule::pct) {
        // Not std::uniform_int_distribution: its output differs between standard libraries.
        chosen = static_cast<std::size_t>(below(draw(), n));
    }
    if (policy_ == schedule::systematic)
        choices_.push_back({static_cast<std::uint32_t>(chosen), static_cast<std::uint32_t>(n)});
    return chosen;
}

}  // namespace baton::sim::detail
