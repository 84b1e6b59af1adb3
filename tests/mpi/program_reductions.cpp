// The differential test's reductions, by element type: each group is compiled in its own file
// (program_reductions.hpp).
#include <stdexcept>

#include <fmt/format.h>

#include "program_reductions.hpp"

namespace differential {

void run_reduction_step(const step& s, communicator& c, const step_log& log) {
    if (run_wide_integer_reduction_step(s, c, log) || run_integer_reduction_step(s, c, log) ||
        run_floating_reduction_step(s, c, log) || run_other_reduction_step(s, c, log))
        return;
    throw std::logic_error(fmt::format("element type {} has no reduction group", static_cast<int>(s.type)));
}

}  // namespace differential
