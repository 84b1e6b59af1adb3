// Ranks as fibers (Boost.Context), all on the thread that called sim::run.
//
// The calling thread runs a small loop: resume the rank the engine picked first, and the one a
// rank names when it gives the CPU back to the loop. A rank that gives the CPU to another rank
// jumps to that rank's fiber itself (transfer()): one switch per hand-off instead of two through
// the loop, which is most of what a hand-off costs (issue 17). The loop gets the CPU back when a
// rank ends (Boost.Context's exit path runs on the context it returns to, the loop's) and when a
// rank went below its stack (the loop ends the run, on a stack of its own). A switch is a
// register save and restore, with no system call, so handing the CPU to another rank costs
// nanoseconds instead of an OS wake-up.
//
// What a switch must carry besides the registers:
// - C++'s exception-handling state (the exceptions being caught, std::uncaught_exceptions) is
//   per thread; a rank that gives the CPU up inside a catch block must find its own again, so
//   each rank keeps its copy and the switch swaps it in and out;
// - AddressSanitizer and ThreadSanitizer must be told that the stack changed, or they report
//   errors that are not there.
//
// ThreadSanitizer keeps a shadow stack of the functions entered per fiber (each instrumented
// function pushes on entry and pops on return), so its fiber must be switched where every frame
// entered on one side of a switch also returns on that side, or is matched by one that returns
// there. Its fiber is switched in the frame that calls resume(), right before the call: that
// resume() (a function of Boost's, entered even at -O0 where it is not inlined) then pushes on the
// shadow stack of the fiber it resumes, and pops there too, since the fiber it resumes returns
// from the resume() that it entered itself when it gave the CPU up (or starts in Boost's entry
// function, whose first visit was on its own shadow stack: create()). The scheduler loop in run()
// switches so both ways around the call that resumes a rank, and a rank does so when it resumes
// another rank (transfer()). A rank that gives the CPU back to the loop does not switch: its
// resume() pushes on its own shadow stack, and the loop's resume() returns and pops there before
// the loop switches back to the thread's fiber. That keeps a finishing rank's frames (the lambda,
// the record's run(), the exit function that runs on the loop's stack) on the rank's own shadow
// stack, even when they are not inlined (-O0). Switched on the rank's side for the loop instead,
// a finishing rank's frames would return on the thread's shadow stack, popping entries it never
// pushed, until libtsan crashes in __tsan_func_exit (issue #11).
//
// And AddressSanitizer's shadow of a stack must be clean whenever a rank starts on it. A fiber
// never returns from its bottom frame (Boost's entry function switches away from it), so that
// frame's redzones stay poisoned; munmap does not clear the shadow (GCC 12's libasan does not
// intercept it), and the next run's stacks, mapped at the same addresses but not always at the
// same offsets, would find those redzones under their own live locals: a false
// stack-buffer-overflow, once in a few dozen runs, depending on where ASLR put the mappings.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/context/fiber.hpp>
#include <fmt/format.h>

#include <baton/errors.hpp>

#include "contexts.hpp"
#include "prefetch.hpp"
#include "process_exit.hpp"

#include "../common/sanitizers.hpp"
#if BATON_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if BATON_TSAN
#include <sanitizer/tsan_interface.h>
#endif

// The Itanium C++ ABI's per-thread exception state (libsupc++ and libc++abi lay it out alike).
// libstdc++'s <cxxabi.h> declares __cxa_get_globals (clang then refuses a second declaration that
// differs from it); libc++abi's does not, so it is declared here for that case.
#include <cxxabi.h>
#if !defined(__GLIBCXX__)
namespace __cxxabiv1 {
struct __cxa_eh_globals;
extern "C" __cxa_eh_globals* __cxa_get_globals() noexcept;
}  // namespace __cxxabiv1
#endif

