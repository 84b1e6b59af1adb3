// libbaton-mpi's main: the program's own main (renamed baton_mpi_main by baton's mpi.h) runs once
// per rank, on the simulator by default, with baton's options taken out of argv first.
#include <string>
#include <vector>

#include <baton/detail/results.hpp>
#include <baton/errors.hpp>
#include <baton/run.hpp>
#include <baton/sim.hpp>

#include "globals_note.hpp"
#include "rank_state.hpp"

#undef main  // mpi.h renames the program's main; this is the real one

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&argc, &argv](baton::communicator& world) {
        const baton::capi::rank_scope scope(world.impl());
        // Simulated ranks that share one process (threads, fibers) share the program's globals.
        if (baton::sim::running_rank() == 0 && !baton::sim::detail::in_process_rank()) baton::capi::note_writable_globals();
        // Each rank's own argv array, as each MPI process has one (the strings are shared).
        std::vector<char*> arguments(argv, argv + argc + 1);
        const int status = baton_mpi_main(argc, arguments.data());
        if (status != 0) throw baton::error("its main returned " + std::to_string(status));
        // As under mpiexec, a rank that ends without MPI_Finalize (having called MPI_Init) fails.
        const auto& state = baton::capi::current("main", {}, /*any_time=*/true);
        if (state.initialized && !state.finalized)
            throw baton::usage_error("its main returned without calling MPI_Finalize");
    });
}
