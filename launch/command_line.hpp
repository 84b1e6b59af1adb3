// baton's options, from the command line and the environment (BATON_RANKS, ...): what `--help`
// lists, how each value is checked, and which options would do nothing.
#pragma once

#include <variant>

#include "settings.hpp"

namespace baton::launch {

// Reads baton's options and takes them out of argv, leaving the program its own arguments in their
// order, as MPI_Init does. Returns the settings to run with, or the exit status to stop with at
// once: 0 after --help, 2 after a bad value (said on stderr in one line).
std::variant<settings, int> read_settings(int& argc, char**& argv);

}  // namespace baton::launch
