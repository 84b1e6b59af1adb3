// Deadlocks: the report (every stuck rank, its pending call and where it was made, whom it waits
// for, and a cycle of ranks waiting for each other if there is one), and what tells a deadlock
// from a potential one.
//
// A set of ranks is stuck when none of them can move and no rank that still runs can wake them.
// Some may wait only because this run withheld buffering that MPI is allowed to do: a synchronous
// send (--sends synchronous, or above --eager-limit), or a collective's root kept until everyone
// arrives (--collectives synchronizing); blocker::buffering_dependent() says which. Whether
// buffering would free the whole set cannot be read off the wait-for graph: a rank waiting for a
// buffered sender may need a *later* action of that sender, which may never come. So the run
// finds out. It grants the buffering (the send completes and its message waits in the receiver's
// mailbox; the root leaves and its data stays in the collective) and goes on, with the potential
// deadlock as its error, provisionally:
//  - if the run then gets past the point (it ends, or fails in another way), that stands: the
//    program deadlocks only where MPI does not buffer. (The rest of the run is what MPI would do
//    with buffering; its other findings are not reported, as after any deadlock.)
//  - if it gets stuck again with nothing more to grant, the program deadlocks whatever MPI
//    buffers: a plain deadlock, reported at the first stuck set (where a run with these options
//    stops) when the new one shares a rank with it, or else at the new one, a deadlock of other
//    ranks further on.
// A send to a rank that has finished, or a collective a finished rank never joined, is not
// granted: nobody will ever receive it, whatever MPI buffers.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include "comm_state.hpp"
#include "checker.hpp"
#include "request.hpp"

