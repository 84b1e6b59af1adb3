// A copy of a few bytes, as the simulator makes one for most messages and small collectives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace baton::sim::detail {

// `bytes` from `from` to `to`. Most messages and most collectives' contributions are a number or
// two: from 8 to 16 bytes they are copied by two loads and two stores (overlapping below 16),
// where memcpy was a call and a dispatch on the size at every one (issue 17).
inline void copy_bytes(void* to, const void* from, std::size_t bytes) {
    if (bytes >= 8 && bytes <= 16) {
        std::uint64_t head = 0, tail = 0;
        std::memcpy(&head, from, 8);
        std::memcpy(&tail, static_cast<const std::byte*>(from) + bytes - 8, 8);
        std::memcpy(to, &head, 8);
        std::memcpy(static_cast<std::byte*>(to) + bytes - 8, &tail, 8);
    } else if (bytes > 0) {
        std::memcpy(to, from, bytes);
    }
}

}  // namespace baton::sim::detail
