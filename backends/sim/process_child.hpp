// The rank's side of a process rank: what a forked child runs (process_ranks.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include <baton/communicator.hpp>

namespace baton::sim::detail {

// In the child of rank `rank`, whose end of the socket is `socket`: waits for the engine's start,
// runs `body` with a world communicator that forwards every call to the engine, tells the engine
// how it ended, and ends the process. Large payloads go through the shared payload area
// (payload_area.hpp): the rank's half of what ranks write for the engine, and all that the engine
// writes for ranks, which it reads (its own half, or another rank's copy of the same bytes).
[[noreturn]] void run_process_rank(int rank, int socket, std::span<std::byte> to_engine_half,
                                   std::span<const std::byte> to_ranks,
                                   const std::function<void(communicator&)>& body);

}  // namespace baton::sim::detail
