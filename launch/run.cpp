// baton::run: reads baton's options, takes them out of argv, and hands the rank function to the
// backend they pick from the table (backends.hpp).
#include <baton/run.hpp>

#include <variant>

#include "backends.hpp"
#include "command_line.hpp"

namespace baton {

int run(int& argc, char**& argv, const std::function<void(communicator&)>& body) {
    auto read = launch::read_settings(argc, argv);
    if (const int* status = std::get_if<int>(&read)) return *status;
    const launch::settings& chosen = std::get<launch::settings>(read);
    const launch::backend& picked = launch::pick(chosen.backend);
    if (!picked.run) return launch::missing(picked, chosen.backend != "auto");
    return picked.run(argc, argv, chosen, body);
}

}  // namespace baton
