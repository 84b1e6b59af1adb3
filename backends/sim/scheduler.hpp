// Which rank runs next, and every other choice the simulator makes (which of several messages a
// wildcard receive takes, which done request wait_any returns). Every choice comes from here, so
// a run is a pure function of the program and (policy, seed, plan).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <baton/findings.hpp>
#include <baton/sim.hpp>

#include "batched_twister.hpp"
#include "prefetch.hpp"

namespace baton::sim::detail {

// A choice as a report describes it (--explore: the choice that made the difference): who made
// it (a rank's call and line; rank -1 when the simulator did), what was chosen, and the
// alternatives in the order of choose()'s answer.
struct choice_site {
    rank_call call;
    std::string question;                   // "what rank 0's recv(...) at app.cpp:9 took"
    std::vector<std::string> alternatives;  // "rank 1's send at app.cpp:4", ...
};

class scheduler {
public:
    scheduler(const options& opts, int ranks);

    // Inline: a rank that blocks leaves and its wake adds it, at most calls of a ping-pong; the
    // random policy keeps no order (issue 17).
    void add(int rank) {
        auto& pos = position_[static_cast<std::size_t>(rank)];
        if (pos >= 0) return;
        pos = static_cast<std::ptrdiff_t>(members_.size());
        members_.push_back(rank);
        if (policy_ != schedule::random) [[unlikely]]
            add_in_order(rank);
    }
    void remove(int rank) {
        auto& pos = position_[static_cast<std::size_t>(rank)];
        if (pos < 0) return;
        // Swap-remove: O(1), and deterministic because it depends only on the sequence of calls.
        const int last = members_.back();
        members_[static_cast<std::size_t>(pos)] = last;
        position_[static_cast<std::size_t>(last)] = pos;
        members_.pop_back();
        pos = -1;
        if (policy_ != schedule::random) [[unlikely]]
            remove_in_order(rank);
    }
    bool contains(int rank) const { return position_[static_cast<std::size_t>(rank)] >= 0; }
    // `rank` is about to run: reads its entry, which remove(rank) reads when it blocks, while
    // other misses of its resumption are under way (prefetch.hpp; a miss at a million ranks).
    void read_ahead(int rank) const { touch(&position_[static_cast<std::size_t>(rank)]); }
    bool empty() const { return members_.empty(); }
    // A guess at the rank the random policy picks after `next`, just picked, runs and blocks
    // (removing itself, as every rank of a collective but its last does), or -1 when there is
    // nothing to guess from: the next draw among the others. Draws nothing: a wrong guess only
    // reads the memory of a rank that does not run next (prefetch.hpp).
    int guess_after(int next) const {
        std::uint64_t value = 0;
        const std::size_t others = members_.size() - 1;
        if (policy_ != schedule::random || members_.size() < 2 || !random_->peek(value)) return -1;
        const auto at = static_cast<std::size_t>(below(value, others));
        // remove(next) moves the last member into next's place.
        return at == static_cast<std::size_t>(position_[static_cast<std::size_t>(next)]) ? members_.back() : members_[at];
    }

    // The rank to run next among those added, or -1 if there is none. `current` is the rank
    // asking (or -1): round-robin continues after it. The random policy's step inline: every
    // call of every rank comes here (issue 17).
    int pick(int current) {
        if (policy_ == schedule::random && !members_.empty()) [[likely]] {
            ++steps_;
            return members_[static_cast<std::size_t>(below(draw(), members_.size()))];
        }
        return pick_by_policy(current);
    }

    // `rank` polled in vain (iprobe, test). Under PCT it drops below every other rank, as at a
    // change point: otherwise a polling loop with the highest priority would run forever and
    // starve the very rank it waits for. The other policies are fair already.
    void polled_in_vain(int rank);

    // One of n alternatives (n > 0) for a choice other than whom to run. Under
    // schedule::systematic choices among two or more come from the plan, then the first, and are
    // recorded.
    std::size_t choose(std::size_t n);
    // The same, for a choice a report may have to describe: `describe()` gives its choice_site,
    // called only for the choice explain() asked about, so a run pays nothing for it.
    template <class Describe>
    std::size_t choose(std::size_t n, Describe&& describe) {
        const std::size_t index = choices_made_;
        const std::size_t chosen = choose(n);
        if (n > 1 && explain_ == index) explained_ = describe();
        return chosen;
    }
    // Describe the choice number `index` (from 0, among those of two or more alternatives) when
    // it is made: explained() has it after the run.
    void explain(std::size_t index) { explain_ = index; }
    const std::optional<choice_site>& explained() const { return explained_; }

    // schedule::systematic: the choices among two or more alternatives made so far, in order.
    // Only exploration and replay need them; other schedules keep none, so that a long run does not
    // grow by a choice per wildcard receive (issue #11). Empty under the other schedules.
    const std::vector<choice>& choices() const { return choices_; }
    // How many choices among two or more alternatives were made, under every schedule.
    std::size_t choices_made() const { return choices_made_; }
    // Set when a systematic run was asked for a choice its plan says had another number of
    // alternatives: something the scheduler does not control decided the program's course.
    const std::optional<std::string>& divergence() const { return divergence_; }

    // How many choices have been made: the run's logical clock.
    std::uint64_t steps() const { return steps_; }

private:
    // The other policies' orders of the members (ordered_, by_priority_).
    void add_in_order(int rank);
    void remove_in_order(int rank);
    // pick() for the other policies, and when nobody can run.
    int pick_by_policy(int current);
    int pick_by_priority();
    // `x % n` (n > 0), without a division when n is a power of two (the two ranks of a ping-pong,
    // one runnable rank): a 64-bit division takes tens of cycles, and every scheduling step draws.
    static std::uint64_t below(std::uint64_t x, std::uint64_t n) { return (n & (n - 1)) == 0 ? x & (n - 1) : x % n; }

    schedule policy_;
    // std::mt19937_64's numbers, fully specified by the standard: same numbers everywhere
    // (batched_twister.hpp makes them a block at a time). Seeded only for the policies that draw
    // from it (random, pct): seeding fills 312 words, a tenth of a small explored execution.
    std::optional<batched_twister> random_;
    std::uint64_t draw() { return (*random_)(); }
    std::vector<int> members_;           // unordered, for the random policy
    std::vector<std::ptrdiff_t> position_;  // index in members_, or -1
    std::set<int> ordered_;              // the same members in rank order, for round-robin
    std::uint64_t steps_ = 0;
    std::vector<choice> plan_;
    std::vector<choice> choices_;
    std::size_t choices_made_ = 0;
    std::optional<std::string> divergence_;
    std::optional<std::size_t> explain_;
    std::optional<choice_site> explained_;
    // PCT: a random priority per rank (higher runs first) and the steps at which the running
    // rank's priority drops below every other.
    std::vector<std::int64_t> priority_;
    std::vector<std::uint64_t> change_points_;
    std::int64_t lowest_ = 0;
    // PCT: the members by (priority, rank), highest last. Scanning every member at each step was
    // O(n) per step (33 s for an allreduce at 100 000 fiber ranks); this is O(log n). Priorities
    // are distinct, so the rank picked is the one the scan picked.
    std::set<std::pair<std::int64_t, int>> by_priority_;
    void set_priority(int rank, std::int64_t priority);
};

}  // namespace baton::sim::detail
