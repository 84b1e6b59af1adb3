// What the MPI C API keeps for each rank: whether it called MPI_Init and MPI_Finalize, and its
// handles' tables (communicators, requests). A rank's state is found from the running rank, so
// that threads, fibers and processes each find their own (one rank per process on MPI).
#pragma once

#include <map>
#include <source_location>
#include <string_view>
#include <memory>
#include <string>
#include <source_location>
#include <string_view>
#include <vector>

#include <baton/backend.hpp>
#include <baton/sim.hpp>

#include "datatypes.hpp"
#include "handle_table.hpp"

#include <mpi.h>

namespace baton::capi {

// The first handle of a communicator made by the rank: after MPI_COMM_WORLD and MPI_COMM_SELF.
inline constexpr int first_made_comm = 3;

// A reduction of the program's own (MPI_Op_create): what a reduce_op's context points to.
struct user_operation {
    MPI_User_function* function = nullptr;
    bool commutative = true;
    // Of the call applying it: the datatype for the function's last argument and, for a derived
    // one, its type map and the bytes of one element its packed messages travel as.
    MPI_Datatype datatype = MPI_DATATYPE_NULL;
    std::shared_ptr<const derived_type> map;
    std::size_t packed_element_bytes = 0;
};

// The first handle of a reduction the program makes: after MPI's predefined ones.
inline constexpr int first_user_op = 32;

// What a request keeps until it completes, beyond its staged messages: memory its operation still
// uses (a copy of an in-place input it sends from, a block it receives and drops, packed blocks),
// and what completing it does with them (a v-form's blocks moved to the program's displacements).
struct kept_for_completion {
    virtual ~kept_for_completion() = default;
    virtual void complete() {}
    std::vector<std::byte> scratch;
};

// What an MPI_Request handle names: a pending operation, or a persistent request (MPI_Send_init,
// ...) whose `active` is its current activation, if it was started and not yet completed.
struct request_entry {
    std::unique_ptr<backend::request_impl> active;
    std::unique_ptr<backend::persistent_impl> persistent;
    // Its messages in derived datatypes: sent from, or unpacked from when it completes.
    std::vector<std::unique_ptr<staged_message>> staged;
    std::unique_ptr<kept_for_completion> kept;
};

// A group (MPI_Comm_group, MPI_Group_incl, ...): its members as world ranks, in group rank order.
struct group_entry {
    std::vector<int> world_ranks;
};

// The first handle of a group the program makes: after MPI_GROUP_NULL (0) and MPI_GROUP_EMPTY.
inline constexpr int first_made_group = 2;

// A message a matched probe (MPI_Mprobe, MPI_Improbe) found, until MPI_Mrecv or MPI_Imrecv
// receives it (matched_probes.cpp).
struct matched_message {
    MPI_Comm comm = MPI_COMM_NULL;
    int source = 0, tag = 0;
};

// An error handler the program made (MPI_Comm_create_errhandler). MPI_Errhandler_free marks it
// freed; a communicator it is set on goes on using it (MPI-3.1 §8.3.4).
struct error_handler {
    MPI_Comm_errhandler_function* function = nullptr;
    bool freed = false;
};

// The first handle of an error handler the program makes: after MPI_ERRORS_ARE_FATAL and
// MPI_ERRORS_RETURN.
inline constexpr int first_user_errhandler = 3;

// A datatype the program made: the map, shared with the messages that still use it.
struct datatype_handle {
    std::shared_ptr<derived_type> type;
};

struct rank_state {
    explicit rank_state(backend::comm_impl& world) : world(world), world_size(world.size()) {}

