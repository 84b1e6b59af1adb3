// Polling loops. A rank that calls iprobe or test until it succeeds never blocks, so a loop that
// can never succeed would keep the run going forever instead of ending it with a deadlock report.
// poll_watch counts, for each rank, the polls it made in vain in a row while nothing changed in
// the simulation; the engine (polling.cpp) calls the ranks stuck once every rank that can still
// run has polled in vain `bound` times.
#pragma once

#include <cstdint>
#include <vector>

#include <baton/findings.hpp>

namespace baton::sim::detail {

class poll_watch {
public:
    // Why a bound, and why this one. A failed poll changes nothing, so a rank polling in a loop
    // goes round again, unless its own local state (a loop counter, a clock) makes it stop; the
    // simulator cannot see that state. It sees every other way out: a message sent, a receive
    // matched, a collective joined, a rank blocked, woken or finished: each starts every count
    // again (see progress()). So only a loop that fails `bound` times in a row while every other
    // rank that can run does the same is called stuck. A rank still computing or sending can
    // never be: it makes other calls in between, or it holds the CPU and nobody polls. The one
    // false alarm left is a loop that gives up by itself after more than `bound` tries while
    // nothing else in the whole run can happen, which on MPI is a program spinning for nothing.
    // The cost is small: a failed poll by the only rank that can run does not switch ranks, so
    // 10 000 of them take milliseconds; two ranks polling each other take some tenths of a second.
    static constexpr std::uint64_t bound = 10'000;

    // Something changed that a poll may see: every rank's count starts again.
    void progress() { ++epoch_; }
    // `rank`'s poll found what it looked for: its count starts again.
    void succeeded(int rank) {
        auto& s = streak_of(rank);
        s.failures = 0;
        s.polled = true;
    }
    // `rank` polled in vain. True once it has done so `bound` times in a row since the last
    // progress.
    bool failed(int rank) {
        auto& s = streak_of(rank);
        s.polled = true;
        return ++s.failures >= bound;
    }
    // Whether `rank` has polled since the last progress (then exploration does not branch on its
    // polls again: a message once seen stays seen, and polling again eventually sees it).
    bool polled(int rank) { return streak_of(rank).polled; }
    bool in_vain(int rank) const;
    std::uint64_t failures(int rank) { return streak_of(rank).failures; }

    // What `rank` polls for, for the report: remembered once it has polled in vain `bound` times.
    void remember(int rank, rank_call call) { streak_of(rank).last = std::move(call); }
    const rank_call& last(int rank) const { return streaks_[static_cast<std::size_t>(rank)].last; }

private:
    struct streak {
        std::uint64_t epoch = 0;     // the progress epoch its failures were counted in
        std::uint64_t failures = 0;  // polls in vain in a row within that epoch
        bool polled = false;         // any poll within that epoch
        rank_call last;
    };
    // `rank`'s streak, started again if something changed since it was last counted.
    streak& streak_of(int rank);

    std::vector<streak> streaks_;  // by world rank; grows on first use
    std::uint64_t epoch_ = 1;
};

}  // namespace baton::sim::detail
