// Binding a run's ranks to one core (core_binding.hpp).
#include "core_binding.hpp"

namespace baton::sim::detail {

int usable_cores() noexcept {
    cpu_set_t cores;
    CPU_ZERO(&cores);
    if (::sched_getaffinity(0, sizeof cores, &cores) != 0) return 1;
    return CPU_COUNT(&cores);
}

bool binds_to_one_core(const options& opts) noexcept {
    if (opts.bind_to == binding::none) return false;
    switch (opts.context) {
    case rank_context::process: return true;
    case rank_context::thread: return !each_rank_has_a_core(opts.ranks);
    case rank_context::fiber: return false;
    }
    return false;
}

one_core_scope::one_core_scope(bool bind) noexcept {
    if (!bind || ::sched_getaffinity(0, sizeof before_, &before_) != 0 || CPU_COUNT(&before_) < 2) return;
    const int here = ::sched_getcpu();
    if (here < 0 || !CPU_ISSET(here, &before_)) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(here, &one);
    bound_ = ::sched_setaffinity(0, sizeof one, &one) == 0;
}

one_core_scope::~one_core_scope() {
    if (bound_) (void)::sched_setaffinity(0, sizeof before_, &before_);
}

}  // namespace baton::sim::detail
