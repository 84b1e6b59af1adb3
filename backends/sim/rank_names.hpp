// Ranks named in the tools that list threads and processes (issue 18).
#pragma once

namespace baton::sim::detail {

// Names the calling thread "rank N": what gdb's `info threads`, top -H and ps show of a thread
// rank's thread, and of a process rank's process (its main thread's name is the process's).
// Fiber ranks share their thread and are not named. A name that cannot be set is left as it was.
void name_after_rank(int rank) noexcept;

}  // namespace baton::sim::detail
