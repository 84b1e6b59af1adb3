// What the machine lets a run have, for the messages that say why its ranks could not be started
// (issue #11: "std::bad_alloc" alone said neither what was asked for nor what to change).
#include <sys/resource.h>
#include <sys/sysinfo.h>

#include <fmt/format.h>

#include "contexts.hpp"

namespace baton::sim::detail {

std::string in_binary_units(std::uint64_t bytes) {
    constexpr const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    std::string text = fmt::format("{:.1f}", value);
    if (text.ends_with(".0")) text.resize(text.size() - 2);
    return text + ' ' + units[unit];
}

std::string address_space_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return {};
    return "this process may reserve only " + in_binary_units(limit.rlim_cur) + " of address space (ulimit -v)";
}

std::uint64_t memory_and_swap() {
    struct sysinfo info {};
    if (::sysinfo(&info) != 0) return 0;
    return (static_cast<std::uint64_t>(info.totalram) + info.totalswap) * info.mem_unit;
}

}  // namespace baton::sim::detail
