// Wildcards and the status of a received (or probed) message.
#pragma once

#include <cstddef>

namespace baton {

inline constexpr int any_source = -1;  // receive from whichever rank's message is matched
inline constexpr int any_tag = -1;     // receive whatever the tag
inline constexpr int undefined = -32766;  // split(): this rank joins no new communicator
// A peer that is no rank (MPI_PROC_NULL): a send to it or a receive from it completes at once and
// moves nothing; the receive's status has source proc_null, tag any_tag and count 0. What a
// halo exchange names beyond the edge of a grid that does not wrap around.
inline constexpr int proc_null = -2;

// The smallest tag upper bound MPI guarantees everywhere. baton refuses larger tags on every
// backend, so a program that runs on the simulator runs on any MPI.
inline constexpr int max_tag = 32767;

struct status {
    int source = any_source;  // the sender's rank in the communicator (proc_null: none)
    int tag = any_tag;
    std::size_t count = 0;    // elements in the message (bytes, for serialized values)
};

}  // namespace baton