namespace baton::sim::detail {

namespace {

namespace ctx = boost::context;

struct exception_state {
    void* caught = nullptr;
    unsigned int uncaught = 0;
};
static_assert(sizeof(exception_state) == 2 * sizeof(void*));

// This thread's exception state.
exception_state* current_exception_state() {
    return reinterpret_cast<exception_state*>(__cxxabiv1::__cxa_get_globals());
}

// Swaps the thread's exception state with `saved`.
void swap_exception_state(exception_state& saved) { std::swap(*current_exception_state(), saved); }

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

// `bytes` rounded up to whole cache lines, which also aligns a room for anything kept there.
constexpr std::size_t whole_lines(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

#if BATON_ASAN
// Marks a stack's memory addressable again for AddressSanitizer (see the top of this file). Only
// from the lowest page that has something poisoned: a stack's shadow is mostly never written, and
// writing zeros there would take memory for nothing (8 pages for a 256 KiB stack).
void clean_stack_shadow(void* bottom, std::size_t size) {
    auto* const low = static_cast<std::byte*>(bottom);
    auto* const top = low + size;
    if (!__asan_region_is_poisoned(low, size)) return;  // the usual case, one scan of the shadow
    const std::size_t page = page_size();
    for (std::byte* p = low; p < top; p += page)
        if (__asan_region_is_poisoned(p, page)) {
            __asan_unpoison_memory_region(p, static_cast<std::size_t>(top - p));
            return;
        }
}
#endif

std::size_t max_memory_maps() {
    std::ifstream in("/proc/sys/vm/max_map_count");
    std::size_t n = 65530;  // Linux's default
    in >> n;
    return n;
}

// Every rank's stack, carved out of one reserved range of addresses. Nothing is committed until
// a rank touches it, so 100 000 ranks of 256 KiB each cost address space, not memory. Each stack
// has an inaccessible guard page below it (an overflow faults instead of corrupting the next
// rank), as long as the process may have that many separate mappings: mprotect splits the range.
// Beyond that (about 30 000 ranks) only the lowest stack has one, and a rank that overflows runs
// into the stack below its own, silently: overflowed() catches that when the rank next switches.
class stack_region {
public:
    stack_region(int ranks, std::size_t stack_bytes, std::size_t room_bytes) : page_(page_size()), ranks_(ranks) {
        usable_ = whole_pages(stack_bytes);
        room_ = whole_lines(room_bytes);
        if (room_ * 2 > usable_) throw error(fmt::format("sim::run: a fiber stack of {} bytes has no room for the "
                                                          "{} bytes baton keeps at its top", usable_, room_));
        const std::size_t count = static_cast<std::size_t>(ranks);
        check_fits_in_memory(count);
        guarded_ = 2 * count + 4096 < max_memory_maps();
        stride_ = usable_ + (guarded_ ? page_ : 0);
        bytes_ = (guarded_ ? 0 : page_) + stride_ * count;  // unguarded: one guard page below them all
        void* base = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base == MAP_FAILED) throw error(cannot_reserve(count, errno));
        base_ = static_cast<std::byte*>(base);
        for (std::size_t r = 0; r < (guarded_ ? count : 1); ++r)
            if (::mprotect(base_ + r * stride_, page_, PROT_NONE) != 0) {
                ::munmap(base_, bytes_);
                throw std::system_error(errno, std::generic_category(), "guard page of a fiber stack");
            }
#if BATON_ASAN
        // What earlier stacks at these addresses left poisoned (see the top of this file) would
        // be found under the rooms, which are written before any rank starts.
        if (room_ > 0)
            for (int r = 0; r < ranks; ++r) __asan_unpoison_memory_region(room(r), room_);
#endif
    }
    ~stack_region() { ::munmap(base_, bytes_); }
    stack_region(const stack_region&) = delete;
    stack_region& operator=(const stack_region&) = delete;

    // Whether these are the stacks stack_region(ranks, stack_bytes, room_bytes) would make.
    bool made_for(int ranks, std::size_t stack_bytes, std::size_t room_bytes) const {
        return ranks == ranks_ && whole_pages(stack_bytes) == usable_ && whole_lines(room_bytes) == room_;
    }
    std::size_t reserved() const { return bytes_; }

    // The lowest usable address of `rank`'s stack, and its size (with the room at its top).
    void* bottom(int rank) const { return base_ + page_ + static_cast<std::size_t>(rank) * stride_; }
    std::size_t size() const { return usable_; }
    // `rank`'s room (rank_rooms): the top room_bytes() of its stack, which the rank's frames start
    // below.
    std::byte* room(int rank) const { return static_cast<std::byte*>(bottom(rank)) + usable_ - room_; }
    std::size_t room_bytes() const { return room_; }
    std::size_t stride() const { return stride_; }
    // Which rank's guard page holds `address`, or -1. Async-signal-safe (reads members only).
    int guard_owner(const void* address) const noexcept {
        const auto* a = static_cast<const std::byte*>(address);
        if (a < base_ || a >= base_ + bytes_) return -1;
        const auto offset = static_cast<std::size_t>(a - base_);
        return offset < page_ || (guarded_ && offset % stride_ < page_) ? static_cast<int>(offset / stride_) : -1;
    }

    // Whether `rank`, which just gave the CPU up with its stack pointer at `sp`, has gone below its
    // stack: it is down there now, or it was and wrote to the lowest bytes of its stack, which a
    // rank that stays within its stack never reaches. Those bytes are checked for the zeros they
    // were mapped with, not for a pattern written there: writing one would commit a page of memory
    // per rank (0.4 GiB at 100 000 ranks), while reading a page never written reads the kernel's
    // one zero page, shared by every rank and so in the cache. A frame may still skip the bytes or
    // write zeros there; reading a whole page at every switch would cost too much.
    // Not instrumented: under AddressSanitizer the overflowing frames' redzones may lie there.
    __attribute__((no_sanitize("address", "thread"))) bool overflowed(int rank, const void* sp) const noexcept {
        const auto* low = static_cast<const std::uint64_t*>(bottom(rank));
        std::uint64_t written = 0;
        for (std::size_t i = 0; i < canary_words; ++i) written |= low[i];
        return written != 0 || static_cast<const void*>(low + canary_words) > sp;
    }

private:
    static constexpr std::size_t canary_words = 8;  // 64 bytes: one cache line, read in a few ns

    // Each rank touches at least the top page of its stack when its fiber is made: a run that
    // needs more pages than the machine has would only end when the kernel kills the process.
    void check_fits_in_memory(std::size_t count) const {
        const std::uint64_t needed = static_cast<std::uint64_t>(count) * page_, there = memory_and_swap();
        if (there == 0 || needed <= there) return;
        throw error(fmt::format("sim::run: {} fiber ranks need at least {} of memory (a {} page of stack "
                                "each, touched when the rank is made), more than this machine's {} of "
                                "memory and swap\n  use fewer ranks",
                                count, in_binary_units(needed), in_binary_units(page_), in_binary_units(there)));
    }

    std::string cannot_reserve(std::size_t count, int mmap_error) const {
        std::string text = fmt::format("sim::run: cannot reserve {} of address space for the stacks of {} fiber "
                                       "ranks ({} bytes each{}): {}",
                                       in_binary_units(bytes_), count, usable_, guarded_ ? ", and a guard page" : "",
                                       std::strerror(mmap_error));
        if (const std::string limit = address_space_limit(); !limit.empty()) text += "\n  " + limit;
        return text + "\n  use fewer ranks or a smaller --fiber-stack";
    }

    // A stack of `bytes`, rounded up to whole pages.
    std::size_t whole_pages(std::size_t bytes) const { return (bytes + page_ - 1) / page_ * page_; }

    std::byte* base_ = nullptr;
    std::size_t page_ = 0, bytes_ = 0, stride_ = 0, usable_ = 0, room_ = 0;
    int ranks_ = 0;
    bool guarded_ = false;
};

// The stacks of the last run on this thread, kept when it ends for the next run of as many ranks
// with stacks of the same size: exploration runs one program thousands of times, and mapping,
// guarding and unmapping fresh stacks, and the page faults of a rank's first touches of its stack,
// were most of what a small run cost. A stack is never handed over while a rank runs on it, and
// its lowest bytes are still the zeros overflowed() expects (a run that wrote there ended the
// process). Only small regions are kept, so that the pages they hold on to stay few.
thread_local std::unique_ptr<stack_region> spare_stacks;
constexpr std::size_t most_spare_bytes = std::size_t{32} << 20;

std::unique_ptr<stack_region> stacks_for(int ranks, std::size_t stack_bytes, std::size_t room_bytes) {
    if (spare_stacks && spare_stacks->made_for(ranks, stack_bytes, room_bytes)) return std::move(spare_stacks);
    return std::make_unique<stack_region>(ranks, stack_bytes, room_bytes);
}

void keep_as_spare(std::unique_ptr<stack_region> stacks) {
    if (stacks->reserved() <= most_spare_bytes) spare_stacks = std::move(stacks);
}

// Hands Boost.Context a stack it did not allocate and must not free.
struct given_stack {
    ctx::stack_context stack;
    ctx::stack_context allocate() { return stack; }
    void deallocate(ctx::stack_context&) noexcept {}
};

// The stacks of the fiber run going on on this thread, for in_fiber_guard_page (initial-exec: read
// in a signal handler, where a lazy allocation of this library's TLS block must not happen).
[[gnu::tls_model("initial-exec")]] thread_local const stack_region* running_stacks = nullptr;

// The fiber run going on on this thread, for a debugger (baton_debug_fiber_context below).
class fiber_contexts;
thread_local const fiber_contexts* running_fibers = nullptr;

class fiber_contexts final : public rank_contexts {
public:
    fiber_contexts(int ranks, std::size_t stack_bytes, std::size_t room_bytes, std::size_t room_read_bytes,
                   rank_entry entry)
        : entry_(std::move(entry)), ranks_(ranks), given_room_(whole_lines(room_bytes)),
          room_read_(room_read_bytes < given_room_ ? room_read_bytes : given_room_),
          stacks_(stacks_for(ranks, stack_bytes, given_room_ + whole_lines(sizeof(slot)))),
          first_slot_(stacks_->room(0) + given_room_), slot_stride_(stacks_->stride()) {
        for (int r = 0; r < ranks_; ++r) new (slot_address(r)) slot();
    }

