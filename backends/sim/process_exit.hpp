// A rank that aborts (std::abort, a failed assert) or calls exit() ends the whole process: every
// rank is a thread of it. The run cannot be unwound then, but the user can still be told which
// rank did it and how to replay the run, and exit() cannot pass for success.
#pragma once

#include <string>

namespace baton::sim::detail {

// Installs the SIGABRT and exit handlers that say which rank ended the process (once per process).
void install_exit_handlers();
// Marks the calling thread as running rank `rank` of a run replayed by `replay` (null: no longer
// a rank). Cheap: fibers call it at every switch.
void mark_rank_thread(int rank, const std::string* replay);
// The rank last marked on the calling thread (-1: none).
int current_rank() noexcept;

}  // namespace baton::sim::detail
