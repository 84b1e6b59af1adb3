// baton::wtime() on MPI: MPI_Wtime and MPI_Wtick (clock.cpp), for baton::run to make the rank
// thread's clock (baton::detail::clock_scope).
#pragma once

#include <baton/clock.hpp>

namespace baton::mpi::detail {

baton::detail::clock_impl& mpi_clock();

}  // namespace baton::mpi::detail
