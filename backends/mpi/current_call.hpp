// Which baton call this MPI rank is in, or made last: what it says when it is stopped (SIGTERM
// from mpiexec, Ctrl-C) or runs its own code for longer than the rank timeout (watchdog.hpp).
#pragma once

#include <cstddef>

#include <baton/backend.hpp>
#include <baton/profile.hpp>

namespace baton::mpi::detail {

// --profile on MPI: this rank's calls go to `recorder` (as its rank 0) with their times in seconds
// of MPI_Wtime since `start`, while it is set (null: off, and a call pays one test of a pointer).
void record_profile(baton::detail::profile_recorder* recorder, double start) noexcept;
double profile_start() noexcept;
extern baton::detail::profile_recorder* profiling;
void add_profile_bytes(const char* operation, const backend::location& where, std::size_t sent, std::size_t received);
// Bytes a call sent or received, counted at its site as on the simulator (checker::log): a
// receive's where it was posted, when its message came.
inline void profile_bytes(const char* operation, const backend::location& where, std::size_t sent,
                          std::size_t received) {
    if (profiling) [[unlikely]]
        add_profile_bytes(operation, where, sent, received);
}

// Held for the duration of each baton call on MPI (the outermost one counts: a send may wait
// on a request inside). Cheap: a few stores.
class current_call {
public:
    // `operation`: a literal.
    // A request's destructor is no call of the program's: --profile does not count it
    // (`not_profiled`), as on the simulator.
    enum profiled_call : bool { not_profiled = false, profiled = true };
    current_call(const char* operation, const backend::location& where, profiled_call counted = profiled) noexcept;
    ~current_call();
    current_call(const current_call&) = delete;
    current_call& operator=(const current_call&) = delete;

private:
    bool outermost_;
};

// Watches this process's rank for the run's duration: its state goes into the watchdog's reports.
class watched_rank {
public:
    watched_rank(int world_rank, int world_size, unsigned rank_timeout_seconds);
    ~watched_rank();
    watched_rank(const watched_rank&) = delete;
    watched_rank& operator=(const watched_rank&) = delete;
};

}  // namespace baton::mpi::detail
