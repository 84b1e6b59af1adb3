#include "checker.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "collective.hpp"

namespace baton::sim::detail {

checker::checker(const options& opts, const rank_table& ranks, const comm_list& comms, const scheduler& sched,
                 const std::string& replay)
    : opts_(opts), ranks_(ranks), comms_(comms), sched_(sched), replay_(replay), polls_(opts.poll_limit) {}

void checker::record(const call_record& call) {
    events_.push_back(to_event(sched_.steps(), call));
    if (opts_.network.empty()) return;
    // In simulated time (the trace's clock): it begins at its rank's clock now, and ends when the
    // rank leaves its call (close_events).
    event& e = events_.back();
    const auto& clock = ranks_[e.rank].clock;
    auto& timing = event_times_[static_cast<std::size_t>(e.rank)];
    e.sim_start = clock.now;
    e.sim_computed = clock.computing - timing.computing_seen;
    timing.computing_seen = clock.computing;
    timing.open.push_back(events_.size() - 1);
}

void checker::close_timed(int rank) {
    auto& timing = event_times_[static_cast<std::size_t>(rank)];
    for (const std::size_t i : timing.open) events_[i].sim_end = std::max(events_[i].sim_start, ranks_[rank].clock.now);
    timing.open.clear();
}

void checker::profile_bytes(const call_record& call) {
    // The bytes of the event log's event, at the call's own site: a receive's where it was posted.
    const bool received = call.kind == call_kind::receive;
    if (call.kind == call_kind::probe) return;
    profile_->moved(call.rank, call.operation.data(), call.where, received ? 0 : call.bytes, received ? call.bytes : 0);
}

finding checker::make_finding(finding_kind kind, std::string summary, std::vector<rank_call> calls) const {
    finding f;
    f.kind = kind;
    f.summary = std::move(summary);
    f.calls = std::move(calls);
    f.replay = replay_;
    return f;
}

void checker::check_unreceived() {
    for (const auto& comm : comms_) {
        // Ranks that left a collective early (collective_mode::local) for others that never came.
        for (const auto& [sequence, slot] : comm->collectives) {
            std::vector<rank_call> calls;
            for (int r = 0; r < comm->size(); ++r) {
                const auto* call = slot.calls[static_cast<std::size_t>(r)];
                calls.push_back({comm->world_ranks[static_cast<std::size_t>(r)],
                                 call ? describe(*call) : "never called it",
                                 call ? baton::detail::format_location(call->where) : "", {}});
            }
            add_finding(make_finding(finding_kind::deadlock,
                                     fmt::format("deadlock: collective #{} on {} was never called by every rank",
                                                 sequence + 1, comm->name),
                                     std::move(calls)));
        }
        for (std::size_t dest = 0; dest < comm->mailboxes.size(); ++dest) {
            for (const message* m : comm->mailboxes[dest].all_messages()) {
                add_finding(make_finding(finding_kind::unreceived_message, never_received(*comm, dest, *m),
                                         {sender_of(*comm, dest, *m)}));
            }
        }
    }
}

}  // namespace baton::sim::detail