    ~fiber_contexts() override {
        // The engine runs every rank to its end. A rank still suspended here (run() ended early)
        // is unwound through run() and transfer(), so that the sanitizers and the exception state
        // follow each switch, instead of by Boost's forced unwinding on destruction, which
        // switches without telling them (ASan would then skip the unwound frames' shadow and
        // leave them poisoned).
        unwinding_ = true;
        for (int r = 0; r < ranks_; ++r)
            if (slot_of(r).fiber) run(r);
        for (int r = 0; r < ranks_; ++r) {
#if BATON_TSAN
            if (slot_of(r).tsan_fiber) __tsan_destroy_fiber(slot_of(r).tsan_fiber);
#endif
            slot_of(r).~slot();
        }
        keep_as_spare(std::move(stacks_));
    }

    void create(int rank) override {
        auto& s = slot_of(rank);
        ctx::stack_context stack;
        stack.size = stacks_->size() - stacks_->room_bytes();
        stack.sp = stacks_->room(rank);  // stacks grow down, from below the rank's room
        s.stack_pointer = stack.sp;
#if BATON_ASAN
        // Whatever this range held before (another run's stacks) may have left poisoned shadow.
        clean_stack_shadow(stacks_->bottom(rank), stacks_->size());
        // Making a fiber visits its stack once (Boost's entry runs there up to its first switch
        // and comes back): AddressSanitizer must know, or it would take that frame for one of this
        // thread's (and with detect_stack_use_after_return, put it on this thread's fake stack,
        // which may hand it out again while the fiber still uses it).
        void* fake_stack = nullptr;
        __sanitizer_start_switch_fiber(&fake_stack, stacks_->bottom(rank), stacks_->size());
#endif
#if BATON_TSAN
        // Making a fiber already visits its stack once (Boost's entry runs there and comes
        // back): ThreadSanitizer must see that on the fiber's own shadow stack, where Boost's
        // entry function stays entered (it never returns).
        void* const thread_tsan_fiber = __tsan_get_current_fiber();
        s.tsan_fiber = __tsan_create_fiber(0);
        __tsan_switch_to_fiber(s.tsan_fiber, 0);
#endif
        s.fiber = ctx::fiber(std::allocator_arg, given_stack{stack}, [this, rank](ctx::fiber&& from) {
            auto& me = slot_of(rank);
            arrived(me);
            keep_suspended(std::move(from));  // the scheduler loop, or the rank that handed over directly
            try {
                if (!unwinding_) entry_(rank);  // a rank that never ran is not started to be unwound
            } catch (const unwind_rank&) {
                // Torn down by the destructor; the stack is over as if entry_ had returned.
            }
            departing_for_good();
            return std::move(scheduler_);
        });
#if BATON_ASAN
        // Back on this thread's stack, without the fiber's side of the switch having run: tell
        // AddressSanitizer both halves of the way back (arrived on the fiber, left it again).
        const void* thread_bottom = nullptr;
        std::size_t thread_size = 0;
        __sanitizer_finish_switch_fiber(fake_stack, &thread_bottom, &thread_size);
        __sanitizer_start_switch_fiber(&fake_stack, thread_bottom, thread_size);
        __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
#if BATON_TSAN
        __tsan_switch_to_fiber(thread_tsan_fiber, 0);
#endif
    }

