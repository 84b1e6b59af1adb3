// baton::wtime() reads MPI_Wtime on the calling thread while a clock_scope lives (clock.cpp).
#pragma once

#include <baton/clock.hpp>

namespace baton::mpi::detail {

struct clock_scope {
    clock_scope() noexcept;
    ~clock_scope();
    clock_scope(const clock_scope&) = delete;
    clock_scope& operator=(const clock_scope&) = delete;
};

}  // namespace baton::mpi::detail
