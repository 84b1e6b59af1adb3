#include "buffer_watch.hpp"

// Header-only: the library's functions are compiled into this file (backends/sim/meson.build).
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace baton::sim::detail {

std::uint64_t buffer_checksum(const void* data, std::size_t bytes) { return XXH3_64bits(data, bytes); }

buffer_watch buffer_watch::of_bytes(const void* data, std::size_t bytes) {
    buffer_watch w;
    w.data_ = data;
    w.bytes_ = bytes;
    w.checksum_ = buffer_checksum(data, bytes);
    return w;
}

buffer_watch buffer_watch::of_send(const backend::send_view& data) {
    buffer_watch w = of_bytes(data.data, data.count * data.type.size);
    w.from_ = data;
    if (data.shape) w.shape_ = data.shape(data.container);
    return w;
}

buffer_watch buffer_watch::of_receive(const backend::recv_buffer& into) {
    buffer_watch w = of_bytes(into.data, into.count * into.type.size);
    w.into_ = into;
    if (into.shape) w.shape_ = into.shape(into.container);
    if (into.fingerprint) w.target_print_ = into.fingerprint(into.target);
    return w;
}

buffer_change buffer_watch::change() const {
    buffer_change seen;
    if (into_.shape && into_.shape(into_.container) != shape_) {
        seen.container = true;  // the bytes may have moved away: not read
        return seen;
    }
    // A send's container may grow or shrink within its memory (what it sends, maybe a block of
    // it, is still there), but elements it moved elsewhere were freed: not read either.
    if (from_.shape && from_.shape(from_.container).data != shape_.data) {
        seen.container = true;
        return seen;
    }
    seen.bytes = buffer_checksum(data_, bytes_) != checksum_;
    // A fingerprint serializes the program's object with its own serialize(), which may throw:
    // then the check cannot see the object, and says nothing rather than guess (and the run goes
    // on, on every context alike, to the deserialization that overwrites the object anyway).
    try {
        seen.target = into_.fingerprint && into_.fingerprint(into_.target) != target_print_;
    } catch (...) {
        seen.target = false;
    }
    return seen;
}

}  // namespace baton::sim::detail
