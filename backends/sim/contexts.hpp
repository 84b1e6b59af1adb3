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
#include <new>
#include <string>

namespace baton::sim::detail {

// Room for each rank's own bookkeeping (its recent calls: history.hpp), `bytes` a rank at
// of(rank), aligned for any such object. Fiber contexts carve it out of the top of each rank's
// stack, in the page the rank's first frames touch anyway: a million ranks' bookkeeping then costs
// no memory of its own, and a rank's call finds it in the page it runs on (no cache or TLB miss of
// a table indexed by rank). Null `base`: the contexts have none (threads).
struct rank_rooms {
    std::byte* base = nullptr;
    std::size_t stride = 0;
    std::size_t bytes = 0;
    std::byte* of(int rank) const { return base + static_cast<std::size_t>(rank) * stride; }
    // `bytes` of each room from `offset` on, for one of the things kept there (none without rooms).
    rank_rooms part(std::size_t offset, std::size_t size) const {
        return base ? rank_rooms{base + offset, stride, size} : rank_rooms{};
    }
};

// `bytes` rounded up to whole cache lines: the share of a room one thing kept there takes.
constexpr std::size_t room_lines(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

// For a destroying operator delete of a class whose objects are made on the heap or, placed, in
// a rank's room (a rank's world communicator): its owners delete it alike, and only the heap's
// memory is given back (`placed` is read before the object is gone).
template <class T>
void delete_unless_placed(T* object, bool placed) {
    object->~T();
    if (!placed) ::operator delete(object);
}

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
    // Each rank's room, if these contexts have one.
    virtual rank_rooms rooms() const { return {}; }
    // Memory of `rank`'s outside the frames it returns through that it reads as soon as it runs
    // again (its world communicator's objects, on the heap; the program's handle on it, in the
    // frame that calls the program: program_starts): fiber contexts read `bytes` from each address with the
    // rank's stack before resuming it, so that at 100 000 ranks and more those misses overlap
    // with the others instead of following them (issue 17). A hint: contexts may ignore it.
    virtual void read_when_resumed(int /*rank*/, const void* /*first*/, const void* /*second*/, std::size_t /*bytes*/) {}
    // The object at `first` is going away: if read_when_resumed named it for `rank`, nothing more
    // is read (its memory may be given back to the system).
    virtual void forget_when_resumed(int /*rank*/, const void* /*first*/) {}
    // Whether these contexts read a rank's memory before resuming it (fiber contexts, at 4 096
    // ranks and more): then what only the caller knows the rank will read of the rest of its room
    // is the caller's to read (make_fiber_contexts' room_read_bytes).
    virtual bool reads_ahead() const { return false; }
    // From rank `rank`, right before it calls the program's function: the frames a rank returns
    // through while the program runs are all below this call's caller; those above (the rank's
    // start) are only returned to when the program returns, and are not read at each resumption.
    virtual void program_starts(int /*rank*/) {}
    // Rank `rank` may be resumed after the next rank to run: contexts that read ahead start on
    // the memory where what they read of it is found (its page, and where it gave the CPU up).
    virtual void read_soon(int /*rank*/) {}
};

using rank_entry = std::function<void(int rank)>;

std::unique_ptr<rank_contexts> make_thread_contexts(int ranks, rank_entry entry);
// `stack_bytes` of stack per rank, rounded up to whole pages, the top `room_bytes` of which are
// the rank's room (rank_rooms) and not its stack. Of the room, the first `room_read_bytes` (all of
// it unless told) are read at each resumption: when the contexts read ahead, they read those, and
// the caller reads what it knows the rank will read of the rest.
std::unique_ptr<rank_contexts> make_fiber_contexts(int ranks, std::size_t stack_bytes, rank_entry entry,
                                                   std::size_t room_bytes = 0,
                                                   std::size_t room_read_bytes = ~std::size_t{0});

// For the messages that say why ranks could not be started (limits.cpp).
// "256 KiB", "7.8 GiB": bytes in binary units, to one decimal.
std::string in_binary_units(std::uint64_t bytes);
// "this process may reserve only 3.7 GiB of address space (ulimit -v)", or empty when unlimited.
std::string address_space_limit();
// The machine's memory and swap in bytes (0 if unknown).
std::uint64_t memory_and_swap();

}  // namespace baton::sim::detail
