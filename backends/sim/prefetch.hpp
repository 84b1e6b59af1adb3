// Reading memory before it is needed (issue 17). At 100 000 fiber ranks and more, every rank's
// stack, room and collective call is a cache and TLB miss each time the engine reaches it; a loop
// over all ranks that meets each miss in turn waits for memory once per rank, and a rank resumed
// with its stack cold waits once per frame it returns through (after a switch the CPU mispredicts
// those returns, so their loads do not overlap). Reading a few ranks ahead, or all the lines a
// resumed rank will read at once, lets the misses overlap.
//
// These are plain loads, not prefetch instructions: in a KVM guest (where bench (c) was measured)
// a software prefetch that misses the TLB was dropped, and asking for a rank's stack lines by
// __builtin_prefetch before resuming it changed nothing; loads of the same lines took a fifth off
// an allreduce at 100 000 ranks. A load does not fault on memory that is mapped, which is all a
// caller may pass.
//
// One prefetch instruction does pay: for the first line of the rank guessed to run after the next
// one (fiber_contexts.cpp's read_soon), issued a whole rank's turn ahead. What it buys is the page
// walk of the rank's page, which is most of what resuming a rank waits for first at 100 000 ranks:
// perf finds the prefetch itself waiting there (the walk is done, not dropped), and as a load it
// held up every instruction behind it for as long (an allreduce at 100 000 ranks took ~15 % longer).
#pragma once

#include <cstddef>
#include <cstdint>

namespace baton::sim::detail {

constexpr std::size_t cache_line = 64;

// Loads the byte at `address` and drops it. Not instrumented: it may read another fiber's stack,
// where AddressSanitizer keeps the redzones of that fiber's frames.
__attribute__((no_sanitize("address", "thread"))) inline void touch(const void* address) {
    (void)*static_cast<const volatile unsigned char*>(address);
}

// Every line of [from, from + bytes).
__attribute__((no_sanitize("address", "thread"))) inline void touch_lines(const void* from, std::size_t bytes) {
    auto line = reinterpret_cast<std::uintptr_t>(from) & ~(std::uintptr_t{cache_line} - 1);
    const auto end = reinterpret_cast<std::uintptr_t>(from) + bytes;
    for (; line < end; line += cache_line) (void)*reinterpret_cast<const volatile unsigned char*>(line);
}

// How far ahead a loop over ranks reads: enough misses in flight to cover memory's latency, few
// enough that the lines are still there when the loop reaches them.
constexpr int read_ahead = 8;

}  // namespace baton::sim::detail
