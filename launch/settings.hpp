// What baton's options chose for a run (read by command_line.cpp), handed to the backend that runs
// it (backends.hpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <baton/sim.hpp>

namespace baton::launch {

struct settings {
    // Most options are the simulator's; of these the MPI backend reads `sends` (synchronous or not)
    // and `rank_timeout_seconds`.
    sim::options sim;
    std::string backend = "auto";  // a name from the table of backends, or "auto"
    std::string report_json;  // where to write the findings as JSON, if anywhere
    std::string report_dot;   // where to write a deadlock's wait-for graph
    std::size_t explore = 0;  // executions to explore (0: run once)
    std::optional<sim::output_comparison> deterministic;  // --deterministic: compare the output
    std::string trace;     // Chrome trace-event JSON of the run, if wanted
    std::string timeline;  // the same as text
    // --profile: the profile on stderr at the end; --profile-json: the same as JSON in this file
    // (either one profiles the run, on both backends).
    bool profile = false;
    std::string profile_json;
    bool profiling() const { return profile || !profile_json.empty(); }
    // The simulator's options given on the command line, as given ("--ranks 7"): on MPI they do
    // nothing, and the MPI backend says so (an environment variable set for a whole test suite is
    // not worth the line).
    std::vector<std::string> simulator_only;
};

}  // namespace baton::launch
