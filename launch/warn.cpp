#include "warn.hpp"

#include <iostream>

#include "mpiexec.hpp"

namespace baton::launch {

void warn(const std::string& text) {
    if (first_process()) std::cerr << "baton: warning: " << text << '\n';
}

}  // namespace baton::launch
