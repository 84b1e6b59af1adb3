// libbaton-mpi's main: the program's own main (renamed baton_mpi_main by baton's mpi.h) runs once
// per rank, on the simulator by default, with baton's options taken out of argv first.
#include <baton/run.hpp>
#include <baton/sim.hpp>

#include <mpi.h>

#include "globals_note.hpp"
#include "program.hpp"

#undef main  // mpi.h renames the program's main; this is the real one

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&argc, &argv](baton::communicator& world) {
        // Simulated ranks that share one process (threads, fibers) share the program's globals.
        if (baton::sim::running_rank() == 0 && !baton::sim::detail::in_process_rank()) baton::capi::note_writable_globals();
        baton::capi::run_program(world, &baton_mpi_main, argc, argv);
    });
}