    void run(int first) override {
        // The fatal-signal handler looks for the faulting address among these stacks (a nested
        // run on a fiber rank puts the outer run's back when it ends).
        struct running_here {
            const stack_region* previous;
            const fiber_contexts* previous_fibers;
            explicit running_here(const fiber_contexts* f)
                : previous(std::exchange(running_stacks, f->stacks_.get())),
                  previous_fibers(std::exchange(running_fibers, f)) {}
            ~running_here() {
                running_stacks = previous;
                running_fibers = previous_fibers;
            }
        } here(this);
#if BATON_TSAN
        void* const thread_tsan_fiber = __tsan_get_current_fiber();
#endif
        // The ranks all run on this thread: its exception state stays where it is for the run.
        thread_exceptions_ = current_exception_state();
        next_ = first;
        if (first >= 0 && warms_) warm(first);
        while (next_ >= 0) {
            const int rank = std::exchange(next_, -1);
            auto& s = slot_of(rank);
            // Hand the thread over to the rank ...
            swap_exception_state(s.exceptions);
#if BATON_ASAN
            void* fake_stack = nullptr;
            __sanitizer_start_switch_fiber(&fake_stack, stacks_->bottom(rank), stacks_->size());
#endif
#if BATON_TSAN
            // ThreadSanitizer's fiber is switched here both ways, in the frame that resumes (see
            // the top of this file); the flags 0 make each switch a synchronization, as the
            // hand-over is.
            __tsan_switch_to_fiber(s.tsan_fiber, 0);
#endif
            running_ = rank;
            came_from_ = scheduler_loop;
            ctx::fiber back = std::move(s.fiber).resume();
            // ... and take it back from whichever rank gives it up: the ranks may have handed the
            // CPU to one another since (transfer()). That rank set next_ before it did.
#if BATON_TSAN
            __tsan_switch_to_fiber(thread_tsan_fiber, 0);
#endif
#if BATON_ASAN
            __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
            const int gone = running_;
            auto& g = slot_of(gone);
            g.fiber = std::move(back);
#if BATON_ASAN
            // A rank whose stack is over leaves it clean for whatever maps these addresses next.
            if (!g.fiber) clean_stack_shadow(stacks_->bottom(gone), stacks_->size());
#endif
            // Before any other rank runs on memory this one may have overwritten.
            if (stacks_->overflowed(gone, g.stack_pointer)) die_of_fiber_stack_overflow(gone, stacks_->size());
            swap_exception_state(g.exceptions);
        }
    }

