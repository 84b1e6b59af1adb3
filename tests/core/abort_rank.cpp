// A rank that aborts, calls exit() or crashes ends the process; baton says which rank and how to
// replay. Usage: abort_rank abort|exit|segv|overflow|own-handler [baton options]
// own-handler: the program's SIGSEGV handler, set before the run, is its own again after it.
#include <csignal>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include <baton/baton.hpp>

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
        if (world.rank() == 2 && mode != "own-handler") {
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
