// Which baton call this MPI rank is in, or made last: what it says when it is stopped (SIGTERM
// from mpiexec, Ctrl-C) or runs its own code for longer than the rank timeout (watchdog.hpp).
#pragma once

#include <baton/backend.hpp>

namespace baton::mpi::detail {

// Held for the duration of each baton call on MPI (the outermost one counts: a send may wait
// on a request inside). Cheap: a few stores.
class current_call {
public:
    // `operation`: a literal.
    current_call(const char* operation, const backend::location& where) noexcept;
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
