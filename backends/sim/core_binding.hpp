// Which cores a run's ranks use (options::bind_to): one, when handing the CPU over is cheaper there.
#pragma once

#include <sched.h>

#include <baton/sim.hpp>

namespace baton::sim::detail {

// The cores the calling thread may run on (its affinity: taskset, a container's cpuset), which
// can be fewer than the machine has (std::thread::hardware_concurrency counts those).
int usable_cores() noexcept;

// Whether `ranks` thread ranks each have a usable core of their own: then a waiting rank spins
// on its core (thread_contexts), and the run is not bound to one core.
inline bool each_rank_has_a_core(int ranks) noexcept { return ranks <= usable_cores(); }

// Whether a run with these options binds its ranks to one core: process ranks always, thread ranks
// when they are more than the usable cores (with a core each they spin instead: thread_contexts),
// fiber ranks never (they all run on the caller's thread anyway); never with binding::none.
bool binds_to_one_core(const options& opts) noexcept;

// For its life, binds the calling thread to the core it is running on; the threads it starts and
// the processes it forks meanwhile inherit that core, and keep it. Why: exactly one rank runs at a
// time, so one core loses no parallelism, and handing the CPU to a thread or process on the same
// core costs a few microseconds, while waking one on another core costs tens (an inter-processor
// interrupt, dearer in a virtual machine; bench/run.py case (i) has both). Gives the thread its
// cores back at the end. Does nothing when asked not to, when the thread may use one core only, or
// when the system refuses (a binding is an optimisation, never a reason to fail a run).
class one_core_scope {
public:
    explicit one_core_scope(bool bind) noexcept;
    ~one_core_scope();
    one_core_scope(const one_core_scope&) = delete;
    one_core_scope& operator=(const one_core_scope&) = delete;

private:
    cpu_set_t before_{};
    bool bound_ = false;
};

}  // namespace baton::sim::detail