    void transfer(int self, int next) override {
        // Being torn down: throw again at a rank that caught unwind_rank and went on.
        if (unwinding_) throw unwind_rank{};
        auto& me = slot_of(self);
        // For the check that the rank is within its stack, and for warm() when it is resumed.
        me.stack_pointer = __builtin_frame_address(0);
        if (warms_) warm(next);
        auto& target = slot_of(next);
        ctx::fiber from;
        if (target.fiber && !stacks_->overflowed(self, me.stack_pointer)) {
            // Straight to the next rank's fiber: one jump where going through the scheduler loop
            // takes two. (A rank that went below its stack goes through the loop, which ends the
            // run on its own stack.) The exception state: this rank's own into its slot, the one
            // the slot held (the scheduler loop's) on to the next rank's slot, the next rank's in.
            std::swap(*thread_exceptions_, me.exceptions);
            std::swap(*thread_exceptions_, target.exceptions);
            departing(me, next);
#if BATON_TSAN
            // On the rank's side, in the frame that resumes, as the scheduler loop does: the
            // resume() entered here returns on the next rank's side, where the resume() it
            // entered when it gave the CPU up returns (see the top of this file).
            __tsan_switch_to_fiber(target.tsan_fiber, 0);
#endif
            running_ = next;
            came_from_ = self;
            from = std::move(target.fiber).resume();
        } else {
            next_ = next;
            departing(me, scheduler_loop);
            from = std::move(scheduler_).resume();
        }
        arrived(me);
        keep_suspended(std::move(from));
        if (unwinding_) throw unwind_rank{};
    }

