// MPI's predefined datatypes and reductions, as baton's backends describe them.
#pragma once

#include <array>
#include <source_location>
#include <string_view>

#include <baton/backend.hpp>

#include <mpi.h>

namespace baton::capi {

// Every predefined datatype as the backends take it, by handle; a size of 0 where no datatype is.
inline constexpr int predefined_types = MPI_LONG_DOUBLE_INT + 1;
extern const std::array<type_desc, predefined_types> predefined;

// The predefined datatype a handle names, or nullptr: what every call's buffers look up.
inline const type_desc* predefined_type(MPI_Datatype datatype) {
    if (datatype <= 0 || datatype >= predefined_types) return nullptr;
    const type_desc& found = predefined[static_cast<std::size_t>(datatype)];
    return found.size ? &found : nullptr;
}

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
