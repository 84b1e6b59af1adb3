#include "history.hpp"

#include <string_view>

namespace baton::sim::detail {

std::vector<std::string> call_history::lines(int rank, const std::source_location* blocked_in) const {
    const auto& r = ranks_[static_cast<std::size_t>(rank)];
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
