// Running a baton program on MPI: what baton::run calls when the program was started by mpiexec
// (or with --backend mpi).
#pragma once

#include <functional>

namespace baton {
class communicator;
}

namespace baton::mpi {

struct launch_options {
    bool synchronous_sends = false;  // --sends synchronous: every send is MPI_Ssend
    unsigned rank_timeout_seconds = 0;  // --rank-timeout: see watchdog.hpp (0: none)
};

// Initializes MPI (unless the program already has), runs `body` on this process's rank of a
// duplicate of MPI_COMM_WORLD named "world", and finalizes MPI. A rank whose body throws prints
// the exception on stderr and calls MPI_Abort, so that the whole job ends instead of hanging.
// Returns the process's exit status.
int run_world(int& argc, char**& argv, const launch_options& options,
              const std::function<void(communicator&)>& body);

}  // namespace baton::mpi
