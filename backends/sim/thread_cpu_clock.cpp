// The calling thread's CPU time without a system call on most readings.
//
// Measured compute reads the thread's CPU clock when a rank leaves a baton call and again when it
// enters the next one. CLOCK_THREAD_CPUTIME_ID is a system call (about 0.3 us here, more with
// the kernel's speculation mitigations); two per call were most of what measured compute cost
// (bench (k)). CLOCK_MONOTONIC is answered by the vDSO in user space (about 20 ns).
//
// Why a wall-clock reading gives the same CPU time: a thread's CPU clock advances exactly as fast
// as the wall clock while the thread is on a CPU, and stands still while it is not. So from one
// exact reading of both (the anchor), as long as the thread has kept its CPU since, its CPU time
// is anchor.cpu + (wall now - anchor.wall).
//
// Whether it kept its CPU: glibc (2.35 and later) registers every thread's rseq area with the
// kernel (restartable sequences). The area's rseq_cs field names the critical section the thread
// is in; whenever the kernel switches the thread out (preempted or blocked), migrates it or gives
// it a signal, it looks at the field on the thread's way back to user space and, unless the
// thread stopped inside the section named, sets the field to zero. We set it to a section no
// instruction is in (empty_section below): it keeps our value exactly as long as the thread has
// not been switched out. Reading it is one load. (rseq_cs field comment in <linux/rseq.h>: "set
// to NULL by the kernel ... when the kernel detects that it is preempting or delivering a signal
// outside of the range targeted by the rseq_cs".) Code of the program's own that uses rseq
// critical sections writes its own section there: then the value is not ours and we read the
// clock again, which is only slower.
//
// What the mark cannot see: time a hypervisor takes the virtual CPU away (steal time) and, with
// CONFIG_IRQ_TIME_ACCOUNTING, interrupt handling; neither switches the thread out, and the CPU
// clock leaves both out (seen here: a reading 10 us ahead of the next exact one). An anchor is
// therefore used for at most max_extrapolation_ns of wall time: no reading is further than that
// ahead of the exact one, and it is exact when neither happened. Readings never go back (one
// ahead holds the clock until the exact one passes it), so what a thread's successive intervals
// are charged adds up to its exact CPU time within those 50 us: time is at most moved from one
// interval to the next. The fresh anchors cost at most one system call per 50 us of a thread's
// running (under 1 %). Thread ranks block at every hand-off, so their first reading after one is a
// system call: one per call instead of two. Fiber ranks all run on one thread and switch in user
// space: almost every reading is cheap.
//
// A kernel that leaves the field alone when a thread blocks (probed once: a short sleep must
// clear it), a thread without an rseq area (glibc older than 2.35, the glibc.pthread.rseq=0
// tunable, valgrind) or another architecture: every reading is the system call.
#include "thread_cpu_clock.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <ctime>

#include <pthread.h>

#if defined(__linux__) && defined(__has_include)
#if __has_include(<sys/rseq.h>) && (defined(__x86_64__) || defined(__aarch64__))
#include <sys/rseq.h>
#if defined(RSEQ_SIG)
#define BATON_CPU_CLOCK_RSEQ 1
#endif
#endif
#endif

