// baton::wtime() and wtick() on MPI: MPI_Wtime and MPI_Wtick, for the thread that runs the rank
// (baton::run's caller; MPI_THREAD_FUNNELED).
#include "clock.hpp"

#include <mpi.h>

namespace baton::mpi::detail {

namespace {

class mpi_clock final : public baton::detail::clock_impl {
public:
    double now() override { return MPI_Wtime(); }
    double tick() override { return MPI_Wtick(); }
};

mpi_clock the_clock;

}  // namespace

clock_scope::clock_scope() noexcept { baton::detail::use_clock(&the_clock); }
clock_scope::~clock_scope() { baton::detail::use_clock(nullptr); }

}  // namespace baton::mpi::detail
