// The differential test's reductions on 32- and 64-bit integers (program_reductions.hpp).
#include <complex>
#include <cstdint>

#include "program_reductions.hpp"

namespace differential {

bool run_wide_integer_reduction_step(const step& s, communicator& c, const step_log& log) {
    return run_reduction_step_of<std::int32_t, std::int64_t>(s, c, log);
}

}  // namespace differential