    backend::comm_impl& world;
    int world_size;  // world.size(), asked once: every call's rank checks compare with it
    bool initialized = false;
    bool finalized = false;
    // Communicators the rank made (MPI_COMM_WORLD is `world`; MPI_COMM_NULL is 0).
    handle_table<backend::comm_impl> comms{first_made_comm};
    std::map<MPI_Comm, std::string> comm_names;  // MPI_Comm_set_name's
    // MPI_COMM_SELF's communicator, made by the backend at its first use (a local call: no other
    // rank takes part); null until then.
    std::unique_ptr<backend::comm_impl> self;
    handle_table<group_entry> groups{first_made_group};
    // Requests (MPI_REQUEST_NULL is 0).
    handle_table<request_entry> requests{1};
    // Pending requests MPI_Request_free let go: MPI_Finalize completes those it can.
    std::vector<std::unique_ptr<backend::request_impl>> freed_requests;
    void* attached_buffer = nullptr;
    handle_table<user_operation> operations{first_user_op};
    handle_table<datatype_handle> datatypes{first_derived_type};  // MPI_Buffer_attach's, which MPI_Buffer_detach gives back
    handle_table<matched_message> messages{1};                    // MPI_MESSAGE_NULL is 0
    // Error handlers: the program's own, and each communicator's that is not MPI_ERRORS_ARE_FATAL.
    handle_table<error_handler> error_handlers{first_user_errhandler};
    std::map<MPI_Comm, MPI_Errhandler> comm_errhandlers;
    // The communicator whose error handler takes the error of the call running (errors.hpp): its
    // own, or MPI_COMM_WORLD when it has none or its communicator is not one (set by comm_of).
    MPI_Comm errors_on = MPI_COMM_WORLD;
    int universe_size = 0;  // what MPI_UNIVERSE_SIZE's attribute points to (attributes.cpp)
    int thread_level = MPI_THREAD_SINGLE;  // what MPI_Init_thread provided (MPI_Query_thread)
    std::map<MPI_Datatype, std::string> type_names;  // MPI_Type_set_name's
};

// The calling rank's state, for the rank function of libbaton-mpi's main (main.cpp) while it runs.
class rank_scope {
public:
    explicit rank_scope(backend::comm_impl& world);
    ~rank_scope();
    rank_scope(const rank_scope&) = delete;
    rank_scope& operator=(const rank_scope&) = delete;

private:
    int slot_;
};

// The states of the ranks in this process, by slot: the simulated rank's number, or slot 0 for
// the one rank of a process on MPI (rank_state.cpp registers them).
extern std::vector<std::unique_ptr<rank_state>> rank_states;

// current()'s errors, and its answer when `any_time` lets a call in before MPI_Init or after
// MPI_Finalize.
rank_state& current_or_fail(std::string_view operation, const std::source_location& where, bool any_time);

// The running rank's state; `operation` is the MPI function asking, for the error when there is
// none (a call from outside the ranks). Throws when MPI_Init was not called yet or MPI_Finalize
// was, unless `any_time` (MPI_Initialized, MPI_Finalized, ...). Inline, as every call starts with
// it: the common case is a thread-local read and a few compares. `where` is taken by value (one
// pointer), so that a caller's own copy need not be kept in memory for the rare error.
inline rank_state& current(std::string_view operation, std::source_location where, bool any_time = false) {
    const int running = sim::running_rank();
    const auto at = static_cast<std::size_t>(running >= 0 ? running : 0);
    if (at < rank_states.size()) {
        rank_state* state = rank_states[at].get();
        if (state && state->initialized && !state->finalized) [[likely]]
            return *state;
    }
    return current_or_fail(operation, where, any_time);
}

// The communicator a handle other than MPI_COMM_WORLD names, or a usage_error naming the call.
backend::comm_impl& looked_up_comm(rank_state& rank, MPI_Comm comm, std::string_view operation,
                                   const std::source_location& where);

// The communicator a handle names, or a usage_error naming the call: MPI_COMM_WORLD, which most
// calls are on, without a lookup.
inline backend::comm_impl& comm_of(rank_state& rank, MPI_Comm comm, std::string_view operation,
                                   const std::source_location& where) {
    if (comm != MPI_COMM_WORLD) return looked_up_comm(rank, comm, operation, where);
    rank.errors_on = comm;
    return rank.world;
}

// The size of `comm`, the communicator `handle` names: MPI_COMM_WORLD's as the rank keeps it (no
// virtual call), each other's its own (MPI_COMM_SELF's is 1, whatever the world's).
inline int size_of(const rank_state& rank, MPI_Comm handle, const backend::comm_impl& comm) {
    return handle == MPI_COMM_WORLD ? rank.world_size : comm.size();
}

}  // namespace baton::capi