namespace baton::sim::detail {

namespace {

// The synchronous sends still waiting for their receive that ranks `polling` posted (an isend
// they test in a loop, say), to receivers that have not `finished`. A rank that polls is not
// blocked, so no blocker holds these; MPI may buffer them all the same.
std::vector<sim_request*> withheld_sends(const std::vector<std::unique_ptr<comm_state>>& comms,
                                         const std::function<bool(int)>& polling,
                                         const std::function<bool(int)>& finished) {
    std::vector<sim_request*> sends;
    for (const auto& comm : comms)
        for (std::size_t dest = 0; dest < comm->mailboxes.size(); ++dest) {
            if (finished(comm->world_ranks[dest])) continue;
            for (const message* m : comm->mailboxes[dest].all_messages())
                if (m->sync_sender && m->sync_sender->may_buffer() &&
                    polling(comm->world_ranks[static_cast<std::size_t>(m->sync_sender->owner())]))
                    sends.push_back(m->sync_sender);
        }
    return sends;
}

// A cycle in the wait-for graph among blocked ranks, or empty. Depth-first from the lowest rank,
// so the same deadlock always gives the same cycle.
std::vector<int> find_cycle(const std::vector<rank_call>& blocked, int world_size) {
    std::vector<const rank_call*> by_rank(static_cast<std::size_t>(world_size), nullptr);
    for (const auto& call : blocked) by_rank[static_cast<std::size_t>(call.rank)] = &call;
    enum { unseen, on_path, done };
    std::vector<int> mark(static_cast<std::size_t>(world_size), unseen);
    std::vector<int> path;
    std::vector<int> cycle;
    std::function<bool(int)> visit = [&](int r) {
        mark[static_cast<std::size_t>(r)] = on_path;
        path.push_back(r);
        for (int next : by_rank[static_cast<std::size_t>(r)]->waits_for) {
            if (!by_rank[static_cast<std::size_t>(next)]) continue;  // not blocked: no edge
            if (mark[static_cast<std::size_t>(next)] == on_path) {
                auto start = std::find(path.begin(), path.end(), next);
                cycle.assign(start, path.end());
                cycle.push_back(next);
                return true;
            }
            if (mark[static_cast<std::size_t>(next)] == unseen && visit(next)) return true;
        }
        path.pop_back();
        mark[static_cast<std::size_t>(r)] = done;
        return false;
    };
    for (const auto& call : blocked)
        if (mark[static_cast<std::size_t>(call.rank)] == unseen && visit(call.rank)) break;
    return cycle;
}

}  // namespace

std::vector<std::string> checker::recent_calls(int rank) const {
    const auto& slot = ranks_[rank];
    return history_.lines(rank, ranks_.blocked(rank) ? &slot.waiting_at : nullptr);
}

std::vector<int> checker::stuck_with(int self) {
    // Systematic runs leave wildcard receives waiting until every rank is blocked: not stuck.
    if (opts_.schedule == schedule::systematic) return {};
    // The usual case, answered before the walk: a rank `self` waits for can run, and may wake it.
    const blocker& waiting = *ranks_[self].waiting;
    if (const int one = waiting.one_awaited(); one >= 0 && ranks_.state(one) == rank_state::runnable) return {};
    for (int w : waiting.waits_for())
        if (ranks_.state(w) == rank_state::runnable) return {};
    // Follow wait-for edges from `self`; reaching a rank that can run means someone may still
    // wake the set. Marks are epoch numbers, so nothing is cleared between calls.
    const auto ranks = static_cast<std::size_t>(ranks_.size());
    if (visited_.size() != ranks) visited_.assign(ranks, 0);
    ++visit_;
    // Scratch lists kept between calls: a blocking call then allocates nothing here.
    auto& stuck = stuck_scratch_;
    auto& pending = pending_scratch_;
    stuck.clear();
    pending.assign(1, self);
    visited_[static_cast<std::size_t>(self)] = visit_;
    while (!pending.empty()) {
        const int r = pending.back();
        pending.pop_back();
        const auto& slot = ranks_[r];
        if (ranks_.finished(r)) continue;  // will never send again
        if (!ranks_.blocked(r) || !slot.waiting || slot.waiting->ready()) return {};
        stuck.push_back(r);
        for (int w : slot.waiting->waits_for()) {
            if (visited_[static_cast<std::size_t>(w)] == visit_) continue;
            visited_[static_cast<std::size_t>(w)] = visit_;
            pending.push_back(w);
        }
    }
    // Others blocked only on these ranks (or finished ones) are stuck too: report them all.
    auto is_stuck = [&](int r) {
        return ranks_.finished(r) || std::find(stuck.begin(), stuck.end(), r) != stuck.end();
    };
    for (bool grew = true; grew;) {
        grew = false;
        for (int r = 0; r < ranks_.started; ++r) {
            const auto& slot = ranks_[r];
            if (!ranks_.blocked(r) || !slot.waiting || is_stuck(r) || slot.waiting->ready()) continue;
            const auto targets = slot.waiting->waits_for();
            if (std::all_of(targets.begin(), targets.end(), is_stuck)) {
                stuck.push_back(r);
                grew = true;
            }
        }
    }
    std::sort(stuck.begin(), stuck.end());
    return {stuck.begin(), stuck.end()};
}

stuck_verdict checker::judge_stuck(const std::vector<int>& stuck) {
    auto has_finished = [&](int r) { return ranks_.finished(r); };
    stuck_verdict verdict;
    for (int r : stuck) {
        const auto& slot = ranks_[r];
        if (!ranks_.blocked(r) || !slot.waiting || !slot.waiting->buffering_dependent()) continue;
        const auto targets = slot.waiting->waits_for();
        if (std::none_of(targets.begin(), targets.end(), has_finished)) verdict.grant.push_back(r);
    }
    // Ranks in the set that are not blocked are polling in vain (polling.cpp).
    auto polling = [&](int r) {
        return ranks_.state(r) == rank_state::runnable && std::find(stuck.begin(), stuck.end(), r) != stuck.end();
    };
    if (std::any_of(stuck.begin(), stuck.end(), polling)) verdict.buffer = withheld_sends(comms_, polling, has_finished);
    if (!findings_before_stuck_) findings_before_stuck_ = findings_.size();
    if (verdict.deadlock()) {
        verdict.error = deadlock_report(stuck);
    } else if (!granted_from_) {
        granted_from_ = deadlock_finding(stuck, finding_kind::deadlock);
        verdict.error = stuck_error(deadlock_finding(stuck, finding_kind::potential_deadlock));
    }
    return verdict;
}

std::exception_ptr checker::deadlock_report(const std::vector<int>& stuck) const {
    if (granted_from_)
        for (const auto& call : granted_from_->calls)
            if (std::find(stuck.begin(), stuck.end(), call.rank) != stuck.end()) return stuck_error(*granted_from_);
    return stuck_error(deadlock_finding(stuck, finding_kind::deadlock));
}

std::exception_ptr checker::stuck_error(finding f) const {
    const auto before = findings_.begin() + static_cast<std::ptrdiff_t>(findings_before_stuck_.value_or(0));
    return std::make_exception_ptr(deadlock_error(std::move(f), {findings_.begin(), before}));
}

rank_call checker::blocked_call(int rank, const blocker& what, const std::source_location& where) const {
    const rank_list waits_for = what.waits_for();
    const comm_state* comm = what.comm();
    return {rank, what.describe(), baton::detail::format_location(where), {waits_for.begin(), waits_for.end()}, {},
            comm ? comm->in_comm(rank) : std::string()};
}

std::vector<std::string> checker::mailbox_notes(const std::vector<int>& stuck) const {
    constexpr std::size_t shown_per_rank = 4;  // enough to see a pattern; the rest are counted
    std::vector<std::pair<int, std::string>> notes;  // by world rank, to list them in rank order
    for (const auto& comm : comms_)
        for (int r = 0; r < comm->size(); ++r) {
            const int world = comm->world_rank(r);
            if (!std::binary_search(stuck.begin(), stuck.end(), world)) continue;
            const auto& box = comm->mailboxes[static_cast<std::size_t>(r)];
            // What its first posted receive there wants instead, if it has one.
            const auto& posted = box.posted();
            // A synchronous send still waiting for its receive, to a rank that posted none there,
            // is a stuck call the report shows already (two ranks sending to each other first).
            auto waiting = box.all_messages();
            if (posted.empty()) std::erase_if(waiting, [](const message* m) { return m->sync_sender != nullptr; });
            for (std::size_t i = 0; i < waiting.size() && i < shown_per_rank; ++i) {
                const message& m = *waiting[i];
                std::string note = fmt::format("{} has an unreceived message from {}, tag {}, sent at {}",
                                               comm->member(r), comm->member(m.source), m.tag,
                                               baton::detail::format_location(m.sent_at));
                if (!posted.empty()) {
                    const auto& wants = posted.front();
                    const bool source_ok = wants.source < 0 || wants.source == m.source;
                    const bool tag_ok = wants.tag < 0 || wants.tag == m.tag;
                    if (source_ok && !tag_ok) note += fmt::format("; it waits for tag {}", wants.tag);
                    else if (!source_ok && tag_ok) note += fmt::format("; it waits for a message from {}", comm->member(wants.source));
                    else if (!source_ok) note += fmt::format("; it waits for {}, tag {}", comm->member(wants.source), wants.tag);
                }
                notes.emplace_back(world, std::move(note));
            }
            if (waiting.size() > shown_per_rank)
                notes.emplace_back(world, fmt::format("{} has {} more unreceived messages", comm->member(r),
                                                      waiting.size() - shown_per_rank));
        }
    std::stable_sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> lines;
    for (auto& [rank, note] : notes) lines.push_back(std::move(note));
    return lines;
}

finding checker::deadlock_finding(const std::vector<int>& stuck, finding_kind kind) const {
    std::vector<rank_call> calls;
    int polling = 0;  // ranks in a polling loop that can never succeed (polling.cpp)
    for (int r : stuck) {
        const auto& slot = ranks_[r];
        if (ranks_.blocked(r) && slot.waiting) {
            calls.push_back(blocked_call(r, *slot.waiting, slot.waiting_at));
        } else {
            calls.push_back(polls_.last(r));
            ++polling;
        }
    }
    for (auto& call : calls) call.recent = recent_calls(call.rank);
    std::vector<int> finished;
    for (int r = 0; r < ranks_.started; ++r)
        if (ranks_.finished(r)) finished.push_back(r);

    std::string summary;
    const int others = ranks_.started - static_cast<int>(calls.size() + finished.size());
    if (kind == finding_kind::potential_deadlock)
        summary = fmt::format("potential deadlock: {} ranks wait for each other only because this run did not "
                              "buffer a send or let a rank leave a collective early (--sends {}, --collectives {}); "
                              "MPI is allowed to do the same",
                              calls.size(), to_string(opts_.sends), to_string(opts_.collectives));
    else if (others == 0 && polling > 0)
        summary = fmt::format("deadlock: no rank can make progress ({} polling in vain, {} blocked, {} finished)",
                              polling, calls.size() - static_cast<std::size_t>(polling), finished.size());
    else if (others == 0)
        summary = fmt::format("deadlock: no rank can make progress ({} blocked, {} finished)", calls.size(),
                              finished.size());
    else
        summary = fmt::format("deadlock: {} ranks can never make progress (the other {} still can)", calls.size(),
                              others);

    // A synchronous send to a rank that finished without receiving it: its sender waits forever.
    // The bug is the message nobody received, which buffered sends leave in the mailbox to be
    // found at the end of the run: same bug, same kind in every mode, and the report says both,
    // the message and the deadlock it causes.
    std::vector<std::string> never;
    const message* first_never = nullptr;
    const comm_state* never_comm = nullptr;
    for (const auto& comm : comms_)
        for (std::size_t dest = 0; dest < comm->mailboxes.size(); ++dest) {
            if (!ranks_.finished(comm->world_rank(static_cast<int>(dest)))) continue;
            for (const message* m : comm->mailboxes[dest].all_messages())
                if (m->sync_sender && std::binary_search(stuck.begin(), stuck.end(), comm->world_rank(m->source))) {
                    never.push_back(never_received(*comm, dest, *m));
                    if (!first_never) first_never = m, never_comm = comm.get();
                }
        }
    if (kind == finding_kind::deadlock && first_never) {
        kind = finding_kind::unreceived_message;
        // An ssend or issend is synchronous by itself; any other send by the run's mode.
        const std::string why =
            first_never->sync_sender->must_match
                ? fmt::format("its {} is synchronous", first_never->operation)
                : fmt::format("{} (--sends {})",
                              opts_.sends == send_mode::eager ? "sends above --eager-limit are synchronous"
                                                              : "sends are synchronous",
                              to_string(opts_.sends));
        summary = fmt::format("{}; as {}, {} waits for that receive forever: a deadlock", never.front(), why,
                              never_comm->member(first_never->source));
        never.erase(never.begin());
    } else {
        never.clear();
    }

    finding f = make_finding(kind, std::move(summary), std::move(calls));
    f.notes = std::move(never);
    for (auto& note : mailbox_notes(stuck)) f.notes.push_back(std::move(note));
    f.cycle = find_cycle(f.calls, ranks_.started);
    // Only the finished ranks someone waits for matter to this report.
    for (int r : finished)
        for (const auto& call : f.calls)
            if (std::find(call.waits_for.begin(), call.waits_for.end(), r) != call.waits_for.end()) {
                f.finished.push_back(r);
                break;
            }
    return f;
}

}  // namespace baton::sim::detail
