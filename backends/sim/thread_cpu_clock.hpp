// The calling thread's CPU time, read on every baton call with measured compute time
// (compute_time.cpp), without a system call on most of them (thread_cpu_clock.cpp says how and
// why that reads the same time).
#pragma once

#include <cstdint>
#include <ctime>

namespace baton::sim::detail {

// Nanoseconds of CPU time the calling thread has used: CLOCK_THREAD_CPUTIME_ID's count.
std::int64_t thread_cpu_ns();

// `clock`'s reading in nanoseconds (a system call for CPU clocks: use thread_cpu_ns for the
// calling thread's).
std::int64_t clock_ns(clockid_t clock);

// Takes the calling thread's mark back (a run ends): the kernel would otherwise keep looking at
// baton's section until the thread is next switched out, and a shared libbaton may be unloaded.
void thread_cpu_clock_unmark();

// Whether thread_cpu_ns can usually answer without a system call on this machine (the kernel
// tells a thread when it was switched out, through glibc's rseq area); otherwise every reading
// is a system call, as exact but slower.
bool thread_cpu_clock_is_cheap();

// How many times thread_cpu_ns has read the kernel's clock (a system call), on every thread
// together: tests check that the cheap path is the common one.
std::uint64_t thread_cpu_clock_system_reads();

}  // namespace baton::sim::detail
