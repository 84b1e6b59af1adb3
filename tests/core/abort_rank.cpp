// A rank that aborts, calls exit() or crashes ends the process; baton says which rank and how to
// replay. Usage: abort_rank MODE [baton options], MODE one of abort, exit, segv, overflow,
// overflow-then-call, overflow-then-return, own-handler.
// overflow-then-*: rank 2 goes 20 KiB deeper than where it starts, calling baton from the deepest
// frame or after coming back up; beyond a 16 KiB fiber stack without a guard page, that writes
// over the stack below it (another rank's) without a fault.
// own-handler: the program's SIGSEGV handler, set before the run, is its own again after it.
#include <csignal>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include <baton/baton.hpp>

// Under AddressSanitizer (clang's default since LLVM 15), local arrays live on a "fake stack" on
// the heap: the frames of overflow-then-* would not reach below the fiber's real stack.
extern "C" [[gnu::used]] const char* __asan_default_options() { return "detect_stack_use_after_return=0"; }

namespace {

// Unbounded recursion that the compiler can neither turn into a loop nor drop: each frame's
// volatile array is written and read after the call (and `deeper` hides that it never ends).
volatile bool deeper = true;
int recurse(int depth) {
    volatile char frame[512];
    frame[0] = static_cast<char>(depth);
    const int below = deeper ? recurse(depth + 1) : 0;
    return below + frame[0];
}

// Frames of 256 bytes, each written all through as a real stack's are, `bytes` deep; the deepest
// calls `at_bottom`.
template <class F>
int descend(long bytes, const F& at_bottom) {
    volatile char frame[256];
    for (auto& c : frame) c = 1;
    const int below = bytes > 0 ? descend(bytes - static_cast<long>(sizeof frame), at_bottom) : (at_bottom(), 0);
    return below + frame[0];
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "abort";
    if (mode == "own-handler") {
        std::signal(SIGSEGV, [](int) {
            constexpr char said[] = "the program's own SIGSEGV handler\n";
            (void)::write(STDOUT_FILENO, said, sizeof said - 1);
            ::_exit(3);
        });
    }
    const int status = baton::run(argc, argv, [&](baton::communicator& world) {
        world.barrier();
        if (mode.starts_with("overflow-then-")) {
            constexpr long depth = 20 * 1024;
            if (world.rank() == 2 && mode == "overflow-then-call")
                descend(depth, [&] { world.barrier(); });
            else if (world.rank() == 2)
                descend(depth, [] {}), world.barrier();
            else
                world.barrier();
        } else if (world.rank() == 2 && mode != "own-handler") {
            if (mode == "exit") std::exit(0);
            if (mode == "segv") {
                volatile int* volatile nowhere = nullptr;  // a store the compiler must make
                *nowhere = 1;
            }
            if (mode == "overflow") std::exit(recurse(0));
            std::abort();
        }
        world.barrier();
    });
    if (mode == "own-handler") std::raise(SIGSEGV);
    return status;
}
