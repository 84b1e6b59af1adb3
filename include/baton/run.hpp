// The entry point of a baton program:
//
//     int main(int argc, char** argv) {
//         return baton::run(argc, argv, [](baton::communicator& world) { ... });
//     }
//
// Started plainly, the program runs on simulated ranks. baton's own options (--ranks, --seed,
// --schedule, --sends, --backend; or BATON_RANKS, BATON_SEED, ... in the environment) are taken
// out of argc/argv before the rank function runs, as MPI_Init does, so the program sees only its
// own arguments. `--help` lists them.
#pragma once

#include <functional>

#include <baton/communicator.hpp>

namespace baton {

// Runs `body` on every rank. Returns the process's exit status: 0 when every rank finished;
// otherwise the report has been printed to stderr and the status is non-zero.
int run(int& argc, char**& argv, const std::function<void(communicator&)>& body);

}  // namespace baton
