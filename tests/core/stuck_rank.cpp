// A run that seems stuck: what the watchdog says.
// Usage: stuck_rank endless|busy|second-run [baton options]
//  endless: rank 1 runs an endless loop of its own after a barrier; the others wait in a receive
//           from it. It prints "rank 1 loops" first, so a test knows when to interrupt it.
//  busy:    ranks 0 and 1 send a message back and forth for ever (every step a baton call); the
//           others wait for a message that never comes. Rank 0 prints "ping-pong" once.
#include <cstdio>
#include <string>

#include <baton/baton.hpp>

namespace {

volatile bool forever = true;  // the compiler may not drop a loop that seems to end

void endless(baton::communicator& world) {
    if (world.rank() != 1) {
        world.send(world.rank(), 1, 3);
        world.recv<int>(1, 7);
        return;
    }
    // Every other rank's message first, so that they are blocked in their receive by the time
    // rank 1 loops (with the seed the tests use; the others may also be ready to run).
    for (int other = 1; other < world.size(); ++other) world.recv<int>(baton::any_source, 3);
    std::printf("rank 1 loops\n");
    std::fflush(stdout);
    while (forever) {
    }
}

void busy(baton::communicator& world) {
    if (world.rank() > 1) {
        world.recv<int>(0, 9);
        return;
    }
    for (int round = 0; forever; ++round) {
        if (world.rank() == 0) {
            world.send(round, 1, 0);
            world.recv<int>(1, 0);
            if (round == 0) {
                std::printf("ping-pong\n");
                std::fflush(stdout);
            }
        } else {
            world.recv<int>(0, 0);
            world.send(round, 0, 0);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "endless";
    if (mode == "second-run") {
        baton::sim::options opts{.ranks = 2, .rank_timeout_seconds = 0};
        baton::sim::run(opts, [](baton::communicator& world) { world.barrier(); });
        opts.rank_timeout_seconds = 1;
        baton::sim::run(opts, [](baton::communicator& world) {
            if (world.rank() == 1)
                while (forever) {
                }
            world.barrier();
        });
        return 0;
    }
    return baton::run(argc, argv, [&](baton::communicator& world) {
        if (mode == "busy")
            busy(world);
        else
            endless(world);
    });
}
