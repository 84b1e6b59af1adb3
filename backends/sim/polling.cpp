// Polling loops that can never succeed: `while (!world.iprobe(1, 0)) {}` or `while (!r.test()) {}`
// waiting for a message nobody will send. The rank never blocks, so the run would never end;
// instead, once every rank that can still run has polled in vain as often in a row as its bound
// allows with nothing changing (--poll-limit; see polling.hpp for why a bound), the ranks are stuck: the run ends
// with a deadlock report that names each polling rank with its call and line, like a blocked one.
#include "polling.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "checker.hpp"

namespace baton::sim::detail {

poll_watch::streak& poll_watch::streak_of(int rank) {
    if (static_cast<std::size_t>(rank) >= streaks_.size()) streaks_.resize(static_cast<std::size_t>(rank) + 1);
    auto& s = streaks_[static_cast<std::size_t>(rank)];
    if (s.epoch != epoch_) {
        s.epoch = epoch_;
        s.failures = 0;
        s.polled = false;
    }
    return s;
}

bool poll_watch::in_vain(int rank) const {
    if (limit_ == 0 || static_cast<std::size_t>(rank) >= streaks_.size()) return false;
    const auto& s = streaks_[static_cast<std::size_t>(rank)];
    return s.epoch == epoch_ && s.failures > 0 && s.failures >= s.bound;
}

std::uint64_t poll_watch::bound_at(const std::source_location& site) const {
    const auto before = gave_up_after_.find(key(site));
    if (before == gave_up_after_.end()) return limit_;
    return std::max(limit_, before->second * history_factor);
}

bool poll_watch::failed(int rank, const std::source_location& site) {
    auto& s = streak_of(rank);
    s.polled = true;
    if (limit_ == 0) return false;
    // A loop may poll at several sites in turn: the most generous bound among them holds.
    const std::uint64_t here = gave_up_after_.empty() ? limit_ : bound_at(site);
    s.bound = s.failures == 0 ? here : std::max(s.bound, here);
    s.site = site;
    return ++s.failures >= s.bound;
}

void poll_watch::loop_may_have_ended(int rank) {
    const auto& s = streaks_[static_cast<std::size_t>(rank)];
    if (s.epoch != epoch_ || s.failures == 0) return;
    auto& longest = gave_up_after_[key(s.site)];
    longest = std::max(longest, s.failures);
}

std::vector<int> checker::polled_in_vain(int self, const blocker& poll, const std::source_location& where) {
    if (!polls_.failed(self, where)) return {};
    rank_call call = blocked_call(self, poll, where);
    // The bound is the one false alarm left (polling.hpp): say how to raise it.
    call.call += fmt::format(" in a loop, in vain {} times in a row (a loop that gives up by itself after more "
                             "polls needs a higher --poll-limit, now {})",
                             polls_.failures(self), polls_.limit());
    polls_.remember(self, std::move(call));
    std::vector<int> stuck;  // every rank that has not finished
    for (int r = 0; r < ranks_.started; ++r) {
        const auto state = ranks_.state(r);
        if (state == rank_state::runnable && !polls_.in_vain(r)) return {};  // it may still act
        if (state != rank_state::finished) stuck.push_back(r);
    }
    return stuck;
}

}  // namespace baton::sim::detail
