// What a pending request's buffer looked like when it was posted, and whether the program
// changed it before the request completed (MPI 4.1, 3.7.2: nothing may write an isend's buffer or
// touch an irecv's until then).
//
// One watch, kept where the buffer's memory is: in the simulator's request for a thread or fiber
// rank (request.cpp), in the rank's own process for a process rank (process_child.cpp), which
// tells the engine what it saw when it waits or tests. The checker words the finding either way.
#pragma once

#include <cstddef>
#include <cstdint>

#include <baton/backend.hpp>

namespace baton::sim::detail {

// What changed, in the order a report names it: a resizable container's size, capacity or
// memory (then its old bytes are not looked at: they may be gone); the bytes; the object a
// serialized receive will be deserialized into.
struct buffer_change {
    bool container = false, bytes = false, target = false;

    bool any() const { return container || bytes || target; }
    // Three bits, as a process rank sends them.
    std::uint8_t bits() const { return static_cast<std::uint8_t>(container | bytes << 1 | target << 2); }
    static buffer_change from_bits(std::uint8_t bits) { return {(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0}; }
};

// What a process rank's request saw of its buffers when the engine asked (process_child.cpp):
// the data it gives or an irecv's buffer, and a non-blocking collective's receive buffer. Six
// bits, as the rank sends them.
struct request_changes {
    buffer_change data, result;

    std::uint8_t bits() const { return static_cast<std::uint8_t>(data.bits() | result.bits() << 3); }
    static request_changes from_bits(std::uint8_t bits) {
        return {buffer_change::from_bits(bits & 7), buffer_change::from_bits(static_cast<std::uint8_t>(bits >> 3))};
    }
};

// A hash to notice that a buffer changed (XXH3: ~30 GB/s here, where isend of a large buffer
// spent its time in a byte-at-a-time loop).
std::uint64_t buffer_checksum(const void* data, std::size_t bytes);

class buffer_watch {
public:
    buffer_watch() = default;
    // An isend's data: its bytes, and where its container keeps them (a container that moved its
    // elements freed the ones the isend sends: they are not read then).
    static buffer_watch of_send(const backend::send_view& data);
    // An irecv's buffer as it is now (poisoned): its bytes, and the container or target object
    // the receive buffer names.
    static buffer_watch of_receive(const backend::recv_buffer& into);

    // Never throws: a target object whose serialize() throws counts as unchanged.
    buffer_change change() const;

private:
    static buffer_watch of_bytes(const void* data, std::size_t bytes);

    const void* data_ = nullptr;
    std::size_t bytes_ = 0;
    std::uint64_t checksum_ = 0;
    backend::recv_buffer into_;  // for a receive: how to see its container and target
    backend::container_shape shape_;  // the container's when watched (a receive's, a send's)
    backend::send_view from_;  // for a send: how to see its container
    std::uint64_t target_print_ = 0;
};

}  // namespace baton::sim::detail