    void read_when_resumed(int rank, const void* first, const void* second, std::size_t bytes) override {
        auto& s = slot_of(rank);
        s.also_read[0] = first;
        s.also_read[1] = second;
        s.also_read_bytes = static_cast<std::uint32_t>(bytes < most_warmed ? bytes : most_warmed);
    }

    void forget_when_resumed(int rank, const void* first) override {
        auto& s = slot_of(rank);
        if (s.also_read[0] == first) s.also_read[0] = s.also_read[1] = nullptr;
    }

    void leave(int, int next) override {
        next_ = next;
        if (next >= 0 && warms_) warm(next);
    }

    bool reads_ahead() const override { return warms_; }

    // Asks for the first line of the rank's page (its slot, with where it gave the CPU up, which
    // warm() starts from) and for its stack's lowest line (overflowed()'s), without waiting: the
    // point is their TLB entries. At 100 000 ranks every rank's pages miss the TLB each time it is
    // resumed, and warm()'s first load waited for the page walk before the frames' loads could
    // start. A prefetch, not a load: a load that misses holds up the instructions behind it.
    void read_soon(int rank) override {
        if (!warms_) return;
        __builtin_prefetch(&slot_of(rank));
        __builtin_prefetch(stacks_->bottom(rank));
    }

    // Not inlined (nor is it when the call is devirtualized): its frame must be right below the
    // caller's. On x86-64 the frame address is where this call saved its caller's frame pointer,
    // below the return address, right below where the caller's stack pointer was: the program's
    // frames start there.
    [[gnu::noinline]] void program_starts(int rank) override {
        slot_of(rank).program_top = static_cast<const std::byte*>(__builtin_frame_address(0)) + 2 * sizeof(void*);
    }

    // What the caller asked for, below each rank's slot.
    rank_rooms rooms() const override {
        return given_room_ == 0 ? rank_rooms{} : rank_rooms{stacks_->room(0), stacks_->stride(), given_room_};
    }

    // Where `rank`'s registers were saved on its stack when it last gave the CPU up (Boost.Context's
    // fcontext_t, the fiber's only member), or null while it runs and once it has ended.
    const void* saved_context(int rank) const noexcept {
        if (rank < 0 || rank >= ranks_) return nullptr;
        static_assert(sizeof(ctx::fiber) == sizeof(void*), "a Boost.Context fiber is one fcontext_t");
        const void* context = nullptr;
        std::memcpy(&context, &slot_of(rank).fiber, sizeof context);
        return context;
    }

private:
    // Thrown at a suspended rank when the contexts are destroyed, to unwind its stack. Not a
    // std::exception, so that the rank's own handlers for those let it through.
    struct unwind_rank {};

