// Buffers of pending requests used by another operation of the same rank (buffer_checks.hpp).
#include "buffer_checks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "checker.hpp"
#include "request.hpp"

namespace baton::sim::detail {

std::size_t pending_buffers::add(int rank, const pending_buffer& buffer) {
    if (static_cast<std::size_t>(rank) >= by_rank_.size()) by_rank_.resize(static_cast<std::size_t>(rank) + 1);
    auto& mine = by_rank_[static_cast<std::size_t>(rank)];
    mine.push_back(buffer);
    return mine.size() - 1;
}

void pending_buffers::remove(int rank, std::size_t index) {
    auto& mine = by_rank_[static_cast<std::size_t>(rank)];
    if (index + 1 != mine.size()) {
        mine[index] = mine.back();
        mine[index].request->moved_in_pending(mine[index].part, index);
    }
    mine.pop_back();
}

const pending_buffer* pending_buffers::conflict(int rank, const void* data, std::size_t bytes, const void* container,
                                                bool writes) const {
    if (static_cast<std::size_t>(rank) >= by_rank_.size()) return nullptr;
    for (const auto& b : by_rank_[static_cast<std::size_t>(rank)]) {
        if (!writes && !b.written) continue;  // two reads of one buffer (two isends of it) are fine
        const bool same_container = container && container == b.container;
        if (same_container || baton::detail::overlap(data, bytes, reinterpret_cast<const void*>(b.begin), b.end - b.begin))
            return &b;
    }
    return nullptr;
}

bool checker::check_pending_buffers(int self, const void* data, std::size_t bytes, const void* container,
                                    bool writes, std::string_view operation, const std::source_location& where) {
    const pending_buffer* hit = buffers_.conflict(self, data, bytes, container, writes);
    if (!hit) return false;
    sim_request& pending = *hit->request;
    pending.mark_reported(hit->part);  // one finding for it: its completion does not add a second
    const std::string at = baton::detail::format_location(where);
    const std::string posted = baton::detail::format_location(pending.posted_at());
    // "its isend", "its irecv", "its iallreduce" (whose receive buffer is "the receive buffer").
    const std::string_view pending_operation = pending.call().operation;
    const std::string_view buffer = hit->part == watched_part::result ? "receive buffer" : "buffer";
    std::string summary;
    if (!hit->written)
        summary = fmt::format("rank {}'s {} at {} receives into the buffer of its {} posted at {}, which has "
                              "not completed (MPI may still be reading it)",
                              self, operation, at, pending_operation, posted);
    else if (writes)
        summary = fmt::format("rank {}'s {} at {} receives into the {} of its {} posted at {}, which has "
                              "not completed (two receives into one buffer: one {} is overwritten)",
                              self, operation, at, buffer, pending_operation, posted,
                              hit->part == watched_part::result ? "result" : "message");
    else
        summary = fmt::format("rank {}'s {} at {} sends from the {} of its {} posted at {}, which has not "
                              "completed (it holds no {} yet)",
                              self, operation, at, buffer, pending_operation, posted,
                              hit->part == watched_part::result ? "result" : "message");
    add_finding(make_finding(hit->written ? finding_kind::receive_buffer_modified : finding_kind::send_buffer_modified,
                             std::move(summary),
                             {{self, pending.describe(), baton::detail::format_location(pending.posted_at()), {}},
                              {self, std::string(operation), at, {}}}));
    return true;
}

}  // namespace baton::sim::detail
