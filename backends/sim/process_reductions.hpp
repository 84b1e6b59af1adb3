// The builtin reductions a process rank's call may ask for, made in the engine itself: a sum of
// ints computes the same wherever it runs, so the engine need not ask the rank's process to apply
// it (a message and its answer per step of the fold). A user's function object lives in the rank's
// process, and is applied there (process_proxy.cpp).
#pragma once

#include <baton/datatype.hpp>
#include <baton/ops.hpp>

namespace baton::sim::detail {

// Sets `op.apply` and `op.context` to the engine's own for builtin `op.id` on elements of `kind`;
// false if it has none (a user operation, minloc/maxloc, a type it does not know).
bool use_local_reduction(element_kind kind, reduce_op& op);

}  // namespace baton::sim::detail
