// The state of every rank at any moment, for a run interrupted (SIGINT, SIGTERM) or stopped by the
// rank timeout: the same lines as a deadlock report (call, line, whom it waits for, the calls
// before), for every rank that has not finished.
#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "checker.hpp"

namespace baton::sim::detail {

namespace {

// Enough lines to see what a run of a few ranks does; a run of 100 000 says how many more.
constexpr std::size_t ranks_shown = 32;

}  // namespace

std::string checker::state_report(const std::string& headline, int running) const {
    std::vector<rank_call> calls;
    std::vector<int> finished;
    std::size_t blocked = 0, ready = 0, left_out = 0;
    for (int r = 0; r < ranks_.started; ++r) {
        const auto& slot = ranks_[r];
        if (ranks_.finished(r)) {
            finished.push_back(r);
            continue;
        }
        const bool is_blocked = ranks_.blocked(r) && slot.waiting;
        ++(is_blocked ? blocked : ready);
        // Described only when shown (a collective's waits_for is O(ranks)); the running rank is
        // always shown: it is the one a hang is most likely in.
        if (calls.size() >= ranks_shown && r != running) {
            ++left_out;
            continue;
        }
        rank_call call{r, r == running ? "running" : "ready to run, waiting for its turn", "", {}};
        if (is_blocked) {
            const rank_list waits_for = slot.waiting->waits_for();
            call = {r, slot.waiting->describe(), baton::detail::format_location(slot.waiting_at),
                    {waits_for.begin(), waits_for.end()}};
        }
        call.recent = recent_calls(r);
        calls.push_back(std::move(call));
    }
    std::string summary = fmt::format("{}\n  at step {}: {} blocked, {} running or ready, {} finished", headline,
                                      sched_.steps(), blocked, ready, finished.size());
    if (ranks_.started < opts_.ranks) summary += fmt::format(", {} not started yet", opts_.ranks - ranks_.started);
    if (left_out > 0) summary += fmt::format(" ({} ranks not shown)", left_out);
    finding f = make_finding(finding_kind::deadlock, std::move(summary), std::move(calls));
    if (finished.size() <= ranks_shown) f.finished = std::move(finished);
    return f.text();
}

}  // namespace baton::sim::detail
