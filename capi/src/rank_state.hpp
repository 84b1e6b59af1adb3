// What the MPI C API keeps for each rank: whether it called MPI_Init and MPI_Finalize, and its
// handles' tables (communicators, requests). A rank's state is found from the running rank, so
// that threads, fibers and processes each find their own (one rank per process on MPI).
#pragma once

#include <memory>
#include <source_location>
#include <string_view>
#include <vector>

#include <baton/backend.hpp>

#include <mpi.h>

namespace baton::capi {

struct rank_state {
    explicit rank_state(backend::comm_impl& world) : world(world) {}

    backend::comm_impl& world;
    bool initialized = false;
    bool finalized = false;
    // Requests by handle: index h - 1 is handle h (MPI_REQUEST_NULL is 0); a slot is reused
    // once its request is complete.
    std::vector<std::unique_ptr<backend::request_impl>> requests;
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

// The running rank's state; `operation` is the MPI function asking, for the error when there is
// none (a call from outside the ranks). Throws when MPI_Init was not called yet or MPI_Finalize
// was, unless `any_time` (MPI_Initialized, MPI_Finalized, ...).
rank_state& current(std::string_view operation, const std::source_location& where, bool any_time = false);

// The communicator a handle names, or a usage_error naming the call.
backend::comm_impl& comm_of(rank_state& rank, MPI_Comm comm, std::string_view operation,
                            const std::source_location& where);

}  // namespace baton::capi
