#include "bsend_buffer.hpp"

#include <fmt/format.h>

#include "engine.hpp"

namespace baton::sim::detail {

bsend_claim::bsend_claim(const std::shared_ptr<bsend_buffer>& buffer, std::size_t bytes, int dest_world_rank)
    : buffer_(buffer), bytes_(bytes), dest_(dest_world_rank) {
    buffer->used += bytes;
    ++buffer->messages;
    ++buffer->to[dest_world_rank];
}

bsend_claim::~bsend_claim() {
    const auto buffer = buffer_.lock();
    if (!buffer) return;
    buffer->used -= bytes_;
    --buffer->messages;
    if (--buffer->to[dest_] == 0) buffer->to.erase(dest_);
    if (buffer->messages == 0 && buffer->detaching && buffer->eng) buffer->eng->notify(buffer->rank);
}

std::string bytes_text(std::size_t n) { return fmt::format("{} byte{}", n, n == 1 ? "" : "s"); }

}  // namespace baton::sim::detail
