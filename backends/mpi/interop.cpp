// baton::mpi::native and from_native (include/baton/mpi.hpp).
#include <baton/mpi.hpp>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "comm.hpp"

namespace baton::mpi {

namespace {

// The MPI backend's object under `comm`; on the simulator, a usage_error that says why there is
// none. (On MPI, baton::run and every split and dup give mpi_comm itself.)
const detail::mpi_comm& mpi_of(const communicator& comm, std::string_view operation,
                               const std::source_location& where) {
    const backend::comm_impl& impl = comm.impl(where);
    if (const auto* on_mpi = dynamic_cast<const detail::mpi_comm*>(&impl)) return *on_mpi;
    baton::detail::throw_usage(impl, operation,
                               fmt::format("{} is a simulated communicator, which has no MPI_Comm: MPI interop needs "
                                           "the MPI backend (start the program with mpiexec)",
                                           impl.name()),
                               where);
}

}  // namespace

MPI_Comm native(const communicator& comm, std::source_location where) {
    return mpi_of(comm, "baton::mpi::native", where).handle();
}

communicator from_native(MPI_Comm handle, const communicator& world, std::source_location where) {
    constexpr std::string_view operation = "baton::mpi::from_native";
    const detail::mpi_comm& like = mpi_of(world, operation, where);
    if (handle == MPI_COMM_NULL) baton::detail::throw_usage(like, operation, "the MPI_Comm is MPI_COMM_NULL", where);
    MPI_Comm copy = MPI_COMM_NULL;
    if (MPI_Comm_dup(handle, &copy) != MPI_SUCCESS)
        baton::detail::throw_usage(like, operation, "MPI_Comm_dup of the MPI_Comm given failed", where);
    // baton's errors are exceptions: MPI must return its codes on this one too, as on the world.
    MPI_Comm_set_errhandler(copy, MPI_ERRORS_RETURN);
    return communicator(std::make_unique<detail::mpi_comm>(copy, "native", true, like.options()));
}

}  // namespace baton::mpi
