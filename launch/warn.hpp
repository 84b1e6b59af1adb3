// "baton: warning: ..." on stderr, about an option that will not do what its user may think.
#pragma once

#include <string>

namespace baton::launch {

// Prints the warning in the first process of an mpiexec job only (mpiexec.hpp).
void warn(const std::string& text);

}  // namespace baton::launch
