// Non-blocking point-to-point: a ring of ranks.
//
// Part 1: every rank sends a value to its right neighbour and receives one from its left, with
// isend/irecv. Both calls return at once with a request; the rank does useful work of its own while
// the messages travel, and waits for both requests only when it needs the result. Because nothing
// blocks before every rank has posted its calls, this works however the sends are implemented
// (try --sends synchronous: a ring of blocking sends would deadlock there).
//
// Part 2: a token goes once around the ring, each rank adding its number to it. (On one rank,
// rank 0 passes the token to itself with a blocking send before its receive: fine with buffered
// sends, a true deadlock with --sends synchronous, as with MPI_Ssend.)
#include <array>
#include <cstdint>
#include <iostream>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        const int right = (world.rank() + 1) % world.size();
        const int left = (world.rank() + world.size() - 1) % world.size();

        // ---- Part 1: exchange with the neighbours -------------------------------------------
        constexpr int exchange_tag = 1;
        const int mine = 100 + world.rank();  // what this rank sends
        int from_left = -1;                   // where the left neighbour's value will land

        // `mine` and `from_left` must stay alive and untouched until the requests complete.
        std::array<baton::request, 2> requests = {
            world.irecv(from_left, left, exchange_tag),
            world.isend(mine, right, exchange_tag),
        };

        // Local work while the messages are in flight (it needs neither of them).
        std::int64_t local = 0;
        for (std::int64_t k = 1; k <= 1000 * (world.rank() + 1); ++k) local += k * k;

        // Now wait for both; statuses come back in the order of the requests.
        const std::vector<baton::status> statuses = baton::wait_all(requests);
        baton::tagged(world) << "got " << from_left << " from rank " << statuses[0].source
                             << " (local work meanwhile: " << local << ")";

        // ---- Part 2: a token once around the ring -------------------------------------------
        // Rank 0 starts it and gets it back last; every other rank receives, adds itself, passes
        // it on. Blocking calls are fine here: only one rank holds the token at a time.
        constexpr int token_tag = 2;
        std::vector<int> token;  // the ranks it has visited; a received vector is resized to fit
        if (world.rank() == 0) {
            token.push_back(0);
            world.send(token, right, token_tag);
            world.recv(token, left, token_tag);
            std::cout << "the token went around:";
            for (const int r : token) std::cout << ' ' << r << " ->";
            std::cout << " 0\n";
        } else {
            world.recv(token, left, token_tag);
            token.push_back(world.rank());
            world.send(token, right, token_tag);
        }
    });
}
