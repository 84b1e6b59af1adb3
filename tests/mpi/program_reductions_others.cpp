// The differential test's reductions on bool, char, complex numbers and the program's own types
// (program_reductions.hpp); a step on text or tables takes no reduction and does nothing.
#include <complex>
#include <cstdint>

#include "program_reductions.hpp"

namespace differential {

bool run_other_reduction_step(const step& s, communicator& c, const step_log& log) {
    return run_reduction_step_of<bool, char, std::complex<double>, pod, affine, loc, text_tag, table_tag>(s, c, log);
}

}  // namespace differential
