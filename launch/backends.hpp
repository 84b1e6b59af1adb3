// The backends that baton::run can hand a program to, one row each. `--backend NAME` picks a row;
// `auto` picks the first row that says it is wanted (MPI's, when mpiexec started the process),
// else the row that needs no sign (the simulator's). Each row's entry function is defined beside
// its backend (backends/sim/launch.cpp, backends/mpi/launch.cpp): this layer includes none of them.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include <baton/communicator.hpp>

#include "settings.hpp"

namespace baton::launch {

using rank_function = std::function<void(communicator&)>;

// Runs `body` on the ranks as `chosen` says, with argv holding only the program's own arguments.
// Returns the process's exit status; reports what went wrong on stderr.
using entry = int (*)(int& argc, char**& argv, const settings& chosen, const rank_function& body);

struct backend {
    std::string_view name;   // as --backend and BATON_BACKEND give it: "mpi"
    std::string_view title;  // as messages name it: "MPI"
    entry run;               // nullptr when this build of baton does not have the backend
    // Whether `auto` picks this backend (nullptr for the one picked when no other is wanted), and
    // what it checks, as --help and messages say it: "started by mpiexec".
    bool (*wanted)();
    std::string_view wanted_when;
    std::string_view runs;      // what a program runs on with it: "simulated ranks"
    std::string_view to_build;  // how to get a build of baton that has it
};

// Every backend, built or not, in the order --help names them.
std::span<const backend> backends();

// The row that `--backend NAME` (or "auto") names; `name` is one of those.
const backend& pick(std::string_view name);

// For a backend this build does not have: says so on stderr, why it was wanted (`asked`: by
// --backend or BATON_BACKEND, else by its sign) and how to get it. Returns the exit status, 2.
int missing(const backend& wanted, bool asked);

// The entry functions, each defined beside its backend.
int run_on_simulator(int& argc, char**& argv, const settings& chosen, const rank_function& body);
int run_on_mpi(int& argc, char**& argv, const settings& chosen, const rank_function& body);

}  // namespace baton::launch
