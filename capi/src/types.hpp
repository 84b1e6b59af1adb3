// MPI's predefined datatypes and reductions, as baton's backends describe them.
#pragma once

#include <source_location>
#include <string_view>

#include <baton/backend.hpp>

#include <mpi.h>

namespace baton::capi {

// The element type a datatype handle names, or a usage_error naming the call (on `comm`).
type_desc type_of(const backend::comm_impl& comm, MPI_Datatype datatype, std::string_view operation,
                  const std::source_location& where);

// The bytes of a predefined datatype (checked already).
std::size_t basic_size(MPI_Datatype datatype);

// MPI's name of a predefined datatype (checked already): "MPI_INT".
std::string_view basic_name(MPI_Datatype datatype);

// The reduction `op` on elements of `datatype` (checked already), or a usage_error when MPI
// does not define it there (a bitwise one on floating point, ...).
reduce_op reduction_of(const backend::comm_impl& comm, MPI_Op op, MPI_Datatype datatype, std::string_view operation,
                       const std::source_location& where);

}  // namespace baton::capi
