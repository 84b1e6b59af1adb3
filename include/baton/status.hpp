// Wildcards and the status of a received (or probed) message.
#pragma once

#include <cstddef>

namespace baton {

inline constexpr int any_source = -1;  // receive from whichever rank's message is matched
inline constexpr int any_tag = -1;     // receive whatever the tag
inline constexpr int undefined = -32766;  // split(): this rank joins no new communicator

// The smallest tag upper bound MPI guarantees everywhere. baton refuses larger tags on every
// backend, so a program that runs on the simulator runs on any MPI.
inline constexpr int max_tag = 32767;

struct status {
    int source = any_source;  // the sender's rank in the communicator
    int tag = any_tag;
    std::size_t count = 0;    // elements in the message (bytes, for serialized values)
};

}  // namespace baton
