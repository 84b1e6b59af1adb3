// libbaton-mpi's main: the program's own main (renamed baton_mpi_main by baton's mpi.h) runs once
// per rank, on the simulator by default, with baton's options taken out of argv first.
#include <baton/run.hpp>

#include <mpi.h>

#include "program.hpp"

#undef main  // mpi.h renames the program's main; this is the real one

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&argc, &argv](baton::communicator& world) {
        baton::capi::run_program(world, &baton_mpi_main, argc, argv);
    });
}
