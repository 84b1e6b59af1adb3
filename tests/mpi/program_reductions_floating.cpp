// The differential test's reductions on floating point (program_reductions.hpp).
#include <complex>
#include <cstdint>

#include "program_reductions.hpp"

namespace differential {

bool run_floating_reduction_step(const step& s, communicator& c, const step_log& log) {
    return run_reduction_step_of<float, double, long double>(s, c, log);
}

}  // namespace differential