    // One per rank, at the top of its room (so in the page the rank runs on when it is resumed):
    // only what each rank needs of its own.
    struct slot {
        ctx::fiber fiber;  // the rank, while the scheduler loop holds the CPU
        exception_state exceptions;
        const void* stack_pointer = nullptr;  // where the rank's stack was when it last gave the CPU up
        const void* also_read[2] = {};        // read_when_resumed's
        // Above this, the rank's frames are those of its start (program_starts), which warm() skips.
        const std::byte* program_top = nullptr;
        std::uint32_t also_read_bytes = 0;
#if BATON_ASAN
        void* fake_stack = nullptr;
#endif
#if BATON_TSAN
        void* tsan_fiber = nullptr;
#endif
    };
#if !BATON_ASAN && !BATON_TSAN
    // One line, which a room rounds up to anyway: a slot more would be a line more of every rank's memory.
    static_assert(sizeof(slot) <= cache_line);
#endif
    std::byte* slot_address(int rank) const { return first_slot_ + static_cast<std::size_t>(rank) * slot_stride_; }
    slot& slot_of(int rank) { return *std::launder(reinterpret_cast<slot*>(slot_address(rank))); }
    const slot& slot_of(int rank) const { return *std::launder(reinterpret_cast<const slot*>(slot_address(rank))); }

    // Where the fiber that just gave the CPU to the running rank went: into the slot of the rank
    // it belongs to (came_from_), or back to being the scheduler loop.
    void keep_suspended(ctx::fiber&& from) {
        if (came_from_ == scheduler_loop) {
            scheduler_ = std::move(from);
        } else {
            slot_of(came_from_).fiber = std::move(from);
        }
    }

    // AddressSanitizer's half of a switch, on the rank's side: after it gets the CPU, and before
    // it gives it up to rank `to` or to the scheduler loop, or for
    // good (its stack will never run again: it only ever returns to the loop). Always inlined, so
    // that AddressSanitizer is told right next to the switch. (ThreadSanitizer's fiber is switched
    // in the frames that resume: see the top of this file.)
    [[gnu::always_inline]] void arrived([[maybe_unused]] slot& me) {
#if BATON_ASAN
        // The stack the CPU came from is the scheduler loop's (the thread's own) only when it
        // came from the loop: that is the one to remember for giving the CPU back to the loop.
        if (came_from_ == scheduler_loop) {
            __sanitizer_finish_switch_fiber(me.fake_stack, &thread_stack_bottom_, &thread_stack_size_);
        } else {
            __sanitizer_finish_switch_fiber(me.fake_stack, nullptr, nullptr);
        }
#endif
    }
    [[gnu::always_inline]] void departing([[maybe_unused]] slot& me, [[maybe_unused]] int to) {
#if BATON_ASAN
        if (to == scheduler_loop) {
            __sanitizer_start_switch_fiber(&me.fake_stack, thread_stack_bottom_, thread_stack_size_);
        } else {
            __sanitizer_start_switch_fiber(&me.fake_stack, stacks_->bottom(to), stacks_->size());
        }
#endif
    }
    [[gnu::always_inline]] void departing_for_good() {
#if BATON_ASAN
        __sanitizer_start_switch_fiber(nullptr, thread_stack_bottom_, thread_stack_size_);
#endif
    }

