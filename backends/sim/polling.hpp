// Polling loops. A rank that calls iprobe or test until it succeeds never blocks, so a loop that
// can never succeed would keep the run going forever instead of ending it with a deadlock report.
// poll_watch counts, for each rank, the polls it made in vain in a row while nothing changed in
// the simulation; the checker (polling.cpp) calls the ranks stuck once every rank that can still
// run has polled in vain as often as its bound allows (options::poll_limit, see below).
#pragma once

#include <cstdint>
#include <map>
#include <source_location>
#include <tuple>
#include <vector>

#include <baton/findings.hpp>
#include <baton/sim.hpp>

namespace baton::sim::detail {

class poll_watch {
public:
    // Why a bound, and why this one. A failed poll changes nothing, so a rank polling in a loop
    // goes round again, unless its own local state (a loop counter, a clock) makes it stop; the
    // simulator cannot see that state. It sees every other way out: a message sent, a receive
    // matched, a collective joined, a rank blocked, woken or finished: each starts every count
    // again (see progress()). So only a loop that fails `limit` times in a row while every other
    // rank that can run does the same is called stuck. A rank still computing or sending can
    // never be: it makes other calls in between, or it holds the CPU and nobody polls. The one
    // false alarm left is a loop that gives up by itself after more than `limit` tries while
    // nothing else in the whole run can happen, which on MPI is a program spinning for nothing:
    // options::poll_limit (--poll-limit) raises the bound, 0 removes it.
    // The cost is small: a failed poll by the only rank that can run does not switch ranks, so
    // 10 000 of them take milliseconds; two ranks polling each other take some tenths of a second.
    // The program's own history: a loop seen to give up by itself (the rank went on to another
    // call after k polls in vain, with nothing else happening meanwhile) has a counter, not only a
    // message, as its exit. The same call site then gets `history_factor` * k before it is called
    // stuck, if that is more than the limit: a counter that grows from one round to the next is
    // not taken for a deadlock, and a loop that only waits for a message is still caught.
    static constexpr std::uint64_t history_factor = 4;

    explicit poll_watch(std::uint64_t limit = default_poll_limit) : limit_(limit) {}
    std::uint64_t limit() const { return limit_; }

    // Something changed that a poll may see: every rank's count starts again.
    void progress() { ++epoch_; }
    // `rank` makes a call that acts (not a poll): if it polled in vain before, its loop ended by
    // itself, and the site's history remembers how long it went on.
    void acted(int rank) {
        // Inline: every call that acts comes here, and a rank that has never polled has no streak.
        if (static_cast<std::size_t>(rank) < streaks_.size()) loop_may_have_ended(rank);
    }
    // `rank`'s poll found what it looked for: its count starts again.
    void succeeded(int rank) {
        auto& s = streak_of(rank);
        s.failures = 0;
        s.polled = true;
    }
    // `rank` polled in vain at `site`. True once it has done so as many times in a row since the
    // last progress as the bound for its site allows (never with limit 0).
    bool failed(int rank, const std::source_location& site);
    // Whether `rank` has polled since the last progress (then exploration does not branch on its
    // polls again: a message once seen stays seen, and polling again eventually sees it).
    bool polled(int rank) { return streak_of(rank).polled; }
    bool in_vain(int rank) const;
    std::uint64_t failures(int rank) { return streak_of(rank).failures; }
    // The bound `rank`'s current streak is held to.
    std::uint64_t bound(int rank) { return streak_of(rank).bound; }

    // What `rank` polls for, for the report: remembered once it has polled in vain `bound` times.
    void remember(int rank, rank_call call) { streak_of(rank).last = std::move(call); }
    const rank_call& last(int rank) const { return streaks_[static_cast<std::size_t>(rank)].last; }

private:
    struct streak {
        std::uint64_t epoch = 0;     // the progress epoch its failures were counted in
        std::uint64_t failures = 0;  // polls in vain in a row within that epoch
        std::uint64_t bound = 0;     // how many it may make before it is called stuck
        bool polled = false;         // any poll within that epoch
        std::source_location site;   // where the last poll in vain was made
        rank_call last;
    };
    using site_key = std::tuple<const char*, std::uint_least32_t, std::uint_least32_t>;
    static site_key key(const std::source_location& where) { return {where.file_name(), where.line(), where.column()}; }
    std::uint64_t bound_at(const std::source_location& site) const;
    void loop_may_have_ended(int rank);
    // `rank`'s streak, started again if something changed since it was last counted.
    streak& streak_of(int rank);

    std::uint64_t limit_;
    std::vector<streak> streaks_;  // by world rank; grows on first use
    std::map<site_key, std::uint64_t> gave_up_after_;  // by poll site: the longest loop that ended by itself
    std::uint64_t epoch_ = 1;
};

}  // namespace baton::sim::detail
