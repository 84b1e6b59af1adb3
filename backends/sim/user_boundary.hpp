// Where a rank's own code calls into the simulator. Every baton call of a rank, and the
// destruction of its communicators and requests (which change the simulator's state too), passes
// through these wrappers around the simulator's communicator and requests, which tell the engine
// (engine::entering / leaving) when the rank is inside the simulator and when it runs its own
// code: the watchdog may read the state from its thread only then (watchdog.hpp).
#pragma once

#include <cstddef>
#include <memory>

#include <baton/backend.hpp>

namespace baton::sim::detail {

class engine;
class sim_request;

// `inner`, a communicator of rank `world_rank`, with every call bracketed; made at `room` (at
// least boundary_bytes() there, aligned for any object) when given, else on the heap.
std::unique_ptr<backend::comm_impl> at_user_boundary(engine& eng, std::unique_ptr<backend::comm_impl> inner,
                                                     int world_rank, void* room = nullptr);
std::size_t boundary_bytes();
// The simulator's request inside one of those wrappers (a process rank's proxy tells it what the
// rank saw of its buffer).
sim_request& simulated(backend::request_impl& bracketed);

}  // namespace baton::sim::detail
