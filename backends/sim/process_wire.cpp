// The checks on what a process rank sends (process_wire.hpp).
#include "process_wire.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

namespace baton::sim::detail::wire {

namespace {

// libstdc++ and libc++ both hold a source location as one pointer to a constant record of the
// file's name, the function's name, the line and the column.
static_assert(sizeof(std::source_location) == sizeof(void*) && std::is_trivially_copyable_v<std::source_location>);
struct location_record {
    const char* file;
    const char* function;
    std::uint_least32_t line, column;
};

// The largest element a type may claim: a bound against sizes that would overflow a count.
constexpr std::uint64_t largest_element = std::uint64_t{1} << 32;

// A type's name a rank made at run time, kept for the whole run (a type_desc names it by view, and
// messages and reports outlive the frame): each text once, so a rank cannot grow it without bound
// by sending the same names.
std::string_view kept_name(std::string text) {
    static std::mutex guard;
    static std::set<std::string, std::less<>> names;
    const std::lock_guard lock(guard);
    return *names.insert(std::move(text)).first;
}

}  // namespace

const read_only_image& read_only_image::of_this_process() {
    static const read_only_image image = [] {
        read_only_image result;
        std::ifstream maps("/proc/self/maps");
        std::string line;
        while (std::getline(maps, line)) {
            std::istringstream fields(line);
            std::string range, permissions, offset, device, inode, path;
            fields >> range >> permissions >> offset >> device >> inode >> path;
            const std::size_t dash = range.find('-');
            if (dash == std::string::npos || permissions.size() < 2 || permissions[0] != 'r') continue;
            const std::pair<std::uintptr_t, std::uintptr_t> mapping{std::stoull(range.substr(0, dash), nullptr, 16),
                                                                    std::stoull(range.substr(dash + 1), nullptr, 16)};
            if (permissions[1] != 'w') result.constant_.push_back(mapping);
            if (path.starts_with('/')) result.files_.push_back(mapping);
        }
        // Adjacent mappings (a library's code after its read-only data) make one range.
        for (ranges* list : {&result.constant_, &result.files_}) {
            std::sort(list->begin(), list->end());
            ranges merged;
            for (const auto& r : *list) {
                if (!merged.empty() && merged.back().second == r.first)
                    merged.back().second = r.second;
                else
                    merged.push_back(r);
            }
            *list = std::move(merged);
        }
        return result;
    }();
    return image;
}

bool read_only_image::within(const ranges& in, std::uintptr_t address, std::size_t bytes) {
    auto next = std::upper_bound(in.begin(), in.end(), std::pair{address, UINTPTR_MAX});
    if (next == in.begin()) return false;
    const auto& range = *std::prev(next);
    return address >= range.first && address < range.second && bytes <= range.second - address;
}

std::size_t read_only_image::string_at(std::uintptr_t address) const {
    auto next = std::upper_bound(constant_.begin(), constant_.end(), std::pair{address, UINTPTR_MAX});
    if (next != constant_.begin()) {
        const auto& range = *std::prev(next);
        if (address >= range.first && address < range.second) {
            const char* text = reinterpret_cast<const char*>(address);
            const void* nul = std::memchr(text, 0, range.second - address);
            if (nul) return static_cast<std::size_t>(static_cast<const char*>(nul) - text);
        }
    }
    throw malformed_frame("a text outside the program");
}

std::string_view reader::get_literal() {
    const auto address = get<std::uint64_t>();
    const auto length = get<std::uint64_t>();
    if (length == 0) return {};
    if (!read_only_image::of_this_process().holds(address, length))
        throw malformed_frame("a name outside the program");
    return {reinterpret_cast<const char*>(address), static_cast<std::size_t>(length)};
}

std::source_location reader::get_location() {
    const auto where = get<std::source_location>();
    std::uintptr_t record = 0;
    std::memcpy(&record, &where, sizeof record);
    if (record == 0) return where;  // a default-constructed location: no line known
    const auto& image = read_only_image::of_this_process();
    if (!image.in_program(record, sizeof(location_record))) throw malformed_frame("a source location outside the program");
    image.string_at(reinterpret_cast<std::uintptr_t>(where.file_name()));
    image.string_at(reinterpret_cast<std::uintptr_t>(where.function_name()));
    return where;
}

type_desc reader::get_type() {
    type_desc type;
    const auto kind = get<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(element_kind::complex_float64)) throw malformed_frame("an unknown element type");
    type.kind = static_cast<element_kind>(kind);
    const auto size = get<std::uint64_t>();
    if (size == 0 || size > largest_element) throw malformed_frame("an element size out of range");
    type.size = static_cast<std::size_t>(size);
    type.name = get<std::uint8_t>() ? get_literal() : kept_name(get_string());
    return type;
}

}  // namespace baton::sim::detail::wire
