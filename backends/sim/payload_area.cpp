// Shared memory for process ranks' large payloads (payload_area.hpp).
#include "payload_area.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace baton::sim::detail {

namespace {

// Blocks start on a cache line: a reduction or a copy reads the elements aligned.
constexpr std::size_t block_alignment = 64;
// A half holds at most this much, and all halves together at most twice `all_halves`: address
// space only (MAP_NORESERVE), pages are used as payloads touch them.
constexpr std::size_t largest_half = std::size_t{64} << 20;
constexpr std::size_t all_halves = std::size_t{1} << 30;

}  // namespace

payload_space::payload_space(std::span<std::byte> half) : half_(half) {
    if (!half_.empty()) free_.emplace(0, half_.size());
}

std::size_t payload_space::take(std::size_t bytes) {
    bytes = (std::max<std::size_t>(bytes, 1) + block_alignment - 1) / block_alignment * block_alignment;
    for (auto range = free_.begin(); range != free_.end(); ++range) {
        if (range->second < bytes) continue;
        const std::size_t offset = range->first, left = range->second - bytes;
        free_.erase(range);
        if (left > 0) free_.emplace(offset + bytes, left);
        taken_.emplace(offset, taken_block{bytes, 1});
        return offset;
    }
    return SIZE_MAX;
}

void payload_space::give_back(std::size_t offset) {
    const auto block = taken_.find(offset);
    if (block == taken_.end() || --block->second.holders > 0) return;
    std::size_t begin = block->first, bytes = block->second.bytes;
    taken_.erase(block);
    // Joined with the free ranges on either side, so that a large block fits again.
    auto after = free_.lower_bound(begin);
    if (after != free_.end() && after->first == begin + bytes) {
        bytes += after->second;
        after = free_.erase(after);
    }
    if (after != free_.begin()) {
        const auto before = std::prev(after);
        if (before->first + before->second == begin) {
            begin = before->first;
            bytes += before->second;
            free_.erase(before);
        }
    }
    free_.emplace(begin, bytes);
}

payload_block payload_space::share(const std::byte* at, std::size_t bytes) {
    if (bytes == 0 || at < half_.data() || at >= half_.data() + half_.size()) return {};
    const auto offset = static_cast<std::size_t>(at - half_.data());
    auto block = taken_.upper_bound(offset);
    if (block == taken_.begin()) return {};
    --block;
    const std::size_t end = block->first + block->second.bytes;
    if (offset >= end || bytes > end - offset) return {};
    ++block->second.holders;
    return payload_block(this, block->first, block->second.bytes);
}

payload_block payload_block::share() const {
    if (!room_) return {};
    return room_->share(data(), 1);
}

payload_block::payload_block(payload_space* room, std::size_t bytes) {
    if (!room || bytes < shared_payload_threshold) return;
    const std::size_t offset = room->take(bytes);
    if (offset == SIZE_MAX) return;
    room_ = room;
    offset_ = offset;
    bytes_ = bytes;
}

payload_block& payload_block::operator=(payload_block&& other) noexcept {
    if (this != &other) {
        release();
        room_ = std::exchange(other.room_, nullptr);
        offset_ = other.offset_;
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

void payload_block::release() {
    if (room_) room_->give_back(offset_);
    room_ = nullptr;
    bytes_ = 0;
}

void payload_bytes::assign(std::size_t bytes, bool zero) {
    if (bytes > capacity()) block_ = payload_block(room_, bytes);
    size_ = bytes;
    if (!block_.data())
        heap_.assign(bytes, std::byte{0});
    else if (zero)
        std::memset(block_.data(), 0, bytes);
}

void payload_bytes::resize(std::size_t bytes) {
    if (bytes <= capacity()) {
        if (!block_.data()) heap_.resize(bytes);
        else if (bytes > size_)
            std::memset(block_.data() + size_, 0, bytes - size_);
        size_ = bytes;
        return;
    }
    payload_block larger(room_, bytes);
    if (larger.data()) {
        if (size_ > 0) std::memcpy(larger.data(), data(), size_);  // nothing yet: data() may be null
        std::memset(larger.data() + size_, 0, bytes - size_);
        block_ = std::move(larger);
        heap_ = {};
    } else {
        // No room in the half: on the heap, whatever the size.
        if (block_.data()) heap_.assign(block_.data(), block_.data() + size_);
        block_ = {};
        heap_.resize(bytes);
    }
    size_ = bytes;
}

payload_area::payload_area(int ranks) {
    if (ranks <= 0) return;
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t half = std::min(largest_half, all_halves / static_cast<std::size_t>(ranks)) / page * page;
    if (half < shared_payload_threshold) return;
    const std::size_t bytes = 2 * half * static_cast<std::size_t>(ranks);
    void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED) return;  // a small `ulimit -v`: payloads go inline
    base_ = static_cast<std::byte*>(mapped);
    half_ = half;
    bytes_ = bytes;
    ranks_ = ranks;
}

payload_area::~payload_area() {
    if (base_) ::munmap(base_, bytes_);
}

// The halves ranks write come first, then the halves the engine writes: each a range of its own,
// one unmapped and the other made read-only by a rank's process.
std::span<std::byte> payload_area::to_engine(int rank) const {
    if (!base_) return {};
    return {base_ + half_ * static_cast<std::size_t>(rank), half_};
}

std::span<std::byte> payload_area::to_rank(int rank) const {
    if (!base_) return {};
    return to_ranks().subspan(half_ * static_cast<std::size_t>(rank), half_);
}

std::span<std::byte> payload_area::to_ranks() const {
    if (!base_) return {};
    return {base_ + half_ * static_cast<std::size_t>(ranks_), half_ * static_cast<std::size_t>(ranks_)};
}

int payload_area::to_rank_holding(const void* at) const {
    const auto all = to_ranks();
    const auto* byte = static_cast<const std::byte*>(at);
    if (all.empty() || byte < all.data() || byte >= all.data() + all.size()) return -1;
    return static_cast<int>(static_cast<std::size_t>(byte - all.data()) / half_);
}

void payload_area::keep_only(int rank) {
    if (!base_) return;
    std::byte* const mine = to_engine(rank).data();
    std::byte* const written_by_ranks_end = to_ranks().data();
    if (mine > base_) ::munmap(base_, static_cast<std::size_t>(mine - base_));
    if (mine + half_ < written_by_ranks_end)
        ::munmap(mine + half_, static_cast<std::size_t>(written_by_ranks_end - (mine + half_)));
    // What the engine writes, this process only reads: a stray write there faults here, and can
    // spoil no other rank's data. (A failure leaves it writable, which only loses that guard.)
    (void)::mprotect(to_ranks().data(), to_ranks().size(), PROT_READ);
    // base_ stays: the halves left are found from it as before. The process never unmaps them (it
    // ends by _exit), so the destructor's munmap of the whole area does not run here.
}

}  // namespace baton::sim::detail
