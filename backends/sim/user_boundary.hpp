// Where a rank's own code calls into the simulator. Every baton call of a rank, and the
// destruction of its communicators and requests (which change the simulator's state too), passes
// through these wrappers around the simulator's communicator and requests, which tell the engine
// (engine::entering / leaving) when the rank is inside the simulator and when it runs its own
// code: the watchdog may read the state from its thread only then (watchdog.hpp).
#pragma once

#include <memory>

#include <baton/backend.hpp>

namespace baton::sim::detail {

class engine;

// `inner`, a communicator of rank `world_rank`, with every call bracketed.
std::unique_ptr<backend::comm_impl> at_user_boundary(engine& eng, std::unique_ptr<backend::comm_impl> inner,
                                                     int world_rank);

}  // namespace baton::sim::detail
