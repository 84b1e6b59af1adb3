// The MPI C API, without the deprecated C++ bindings that some mpi.h pull in: how baton's MPI
// backend and <baton/mpi.hpp> include <mpi.h>.
#pragma once

#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif

#include <mpi.h>
