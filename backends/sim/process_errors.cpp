// Exceptions across a process rank's socket (process_errors.hpp).
#include "process_errors.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <string_view>

#include <baton/errors.hpp>

namespace baton::sim::detail::wire {

namespace {

// The dynamic type of the exception being handled, as the program spells it.
std::string current_type_name() {
    const std::type_info* type = abi::__cxa_current_exception_type();
    if (!type) return "an exception";
    int status = 0;
    const std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type->name(), nullptr, nullptr, &status),
                                                      std::free);
    return status == 0 && name ? name.get() : type->name();
}

void put_calls(writer& out, const std::vector<rank_call>& calls) {
    out.put<std::uint32_t>(static_cast<std::uint32_t>(calls.size()));
    for (const auto& call : calls) {
        out.put<std::int32_t>(call.rank);
        out.put_string(call.call);
        out.put_string(call.location);
    }
}

// The types rebuilt as themselves, by the name the program spells them with.
template <class E>
std::exception_ptr plain(const std::string& what) {
    return std::make_exception_ptr(E(what));
}
struct known_type {
    std::string_view name;
    std::exception_ptr (*make)(const std::string& what);
};
constexpr known_type known_types[] = {
    {"std::runtime_error", plain<std::runtime_error>},   {"std::logic_error", plain<std::logic_error>},
    {"std::invalid_argument", plain<std::invalid_argument>}, {"std::out_of_range", plain<std::out_of_range>},
    {"std::length_error", plain<std::length_error>},     {"std::domain_error", plain<std::domain_error>},
    {"std::range_error", plain<std::range_error>},       {"std::overflow_error", plain<std::overflow_error>},
    {"std::underflow_error", plain<std::underflow_error>}, {"baton::error", plain<baton::error>},
};

}  // namespace

void put_current_exception(writer& out, std::uint32_t forwarded) {
    out.put<std::uint32_t>(forwarded);
    out.put_string(current_type_name());
    std::vector<rank_call> calls;
    std::string what;
    bool is_std = true;
    try {
        throw;
    } catch (const usage_error& e) {
        what = e.what();
        calls = e.calls();
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        is_std = false;
    }
    out.put<std::uint8_t>(is_std);
    out.put_string(what);
    put_calls(out, calls);
}

std::exception_ptr get_exception(reader& in, std::uint32_t& forwarded) {
    forwarded = in.get<std::uint32_t>();
    const std::string type = in.get_string();
    const bool is_std = in.get<std::uint8_t>() != 0;
    const std::string what = in.get_string();
    std::vector<rank_call> calls(in.get<std::uint32_t>());
    if (calls.size() > 4096) throw malformed_frame("an exception with too many calls");
    for (auto& call : calls) {
        call.rank = in.get_int();
        call.call = in.get_string();
        call.location = in.get_string();
    }
    if (!is_std) return std::make_exception_ptr(foreign_non_std_exception(type));
    if (type == "baton::usage_error") return std::make_exception_ptr(usage_error(what, std::move(calls)));
    if (type == "baton::truncation_error") return std::make_exception_ptr(truncation_error(what, std::move(calls)));
    if (type == "baton::type_mismatch_error")
        return std::make_exception_ptr(type_mismatch_error(what, std::move(calls)));
    if (type == "std::bad_alloc") return std::make_exception_ptr(std::bad_alloc());
    for (const auto& known : known_types)
        if (type == known.name) return known.make(what);
    return std::make_exception_ptr(foreign_exception(type, what));
}

}  // namespace baton::sim::detail::wire
