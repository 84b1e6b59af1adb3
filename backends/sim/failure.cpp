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

#include "checker.hpp"
#include "process_errors.hpp"

namespace baton::sim::detail {

namespace {

std::string describe_exception(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception (a failed test assertion, for example)";
    }
}

// Which kind of finding an exception escaping a rank is.
finding_kind kind_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const truncation_error&) {
        return finding_kind::truncation;
    } catch (const type_mismatch_error&) {
        return finding_kind::type_mismatch;
    } catch (const usage_error&) {
        return finding_kind::invalid_argument;
    } catch (...) {
        return finding_kind::rank_failure;
    }
}

// What the rank did, for its line in the report: "threw std::runtime_error", or for a process
// rank that ended without returning how it ended ("died of SIGSEGV (Segmentation fault)").
std::string what_it_did(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const rank_process_ended& e) {
        return e.what();
    } catch (const foreign_exception& e) {  // rebuilt from a process rank, under its own type's name
        return "threw " + e.type_name();
    } catch (const foreign_non_std_exception& e) {
        return "threw " + e.type_name();
    } catch (...) {
        const std::type_info* type = abi::__cxa_current_exception_type();
        if (!type) return "threw an exception";
        int status = 0;
        const std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type->name(), nullptr, nullptr, &status),
                                                          std::free);
        return "threw " + std::string(status == 0 && name ? name.get() : type->name());
    }
}

}  // namespace

std::vector<rank_call> checker::failure_calls(int rank, const std::exception_ptr& original) const {
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
    rank_call call{rank, what_it_did(original), "", {}};
    if (const call_record* last = history_.newest(rank)) {
        call.call += fmt::format(" after {}", last->operation);
        call.location = baton::detail::format_location(last->where);
    }
    return {call};
}

std::exception_ptr checker::failure_of(int rank, std::exception_ptr original) const {
    std::string what = describe_exception(original);
    // baton's own messages start by naming the rank; say it once.
    if (const std::string prefix = "rank " + std::to_string(rank) + ": "; what.starts_with(prefix))
        what.erase(0, prefix.size());
    auto f = make_finding(kind_of(original), "rank " + std::to_string(rank) + " failed: " + what,
                          failure_calls(rank, original));
    return std::make_exception_ptr(rank_failed(rank, std::move(original), std::move(f)));
}

}  // namespace baton::sim::detail
