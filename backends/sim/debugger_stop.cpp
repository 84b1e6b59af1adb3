// Stopping a process rank for a debugger (debugger_stop.hpp).
#include "debugger_stop.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <string>

namespace baton::sim::detail {

namespace {

// Whether the program has its own SIGTRAP handler (a test's, say), which then sees the signal here.
bool program_handles_trap() {
    struct sigaction current {};
    if (::sigaction(SIGTRAP, nullptr, &current) != 0) return false;
    return (current.sa_flags & SA_SIGINFO) ? current.sa_sigaction != nullptr
                                           : current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
}

}  // namespace

// The TracerPid line of /proc/self/status, which ptrace attaching sets (there is no signal or call
// that says so).
bool debugger_attached() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("TracerPid:", 0) == 0) return std::stol(line.substr(10)) != 0;
    return false;
}

void stop_for_debugger() {
    if (!program_handles_trap()) {
        // Waiting for a person to attach a debugger: a tenth of a second between looks is quick
        // enough for them and costs nothing meanwhile.
        const timespec tenth{0, 100'000'000};
        while (!debugger_attached()) ::nanosleep(&tenth, nullptr);
    }
    std::raise(SIGTRAP);
}

void say_rank_stops_for_debugger(int rank, long pid, std::uint64_t step) {
    if (step != 0)
        std::cerr << "baton: --break-at " << step << ": rank " << rank << " runs at this step, in process " << pid
                  << "; it stops there with SIGTRAP once a debugger is attached to it (gdb -p " << pid << ")"
                  << std::endl;
    else
        std::cerr << "baton: --debug-rank " << rank << ": rank " << rank << " runs in process " << pid
                  << "; it stops before its code starts, with SIGTRAP once a debugger is attached to it (gdb -p "
                  << pid << ")" << std::endl;
}

}  // namespace baton::sim::detail
