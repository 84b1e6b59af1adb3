// Shared memory for the large payloads of process ranks (issue 13: "large ones (MiBs) without
// copying them more than once each way").
//
// The engine maps one area before it forks the ranks' processes (MAP_SHARED, so each child shares
// it); each rank has two halves: what the rank writes for the engine (the data it sends) and what
// the engine writes for the rank (what it receives). A payload of at least
// shared_payload_threshold bytes is written once into a block of the writer's half and read once
// from there by the other side; the frame on the socket carries only the block's offset
// (wire::writer::put_payload). A payload that finds no room travels inline in the frame, as small
// ones do.
//
// Each half has one writer, which alone allocates in it (payload_space), so no lock is needed and
// the bookkeeping stays in the writer's own memory, where the other side cannot corrupt it. A
// rank's process unmaps every other rank's half of what ranks write, and maps all the halves the
// engine writes read-only: a collective whose receivers all get the same bytes (a bcast, an
// allgather, an allreduce) has them written once into one rank's half, and every receiver's
// process reads them from there (the engine's other receivers hold that block: payload_space::
// share). The engine checks every offset a rank sends against the rank's half
// (wire::reader::get_payload), so a rank that scribbles over its half, or dies while writing it,
// can only spoil its own payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace baton::sim::detail {

// Smaller payloads travel inline: one write and one read of a frame cost less than a block's
// bookkeeping and the copy into it.
inline constexpr std::size_t shared_payload_threshold = 32 * 1024;

class payload_block;

// Where blocks of one half are taken and given back: first fit over free ranges kept in the
// allocating side's memory.
class payload_space {
public:
    payload_space() = default;
    explicit payload_space(std::span<std::byte> half);
    std::span<std::byte> half() const { return half_; }
    // The offset of a block of `bytes`, or SIZE_MAX when none is free (the payload then goes
    // inline).
    std::size_t take(std::size_t bytes);
    // One holder less of the block at `offset`; free once it has none.
    void give_back(std::size_t offset);
    // Another holder of the block that holds all of [at, at + bytes): it stays taken, its bytes as
    // they are, until every holder gave it back. An empty block if no block holds them.
    payload_block share(const std::byte* at, std::size_t bytes);

private:
    struct taken_block {
        std::size_t bytes;
        int holders;
    };
    std::span<std::byte> half_;
    std::map<std::size_t, std::size_t> free_;  // offset -> bytes, never two adjacent
    std::map<std::size_t, taken_block> taken_;
};

// A block taken from a payload_space, given back when it goes.
class payload_block {
public:
    payload_block() = default;
    // A block of `bytes` from `room`, or an empty one (data() null) when it has no room, or when
    // `bytes` is below the threshold.
    payload_block(payload_space* room, std::size_t bytes);
    payload_block(payload_block&& other) noexcept { *this = std::move(other); }
    payload_block& operator=(payload_block&& other) noexcept;
    ~payload_block() { release(); }
    std::byte* data() const { return room_ ? room_->half().data() + offset_ : nullptr; }
    std::size_t size() const { return bytes_; }
    // Another holder of this block (payload_space::share), or an empty one.
    payload_block share() const;

private:
    friend class payload_space;
    payload_block(payload_space* room, std::size_t offset, std::size_t bytes)
        : room_(room), offset_(offset), bytes_(bytes) {}
    void release();
    payload_space* room_ = nullptr;
    std::size_t offset_ = 0, bytes_ = 0;
};

// The engine's copy of a rank's receive buffer: in a block of the rank's half when it is large
// and there is room, so that the simulator writes the data where the rank will read it; on the
// heap otherwise.
class payload_bytes {
public:
    explicit payload_bytes(payload_space* room = nullptr) : room_(room) {}
    std::byte* data() { return block_.data() ? block_.data() : heap_.data(); }
    const std::byte* data() const { return block_.data() ? block_.data() : heap_.data(); }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return block_.data() ? block_.size() : heap_.capacity(); }
    // Room for `bytes`, zeros if `zero` (what the rank gets back where the simulator writes
    // nothing), else whatever a shared block held before.
    void assign(std::size_t bytes, bool zero);
    // Grows or shrinks to `bytes`, keeping what fits.
    void resize(std::size_t bytes);

private:
    payload_space* room_;
    payload_block block_;
    std::vector<std::byte> heap_;
    std::size_t size_ = 0;
};

// The area of a run's process ranks, mapped before they are forked.
class payload_area {
public:
    // Room for `ranks` slots; none (every payload inline) if the address space has no room for it.
    explicit payload_area(int ranks);
    ~payload_area();
    payload_area(const payload_area&) = delete;
    payload_area& operator=(const payload_area&) = delete;
    // Rank `rank`'s halves: what it writes for the engine, what the engine writes for it (empty
    // without an area).
    std::span<std::byte> to_engine(int rank) const;
    std::span<std::byte> to_rank(int rank) const;
    // All the halves the engine writes, one after the other: what every rank's process reads.
    std::span<std::byte> to_ranks() const;
    // The rank whose half of to_ranks() holds `at`, or -1.
    int to_rank_holding(const void* at) const;
    // In rank `rank`'s process: unmaps every other rank's half of what ranks write, which it has
    // no business writing, and makes what the engine writes read-only.
    void keep_only(int rank);

private:
    std::byte* base_ = nullptr;
    std::size_t half_ = 0, bytes_ = 0;
    int ranks_ = 0;
};

}  // namespace baton::sim::detail