    // Reads the lines `rank` reads first when it is resumed (prefetch.hpp), all at once while the
    // CPU is on its way there: its slot, the part of its room it reads each time (room_read_; the
    // caller reads what it knows of the rest), and the frames it returns through, from where it
    // gave the CPU up up to where its program's frames start (program_starts: those above are
    // only returned to when the program ends). At 100 000 ranks and more each is a miss, and
    // they otherwise come one after another as the frames return. Lines read for nothing are not
    // free either: the misses of a resumption are bound by how many lines are in flight at once,
    // so each line less shortens it (issue 17).
    // (Where it gave the CPU up is in its slot, in the same page: the page's one TLB miss, which a
    // table of stack pointers by rank would only add to.)
    void warm(int rank) const {
        const std::byte* const room = stacks_->room(rank);
        const slot& s = slot_of(rank);
        touch_lines(&s, sizeof(slot));
        touch_lines(room, room_read_);
        for (const void* also : s.also_read)
            if (also) touch_lines(also, s.also_read_bytes);
        const auto* const low = static_cast<const std::byte*>(s.stack_pointer);
        // Before its program starts, and after it ended, the rank is in the frames above.
        const std::byte* const top = s.program_top && s.program_top > low ? s.program_top : room;
        const auto frames = static_cast<std::size_t>(top - low);
        // A rank deep in its own recursion returns through baton's frames first: those near `low`.
        touch_lines(low, frames < most_warmed ? frames : most_warmed);
        // The lowest bytes, which overflowed() reads when the rank gives the CPU up again.
        touch(stacks_->bottom(rank));
    }
    static constexpr std::size_t most_warmed = 4096;
    // Below this many ranks, what they touch stays in the caches between their turns, and the
    // reads could only cost (up to 4 KiB of loads per hand-off for nothing).
    static constexpr int fewest_warmed = 4096;

    rank_entry entry_;
    int ranks_;
    bool warms_ = ranks_ >= fewest_warmed;  // warm() before each resume
    std::size_t given_room_;  // of each rank's room, the caller's part (rooms()); the slot is above it
    std::size_t room_read_;   // of the caller's part, what warm() reads
    std::unique_ptr<stack_region> stacks_;  // never null
    // Rank 0's slot and the distance to the next rank's: a slot's address in two instructions at
    // each switch, where stacks_ takes a few loads and sums.
    std::byte* first_slot_;
    std::size_t slot_stride_;
    // The exception state of the thread the ranks run on (run()'s), for the switches between ranks.
    exception_state* thread_exceptions_ = nullptr;
    // The scheduler loop in run(), while a rank holds the CPU: one for all, as one rank runs at a
    // time (and a nested run on a fiber rank has contexts of its own). Ranks hand the CPU to one
    // another directly (transfer()); the loop gets it back when a rank ends or cannot switch.
    ctx::fiber scheduler_;
    int next_ = -1;           // the rank for the scheduler loop to resume next; -1 ends run()
    // The rank whose fiber holds the CPU, and where the fiber that gave it the CPU belongs: the
    // rank that switched straight to it, or the scheduler loop. Set by whoever switches, before
    // the switch, and read on the other side.
    static constexpr int scheduler_loop = -1;
    int running_ = scheduler_loop;
    int came_from_ = scheduler_loop;
    bool unwinding_ = false;  // the destructor is unwinding the ranks still suspended
#if BATON_ASAN
    const void* thread_stack_bottom_ = nullptr;
    std::size_t thread_stack_size_ = 0;
#endif
};

}  // namespace

bool in_fiber_guard_page(const void* address, int& rank, std::size_t& stack_bytes) noexcept {
    if (!running_stacks) return false;
    rank = running_stacks->guard_owner(address);
    stack_bytes = running_stacks->size();
    return rank >= 0;
}

}  // namespace baton::sim::detail

// For a debugger (tools/gdb/baton_gdb.py's `baton rank N` on fiber ranks), called on the thread
// of a fiber run: where rank `rank` of that run saved its registers when it last gave the CPU up,
// from which gdb unwinds its stack; null while it runs, once it has ended, or on another thread.
extern "C" [[gnu::used]] const void* baton_debug_fiber_context(int rank) {
    using namespace baton::sim::detail;
    return running_fibers ? running_fibers->saved_context(rank) : nullptr;
}

namespace baton::sim::detail {

std::unique_ptr<rank_contexts> make_fiber_contexts(int ranks, std::size_t stack_bytes, rank_entry entry,
                                                   std::size_t room_bytes, std::size_t room_read_bytes) {
    return std::make_unique<fiber_contexts>(ranks, stack_bytes, room_bytes, room_read_bytes, std::move(entry));
}

}  // namespace baton::sim::detail
