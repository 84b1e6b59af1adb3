// What a simulated rank runs on: its own OS thread (the default) or a fiber, a user-space context
// with its own stack, all of them on the thread that called sim::run.
//
// Either way exactly one rank runs at a time and the engine decides which; this interface only
// moves the CPU where the engine says. Threads let debuggers, sanitizers and thread_local work as
// users expect; fibers switch in nanoseconds instead of microseconds and fit 100 000 ranks in a
// few GiB (their stacks are reserved, and memory is only taken for the pages a rank touches).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace baton::sim::detail {

class rank_contexts {
public:
    virtual ~rank_contexts() = default;

    // Makes rank `rank`'s context. The first time it gets the CPU it calls the entry function
    // given to the factory with its rank; when that returns, the context is over. Throws an error
    // saying what was asked for and what to change when the machine has no more threads or memory
    // (as do the factories, which reserve what every rank needs at once).
    virtual void create(int rank) = 0;
    // From the thread that runs the simulation: gives the CPU to `first` and returns once some
    // rank has called leave(self, -1) and every context has ended.
    virtual void run(int first) = 0;
    // From the running rank `self`: gives the CPU to `next`; returns when `self` gets it back.
    virtual void transfer(int self, int next) = 0;
    // From the running rank `self`, whose entry function is about to return: gives the CPU to
    // `next`, or ends run() when `next` is -1 (every rank has finished).
    virtual void leave(int self, int next) = 0;
};

using rank_entry = std::function<void(int rank)>;

std::unique_ptr<rank_contexts> make_thread_contexts(int ranks, rank_entry entry);
// `stack_bytes` of stack per rank, rounded up to whole pages.
std::unique_ptr<rank_contexts> make_fiber_contexts(int ranks, std::size_t stack_bytes, rank_entry entry);

// For the messages that say why ranks could not be started (limits.cpp).
// "256 KiB", "7.8 GiB": bytes in binary units, to one decimal.
std::string in_binary_units(std::uint64_t bytes);
// "this process may reserve only 3.7 GiB of address space (ulimit -v)", or empty when unlimited.
std::string address_space_limit();
// The machine's memory and swap in bytes (0 if unknown).
std::uint64_t memory_and_swap();

}  // namespace baton::sim::detail
