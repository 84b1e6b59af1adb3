// --break-at on process ranks: the rank that runs at the step asked for is a process of its own,
// so it is that process, not the engine's, that must stop for a debugger.
//
// The engine says so to the rank's process (wire verb debug_stop, with the answer to its call or
// before its start) and prints the process's id. The process then raises SIGTRAP, as a thread or
// fiber rank does, when that can stop in a debugger or reach the program's own handler: when it
// is being traced already, or when the program handles SIGTRAP. Otherwise a SIGTRAP would only
// kill it (a debugger started on the program follows the engine's process, not its forks), so it
// first waits for a debugger to attach — the classic "wait until gdb attaches" of MPI programs,
// done for the user.
#pragma once

#include <cstdint>

namespace baton::sim::detail {

// In a rank's process: stops for a debugger as described above, then returns.
void stop_for_debugger();

// Whether a debugger traces this process (gdb started it, or attached to it).
bool debugger_attached();

// In the engine's process: what it prints when rank `rank`, in process `pid` (its own, or the
// engine's for a thread or fiber rank), stops at `step` of --break-at, or before its code starts
// (--debug-rank, `step` 0).
void say_rank_stops_for_debugger(int rank, long pid, std::uint64_t step);

}  // namespace baton::sim::detail
