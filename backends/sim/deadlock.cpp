// The deadlock report: every blocked rank, its pending call and where it was made, whom it waits
// for, and a cycle of ranks waiting for each other if there is one.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include "engine.hpp"

namespace baton::sim::detail {

namespace {

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

std::exception_ptr engine::deadlock_report(const std::vector<int>& stuck) const {
    std::vector<rank_call> blocked;
    std::vector<int> finished, live;  // live: ranks that would go on if MPI buffered what this run did not
    for (int r = 0; r < started_; ++r)
        if (ranks_[static_cast<std::size_t>(r)]->state == rank_state::finished) finished.push_back(r);
    auto has_finished = [&](int r) { return std::binary_search(finished.begin(), finished.end(), r); };
    for (int r : stuck) {
        const auto& slot = *ranks_[static_cast<std::size_t>(r)];
        blocked.push_back({r, slot.waiting->describe(), baton::detail::format_location(slot.waiting_at),
                           slot.waiting->waits_for()});
        // Buffering would let it go on, unless it waits for a rank that has finished: that rank
        // will never receive the send or join the collective anyway.
        const auto& targets = blocked.back().waits_for;
        if (slot.waiting->buffering_dependent() && std::none_of(targets.begin(), targets.end(), has_finished))
            live.push_back(r);
    }

    // Potential or certain? Spread "would go on" to every rank waiting for a live one; if that
    // frees every stuck rank, buffering alone caused the deadlock.
    for (bool grew = !live.empty(); grew;) {
        grew = false;
        for (const auto& call : blocked) {
            if (std::find(live.begin(), live.end(), call.rank) != live.end()) continue;
            for (int w : call.waits_for)
                if (std::find(live.begin(), live.end(), w) != live.end()) {
                    live.push_back(call.rank);
                    grew = true;
                    break;
                }
        }
    }
    const bool potential = live.size() == blocked.size();

    std::string summary;
    if (potential)
        summary = fmt::format("potential deadlock: {} ranks wait for each other only because this run did not "
                              "buffer a send or let a rank leave a collective early (--sends {}, --collectives {}); "
                              "MPI is allowed to do the same",
                              blocked.size(), to_string(opts_.sends), to_string(opts_.collectives));
    else if (static_cast<int>(blocked.size() + finished.size()) == started_)
        summary = fmt::format("deadlock: no rank can make progress ({} blocked, {} finished)", blocked.size(),
                              finished.size());
    else
        summary = fmt::format("deadlock: {} ranks can never make progress (the other {} still can)", blocked.size(),
                              started_ - static_cast<int>(blocked.size() + finished.size()));

    finding f = make_finding(potential ? finding_kind::potential_deadlock : finding_kind::deadlock, std::move(summary),
                             std::move(blocked));
    f.cycle = find_cycle(f.calls, started_);
    // Only the finished ranks someone waits for matter to this report.
    for (int r : finished)
        for (const auto& call : f.calls)
            if (std::find(call.waits_for.begin(), call.waits_for.end(), r) != call.waits_for.end()) {
                f.finished.push_back(r);
                break;
            }
    return std::make_exception_ptr(deadlock_error(std::move(f)));
}

}  // namespace baton::sim::detail
