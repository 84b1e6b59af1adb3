// An MPI program's main, run as one rank: what libbaton-mpi's main does for each rank, and what
// the checker corpus does for each of its C programs (tests/corpus/c).
#pragma once

#include <baton/communicator.hpp>

namespace baton::capi {

// Runs `program_main(argc, argv)` as the calling rank of `world` (the program's MPI calls find
// this rank's state); throws, failing the rank, when it returns non-zero or without MPI_Finalize.
void run_program(communicator& world, int (*program_main)(int, char**), int argc, char** argv);

}  // namespace baton::capi
