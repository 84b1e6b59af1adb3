// The rank's side of a process rank: what a forked child runs (process_ranks.hpp).
#pragma once

#include <functional>

#include <baton/communicator.hpp>

namespace baton::sim::detail {

// In the child of rank `rank`, whose end of the socket is `socket`: waits for the engine's start,
// runs `body` with a world communicator that forwards every call to the engine, tells the engine
// how it ended, and ends the process.
[[noreturn]] void run_process_rank(int rank, int socket, const std::function<void(communicator&)>& body);

}  // namespace baton::sim::detail