namespace baton::sim::detail {
namespace {

constexpr std::int64_t max_extrapolation_ns = 50'000;

std::atomic<std::uint64_t> system_reads{0};

std::int64_t exact_cpu_ns() {
    system_reads.fetch_add(1, std::memory_order_relaxed);
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

#ifdef BATON_CPU_CLOCK_RSEQ

// The kernel checks a section's abort address even when the thread is not inside it: the 4 bytes
// before it must be the signature glibc registered. Nothing ever jumps there.
alignas(4) const std::uint32_t signature_then_abort[2] = {RSEQ_SIG, 0};
// Starts at address 0 and is 0 bytes long: no instruction pointer is ever inside.
const struct rseq_cs empty_section = {0, 0, 0, 0, reinterpret_cast<std::uintptr_t>(&signature_then_abort[1])};

std::uint64_t our_mark() { return reinterpret_cast<std::uintptr_t>(&empty_section); }

void* thread_pointer() {
#if defined(__x86_64__)
    void* self = nullptr;
    asm("mov %%fs:0, %0" : "=r"(self));  // the TCB's pointer to itself: the thread pointer
    return self;
#else
    void* self = nullptr;
    asm("mrs %0, tpidr_el0" : "=r"(self));
    return self;
#endif
}

// The calling thread's rseq_cs field, or null when it has no rseq area registered.
volatile std::uint64_t* field_of_this_thread() {
    if (__rseq_size == 0) return nullptr;
    char* area = static_cast<char*>(thread_pointer()) + __rseq_offset;
    const auto cpu_id = *reinterpret_cast<volatile std::int32_t*>(area + offsetof(struct rseq, cpu_id));
    if (cpu_id < 0) return nullptr;  // RSEQ_CPU_ID_UNINITIALIZED or _REGISTRATION_FAILED
    return reinterpret_cast<volatile std::uint64_t*>(area + offsetof(struct rseq, rseq_cs));
}

struct cpu_anchor {
    std::int64_t cpu = 0, wall = 0;
    std::int64_t last = 0;                    // the latest reading given
    volatile std::uint64_t* field = nullptr;  // null: every reading is the system call
    bool looked = false;                      // field found (or not) for this thread
    bool valid = false;                       // cpu and wall read after the mark was set
};
thread_local cpu_anchor this_threads_anchor;

// Once per process: does this kernel clear the mark when a thread blocks? (Preemption clears it
// on every kernel that has rseq; a kernel that only does that would be wrong for a rank that
// sleeps or waits for I/O.) A forked child starts with a new CPU clock: forget the anchor there.
bool kernel_clears_the_mark() {
    static const bool clears = [] {
        ::pthread_atfork(nullptr, nullptr, [] {
            this_threads_anchor.valid = false;
            this_threads_anchor.last = 0;
        });
        volatile std::uint64_t* field = field_of_this_thread();
        if (field == nullptr) return false;
        *field = our_mark();
        std::atomic_signal_fence(std::memory_order_seq_cst);
        const timespec nap{0, 20'000};  // sleeping switches this thread out
        ::nanosleep(&nap, nullptr);
        std::atomic_signal_fence(std::memory_order_seq_cst);
        const bool cleared = *field != our_mark();
        *field = 0;
        return cleared;
    }();
    return clears;
}

#endif

}  // namespace

std::int64_t thread_cpu_ns() {
#ifdef BATON_CPU_CLOCK_RSEQ
    cpu_anchor& a = this_threads_anchor;
    const std::int64_t wall = clock_ns(CLOCK_MONOTONIC);
    // The mark is looked at after the wall clock: unchanged, the thread had its CPU until `wall`.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (a.valid && *a.field == our_mark() && wall - a.wall < max_extrapolation_ns)
        return a.last = std::max(a.last, a.cpu + (wall - a.wall));
    if (!a.looked) {
        a.looked = true;
        a.field = kernel_clears_the_mark() ? field_of_this_thread() : nullptr;
    }
    if (a.field != nullptr) {
        // Marked first: a switch at any point after this clears it, and the next reading is exact.
        *a.field = our_mark();
        std::atomic_signal_fence(std::memory_order_seq_cst);
        a.cpu = exact_cpu_ns();
        a.wall = clock_ns(CLOCK_MONOTONIC);
        a.valid = true;
        return a.last = std::max(a.last, a.cpu);
    }
#endif
    return exact_cpu_ns();
}

void thread_cpu_clock_unmark() {
#ifdef BATON_CPU_CLOCK_RSEQ
    cpu_anchor& a = this_threads_anchor;
    if (a.field != nullptr && *a.field == our_mark()) *a.field = 0;
    a.valid = false;
#endif
}

bool thread_cpu_clock_is_cheap() {
#ifdef BATON_CPU_CLOCK_RSEQ
    return kernel_clears_the_mark() && field_of_this_thread() != nullptr;
#else
    return false;
#endif
}

std::int64_t clock_ns(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

std::uint64_t thread_cpu_clock_system_reads() { return system_reads.load(std::memory_order_relaxed); }

}  // namespace baton::sim::detail
