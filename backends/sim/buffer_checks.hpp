// The memory of each rank's pending isends and irecvs, to catch an operation that uses it before
// they complete. MPI (4.1, 3.7.2) lets nothing write a pending isend's buffer and nothing touch a
// pending irecv's, and that includes baton's own calls: a receive into a buffer an isend is still
// sending from (a sendrecv onto itself, spelled out), two irecvs into one buffer, a send from a
// buffer an irecv has not filled yet. The checksums at completion (request.cpp) see such a use
// only when it changed the bytes; this sees it when it is made, and names both calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <baton/backend.hpp>

namespace baton::sim::detail {

// The addresses a buffer check compares: the caller's, also when the simulator works on a copy
// (a process rank's buffers, which are in its own process).
inline const void* checked_data(const backend::send_view& v) { return v.origin ? v.origin->data : v.data; }
inline const void* checked_data(const backend::recv_buffer& b) { return b.origin ? b.origin->data : b.data; }
// The object a receive buffer names beyond its bytes: a serialized receive's target, or a
// resizable container (the same object even when empty).
inline const void* checked_object(const backend::recv_buffer& b) {
    if (b.origin) return b.origin->object;
    return b.target ? b.target : b.resizable() ? b.container : nullptr;
}

class sim_request;

// Which of a request's buffers: what it gives or an irecv's (`data`), or a non-blocking
// collective's receive buffer (`result`).
enum class watched_part : std::uint8_t { data, result };

struct pending_buffer {
    std::uintptr_t begin = 0, end = 0;  // its bytes (empty for an empty container)
    const void* container = nullptr;    // a resizable receive's container: the same object, even empty
    bool written = false;               // an irecv's: written on completion; an isend's is only read
    sim_request* request = nullptr;
    watched_part part = watched_part::data;
};

class pending_buffers {
public:
    // Returns where it is kept, for remove(); remove moves the last of the rank's buffers into the
    // gap and tells its request (sim_request::moved_in_pending), so both are O(1).
    std::size_t add(int rank, const pending_buffer& buffer);
    void remove(int rank, std::size_t index);
    // Whether `rank` has any pending buffer.
    bool any(int rank) const {
        return static_cast<std::size_t>(rank) < by_rank_.size() && !by_rank_[static_cast<std::size_t>(rank)].empty();
    }
    // The first pending buffer of `rank` that a new use of [data, data + bytes) conflicts with: one
    // it overlaps where either side writes (or whose container it is). Null when there is none,
    // which a rank without pending requests finds out with one comparison.
    const pending_buffer* conflict(int rank, const void* data, std::size_t bytes, const void* container,
                                   bool writes) const;

private:
    std::vector<std::vector<pending_buffer>> by_rank_;  // by world rank; grows on first use
};

}  // namespace baton::sim::detail
