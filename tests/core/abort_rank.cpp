// A rank that aborts or calls exit() ends the process; baton says which rank and how to replay.
// Usage: abort_rank abort|exit [baton options]
#include <cstdlib>
#include <string>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        world.barrier();
        if (world.rank() == 2) {
            if (argc > 1 && std::string(argv[1]) == "exit") std::exit(0);
            std::abort();
        }
        world.barrier();
    });
}
