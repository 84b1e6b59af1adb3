// A deliberate deadlock, and what the simulator says about it.
//
// Every rank first receives from its left neighbour and only then sends to its right one. Every
// rank is waiting for a message that its neighbour would send only after its own receive: a
// cycle, and nobody ever sends. On MPI this program hangs. On the simulator it stops at once with
// a report on stderr: every blocked rank, its call and where it was made, the cycle of ranks
// waiting for each other, and the command that replays this very run; the exit status is 1.
//
// The fix is to break the cycle: let even ranks send first and odd ranks receive first, or use
// world.sendrecv, or isend/irecv (see ring.cpp).
#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        const int right = (world.rank() + 1) % world.size();
        const int left = (world.rank() + world.size() - 1) % world.size();

        const int value = world.recv<int>(left, /*tag=*/0);  // every rank waits here, forever
        world.send(value + 1, right, /*tag=*/0);              // never reached
    });
}
