// Which events of the ranks are ordered whatever the schedule (vector clocks), kept in systematic
// runs (exploration and replay): an rsend whose receive happens to be posted in this schedule
// but with nothing ordering the posting before it is wrong in another schedule, and exploration,
// which does not reorder ranks, must still report it.
//
// A rank's clock counts its calls; it learns the others' clocks through what connects them in
// MPI: a message (the receiver learns the sender's clock at the send; a synchronous or matched
// sender the receiver's), a probe that sees a message, a collective (every member learns what every
// other knew when it joined: in a blocking one at once, in a non-blocking one at the wait or test
// that completes it). Learning more than MPI guarantees can only hide a race, never invent one.
#pragma once

#include <cstdint>
#include <vector>

namespace baton::sim::detail {

class happens_before {
public:
    using clock = std::vector<std::uint32_t>;  // by world rank; empty when not kept

    // A clock per rank of an entry per rank: beyond this many ranks (4 MiB of clocks) they are not
    // kept, and an rsend is checked against the schedule taken, as in a run that is not systematic.
    static constexpr int most_ranks = 1024;

    happens_before(int ranks, bool kept) {
        if (kept && ranks > 0 && ranks <= most_ranks) clocks_.assign(static_cast<std::size_t>(ranks), clock(static_cast<std::size_t>(ranks), 0));
    }
    bool kept() const { return !clocks_.empty(); }

    // Rank `rank` makes a call.
    void tick(int rank) {
        if (kept()) ++clocks_[at(rank)][at(rank)];
    }
    // Its clock, as a message carries it (empty when not kept).
    clock of(int rank) const { return kept() ? clocks_[at(rank)] : clock{}; }
    // `rank` learns what `seen` knew. Inline: every message and wait asks, and most runs keep no
    // clocks.
    void learn(int rank, const clock& seen) {
        if (kept()) merge(clocks_[at(rank)], seen);
    }
    // `rank` learns what `other` knows now (both ways for a matched pair: learn twice).
    void learn_from(int rank, int other) {
        if (kept()) learn(rank, clocks_[at(other)]);
    }
    // `into` grows to what `seen` knew too (either may be empty: not kept).
    static void merge(clock& into, const clock& seen);
    // `rank`'s own count now, to compare later with what another rank knows of it.
    std::uint32_t now(int rank) const { return kept() ? clocks_[at(rank)][at(rank)] : 0; }
    // Whether `rank` knows `other`'s event `time`: then that event precedes `rank`'s next call in
    // every schedule. Always true when clocks are not kept.
    bool knows(int rank, int other, std::uint32_t time) const {
        return !kept() || clocks_[at(rank)][at(other)] >= time;
    }

private:
    static std::size_t at(int rank) { return static_cast<std::size_t>(rank); }
    std::vector<clock> clocks_;
};

}  // namespace baton::sim::detail
