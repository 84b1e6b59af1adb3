// What the baton bench programs share: their own command-line arguments (after baton::run has
// taken baton's out) and the wall clock. Each program prints its results as "BENCH <name> <value>"
// lines from rank 0, which bench/run.py reads.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bench {

inline long arg_long(int argc, char** argv, const char* name, long fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return std::atol(argv[i + 1]);
    return fallback;
}

inline bool arg_flag(int argc, char** argv, const char* name) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return true;
    return false;
}

inline double wall_seconds() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

inline void report(const char* name, double value) {
    std::printf("BENCH %s %.6f\n", name, value);
    std::fflush(stdout);
}

}  // namespace bench
