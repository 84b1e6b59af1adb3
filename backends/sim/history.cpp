#include "history.hpp"

#include <string_view>

namespace baton::sim::detail {

call_history::~call_history() {
    for (int r = 0; r < in_rooms_; ++r) of(r).~rank_calls();
}

std::size_t call_history::room_bytes() { return sizeof(rank_calls); }

void call_history::make_room(int ranks, const rank_rooms& rooms) {
    static_assert(alignof(rank_calls) <= 64);  // a room is aligned to a cache line
    if (rooms.base && rooms.bytes >= sizeof(rank_calls)) {
        rooms_ = rooms;
        for (; in_rooms_ < ranks; ++in_rooms_) new (rooms_.of(in_rooms_)) rank_calls();
        return;
    }
    own_.resize(static_cast<std::size_t>(ranks));
    rooms_ = {reinterpret_cast<std::byte*>(own_.data()), sizeof(rank_calls), sizeof(rank_calls)};
}

std::vector<std::string> call_history::lines(int rank, const std::source_location* blocked_in) const {
    const auto& r = of(rank);
    std::vector<std::string> lines;
    std::size_t at = r.newest;
    for (std::uint64_t n = r.calls; n > 0 && r.calls - n < kept; --n) {
        const auto& [step, call, comm] = r.ring[at];
        at = at == 0 ? kept - 1 : at - 1;
        const bool is_pending_call = n == r.calls && blocked_in && call.kind != call_kind::receive &&
                                     call.where.line() == blocked_in->line() &&
                                     call.where.column() == blocked_in->column() &&
                                     std::string_view(call.where.file_name()) == blocked_in->file_name();
        if (!is_pending_call) lines.push_back(history_line(step, call, *comm));
    }
    return lines;
}

}  // namespace baton::sim::detail
