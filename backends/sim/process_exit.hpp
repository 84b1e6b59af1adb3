// A rank that aborts (std::abort, a failed assert) or calls exit() ends the whole process: every
// rank is a thread of it. The run cannot be unwound then, but the user can still be told which
// rank did it and how to replay the run, and exit() cannot pass for success.
#pragma once

#include <string>

namespace baton::sim::detail {

// Marks the calling thread as rank `rank` of a run replayed by `replay` (null: no longer a rank).
// The first call installs the SIGABRT and exit handlers, once per process.
void mark_rank_thread(int rank, const std::string* replay);

}  // namespace baton::sim::detail
