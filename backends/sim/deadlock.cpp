// The deadlock report: every blocked rank, its pending call and where it was made, whom it waits
// for, and a cycle of ranks waiting for each other if there is one.
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

std::string rank_list(const std::vector<int>& ranks) {
    std::string text;
    for (std::size_t i = 0; i < ranks.size(); ++i) text += (i ? ", " : "") + std::to_string(ranks[i]);
    return text;
}

}  // namespace

std::exception_ptr engine::deadlock_report() const {
    std::vector<rank_call> blocked;
    std::vector<int> finished;
    for (int r = 0; r < started_; ++r) {
        const auto& slot = *ranks_[static_cast<std::size_t>(r)];
        if (slot.state == rank_state::finished) finished.push_back(r);
        if (slot.state != rank_state::blocked || !slot.waiting) continue;
        blocked.push_back({r, slot.waiting->describe(), baton::detail::format_location(slot.waiting_at),
                           slot.waiting->waits_for()});
    }
    const std::vector<int> cycle = find_cycle(blocked, started_);

    std::string text = fmt::format("deadlock: no rank can make progress ({} blocked, {} finished)\n",
                                   blocked.size(), finished.size());
    for (const auto& call : blocked) {
        std::vector<std::string> targets;
        for (int w : call.waits_for) {
            const bool done = ranks_[static_cast<std::size_t>(w)]->state == rank_state::finished;
            targets.push_back(std::to_string(w) + (done ? " (finished)" : ""));
        }
        std::string waits;
        for (std::size_t i = 0; i < targets.size(); ++i) waits += (i ? ", " : "") + targets[i];
        text += fmt::format("  rank {}: {} at {}, waiting for rank{} {}\n", call.rank, call.call, call.location,
                            targets.size() == 1 ? "" : "s", waits);
    }
    if (!finished.empty()) text += fmt::format("  finished: rank{} {}\n", finished.size() == 1 ? "" : "s",
                                               rank_list(finished));
    if (!cycle.empty()) {
        text += "  cycle: ";
        for (std::size_t i = 0; i < cycle.size(); ++i) text += (i ? " -> " : "") + std::string("rank ") + std::to_string(cycle[i]);
        text += '\n';
    } else {
        text += "  no cycle: the ranks above wait for ranks that have finished\n";
    }
    text += "  replay: " + replay_hint();
    return std::make_exception_ptr(deadlock_error(std::move(text), std::move(blocked), cycle));
}

}  // namespace baton::sim::detail
