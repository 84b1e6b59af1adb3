// baton::wtime() and wtick() on MPI: MPI_Wtime and MPI_Wtick, for the thread that runs the rank
// (baton::run's caller; MPI_THREAD_FUNNELED).
#include "clock.hpp"

#include <mpi.h>

namespace baton::mpi::detail {

namespace {

class wtime_clock final : public baton::detail::clock_impl {
public:
    double now() override { return MPI_Wtime(); }
    double tick() override { return MPI_Wtick(); }
};

}  // namespace

baton::detail::clock_impl& mpi_clock() {
    static wtime_clock the_clock;
    return the_clock;
}

}  // namespace baton::mpi::detail
