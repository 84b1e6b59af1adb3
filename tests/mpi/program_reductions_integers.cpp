// The differential test's reductions on 16- and 8-bit integers (program_reductions.hpp).
#include <complex>
#include <cstdint>

#include "program_reductions.hpp"

namespace differential {

bool run_integer_reduction_step(const step& s, communicator& c, const step_log& log) {
    return run_reduction_step_of<std::int16_t, std::uint8_t>(s, c, log);
}

}  // namespace differential
