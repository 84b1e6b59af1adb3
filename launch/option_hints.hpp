// Warnings about the program's arguments that look like misspelled baton options: "--rank 4" goes
// to the program, and the user most likely meant --ranks.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace baton::launch {

// Warns about each argument in `program_args` (up to a "--", after which every argument is the
// program's) that is close to one of `app`'s options, unless BATON_NO_OPTION_HINTS is set.
void hint_typos(const CLI::App& app, const std::vector<std::string>& program_args);

}  // namespace baton::launch
