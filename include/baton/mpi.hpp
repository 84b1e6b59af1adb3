// Interop with MPI libraries (PETSc, HDF5, a solver of one's own): the MPI_Comm under a baton
// communicator on the MPI backend, and a baton communicator over an MPI_Comm the program has.
//
// Only for programs built with MPI (this header includes <mpi.h>). A simulated communicator has
// no MPI_Comm: on the simulator both calls throw a usage_error naming the rank, the call and why.
#pragma once

#if !__has_include(<mpi.h>)
#error "baton/mpi.hpp needs <mpi.h>: baton::mpi::native and from_native are for programs built with MPI (install libopenmpi-dev)"
#endif

#include <baton/detail/mpi_c_api.hpp>

#include <source_location>

#include <baton/communicator.hpp>

namespace baton::mpi {

// The MPI_Comm of `comm`, to hand to an MPI library. It stays baton's: do not free it. baton's own
// messages on it use tags 0..max_tag like the program's, so a library that needs a quiet
// communicator should be given from_native's or one it duplicates itself.
MPI_Comm native(const communicator& comm, std::source_location where = std::source_location::current());

// A communicator over `handle` (collective over its ranks): baton takes a duplicate (MPI_Comm_dup,
// freed with the communicator), so that its messages never meet the program's and the program may
// free `handle` at once. `world` is the rank function's communicator: the new one runs on the
// same backend with the same options (--sends synchronous).
communicator from_native(MPI_Comm handle, const communicator& world,
                         std::source_location where = std::source_location::current());

}  // namespace baton::mpi
