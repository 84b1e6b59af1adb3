// The rank's side of a process rank: what a forked child runs (process_ranks.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include <baton/communicator.hpp>

namespace baton::sim::detail {

// In the child of rank `rank`, whose end of the socket is `socket`: waits for the engine's start,
// runs `body` with a world communicator that forwards every call to the engine, tells the engine
// how it ended, and ends the process. Large payloads go through the rank's halves of the shared
// payload area (payload_area.hpp): what it writes for the engine, what the engine writes for it.
[[noreturn]] void run_process_rank(int rank, int socket, std::span<std::byte> to_engine_half,
                                   std::span<const std::byte> to_rank_half,
                                   const std::function<void(communicator&)>& body);

}  // namespace baton::sim::detail
