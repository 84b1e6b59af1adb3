// An MPI program's main, run as one rank (program.hpp).
#include "program.hpp"

#include <string>
#include <vector>

#include <baton/errors.hpp>

#include "rank_state.hpp"

namespace baton::capi {

void run_program(communicator& world, int (*program_main)(int, char**), int argc, char** argv) {
    const rank_scope scope(world.impl());
    // Each rank's own argv array, as each MPI process has one (the strings are shared).
    std::vector<char*> arguments(argv, argv + argc + 1);
    const int status = program_main(argc, arguments.data());
    if (status != 0) throw error("its main returned " + std::to_string(status));
    // As under mpiexec, a rank that ends without MPI_Finalize (having called MPI_Init) fails.
    const auto& state = current("main", {}, /*any_time=*/true);
    if (state.initialized && !state.finalized) throw usage_error("its main returned without calling MPI_Finalize");
}

}  // namespace baton::capi
