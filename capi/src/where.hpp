// Where an MPI call is in the program, as baton's reports name it.
#pragma once

#include <bit>
#include <source_location>

#include <mpi.h>

namespace baton::capi {

// The record BATON_MPI_HERE keeps for a call site has the layout of the record a
// std::source_location points to in libstdc++ and libc++ (file, function, line, column): the
// location is that pointer. Calls without a site (through &MPI_X) get a record of their own.
inline std::source_location location_of(const baton_mpi_where* where) {
    static_assert(sizeof(std::source_location) == sizeof(const baton_mpi_where*),
                  "std::source_location is one pointer to its record in the C++ libraries baton supports");
    static constexpr baton_mpi_where unknown{"(a call through a pointer to an MPI function)", "", 0, 0};
    return std::bit_cast<std::source_location>(where ? where : &unknown);
}

}  // namespace baton::capi
