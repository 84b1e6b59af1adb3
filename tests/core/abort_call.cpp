// A rank that calls abort(code) ends the whole run with that exit status, saying so in one line on
// stderr. Usage: abort_call [world|split|late] [baton options]
//   world: rank 2 aborts with 3 while the others wait for a message that never comes;
//   split: rank 1 aborts with 5 on a communicator of its own (split), the others in a barrier;
//   late:  under --explore, rank 0 aborts with 4 only when rank 2's message matches its first
//          wildcard receive: only some executions abort.
#include <cstdio>
#include <string>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    const std::string mode = argc > 1 && argv[1][0] != '-' ? argv[1] : "world";
    return baton::run(argc, argv, [&](baton::communicator& world) {
        if (mode == "split") {
            baton::communicator alone = world.split(world.rank(), 0);
            if (world.rank() == 1) alone.abort(5);
            world.barrier();
        } else if (mode == "late") {
            if (world.rank() == 0) {
                if (world.recv<int>(baton::any_source, 0) == 2) world.abort(4);
                (void)world.recv<int>(baton::any_source, 0);
            } else if (world.rank() <= 2) {
                world.send(world.rank(), 0, 0);
            }
        } else {
            world.barrier();
            if (world.rank() == 2) {
                std::printf("rank 2 prints before it aborts\n");
                world.abort(3);
            }
            (void)world.recv<int>(baton::any_source, 0);
        }
    });
}
