// The calls a rank's failure names in its report. baton's own errors carry them (the call that
// broke a rule, and for a message that did not fit its receive both the receive and the send);
// for anything else a rank throws, the report says what it threw and the rank's last baton call,
// the nearest line baton knows: it cannot see where a program throws.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include "engine.hpp"

namespace baton::sim::detail {

namespace {

// The exception's type, as the program spells it ("std::runtime_error").
std::string type_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (...) {
        const std::type_info* type = abi::__cxa_current_exception_type();
        if (!type) return "an exception";
        int status = 0;
        const std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type->name(), nullptr, nullptr, &status),
                                                          std::free);
        return status == 0 && name ? name.get() : type->name();
    }
}

}  // namespace

std::vector<rank_call> engine::failure_calls(int rank, const std::exception_ptr& original) const {
    try {
        std::rethrow_exception(original);
    } catch (const usage_error& e) {
        if (!e.calls().empty()) {
            std::vector<rank_call> calls = e.calls();
            for (auto& call : calls)
                if (call.rank < 0) call.rank = rank;
            return calls;
        }
    } catch (...) {
    }
    rank_call call{rank, "threw " + type_of(original), "", {}};
    const auto& slot = *ranks_[static_cast<std::size_t>(rank)];
    if (slot.calls > 0) {
        const call_record& last = slot.recent[(slot.calls - 1) % recent_kept].call;
        call.call += fmt::format(" after {}", last.operation);
        call.location = baton::detail::format_location(last.where);
    }
    return {call};
}

}  // namespace baton::sim::detail
