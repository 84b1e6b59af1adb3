// The ranks' states (rank_state.hpp).
#include "rank_state.hpp"

#include <mutex>
#include <string>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>
#include <baton/sim.hpp>

#include "errors.hpp"

namespace baton::capi {

std::vector<std::unique_ptr<rank_state>> rank_states;

namespace {

// Ranks on threads start concurrently, so registering takes a lock; afterwards each rank reads
// only its own slot of rank_states.
std::mutex registering;

int slot_of_running_rank() {
    const int rank = sim::running_rank();
    return rank >= 0 ? rank : 0;
}

}  // namespace

rank_scope::rank_scope(backend::comm_impl& world) : slot_(slot_of_running_rank()) {
    const std::lock_guard lock(registering);
    const auto at = static_cast<std::size_t>(slot_);
    if (rank_states.size() <= at) rank_states.resize(at + 1);
    rank_states[at] = std::make_unique<rank_state>(world);
}

rank_scope::~rank_scope() {
    const std::lock_guard lock(registering);
    rank_states[static_cast<std::size_t>(slot_)].reset();
}

rank_state& current_or_fail(std::string_view operation, const std::source_location& where, bool any_time) {
    const auto at = static_cast<std::size_t>(slot_of_running_rank());
    rank_state* state = at < rank_states.size() ? rank_states[at].get() : nullptr;
    if (!state)
        throw usage_error(std::string(operation) + " at " + detail::format_location(where) +
                          ": called outside the ranks of a run (libbaton-mpi's main runs them)");
    if (!any_time && !state->initialized)
        detail::throw_usage(state->world, operation, "called before MPI_Init", where);
    if (!any_time && state->finalized)
        detail::throw_usage(state->world, operation, "called after MPI_Finalize", where);
    return *state;
}

backend::comm_impl& looked_up_comm(rank_state& rank, MPI_Comm comm, std::string_view operation,
                                   const std::source_location& where) {
    rank.errors_on = comm;
    if (comm == MPI_COMM_WORLD) return rank.world;
    if (comm == MPI_COMM_SELF) {
        if (!rank.self) rank.self = rank.world.self(where);
        return *rank.self;
    }
    if (backend::comm_impl* made = rank.comms.find(comm)) return *made;
    rank.errors_on = MPI_COMM_WORLD;
    fail(MPI_ERR_COMM, rank.world, operation,
         comm == MPI_COMM_NULL ? std::string("the communicator is MPI_COMM_NULL")
                               : std::to_string(comm) + " is not a communicator (never made, or freed)",
         where);
}

}  // namespace baton::capi
