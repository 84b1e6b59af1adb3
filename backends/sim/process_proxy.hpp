// A process rank's proxy in the engine: what its context (a fiber) runs instead of the rank
// function. It starts the rank's process, then makes each call the process sends on the
// simulator's communicator, as the rank's own code would on threads, and answers it.
#pragma once

#include <memory>

#include <baton/backend.hpp>
#include <baton/detail/results.hpp>

namespace baton::sim::detail {

class engine;
class process_ranks;

// Serves rank `rank` until its rank function is over; `world` is its communicator on the
// simulator. Throws what the rank threw, or rank_process_ended; what it returned goes to `take`.
void serve_process_rank(engine& eng, process_ranks& processes, int rank, std::unique_ptr<backend::comm_impl> world,
                        const result_taker* take);

}  // namespace baton::sim::detail
