// Writes the trace of the ring example (examples/ring.cpp, its output left out) on 3 ranks:
//     ring_example trace.json [timeline.txt]
// docs/trace-example.json is this program's output.
#include <array>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <vector>

#include <baton/baton.hpp>
#include <baton/trace.hpp>

namespace {

void ring(baton::communicator& world) {
    const int right = (world.rank() + 1) % world.size();
    const int left = (world.rank() + world.size() - 1) % world.size();

    // Part 1: exchange with the neighbours.
    constexpr int exchange_tag = 1;
    const int mine = 100 + world.rank();
    int from_left = -1;
    std::array<baton::request, 2> requests = {
        world.irecv(from_left, left, exchange_tag),
        world.isend(mine, right, exchange_tag),
    };
    [[maybe_unused]] std::int64_t local = 0;  // local work while the messages travel
    for (std::int64_t k = 1; k <= 1000 * (world.rank() + 1); ++k) local += k * k;
    baton::wait_all(requests);

    // Part 2: a token once around the ring.
    constexpr int token_tag = 2;
    std::vector<int> token;
    if (world.rank() == 0) {
        token.push_back(0);
        world.send(token, right, token_tag);
        world.recv(token, left, token_tag);
    } else {
        world.recv(token, left, token_tag);
        token.push_back(world.rank());
        world.send(token, right, token_tag);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: " << argv[0] << " trace.json [timeline.txt]\n";
        return 2;
    }
    const auto result = baton::sim::run({.ranks = 3, .seed = 1, .record = true}, ring);
    std::ofstream(argv[1]) << baton::sim::to_chrome_trace(result.events);
    if (argc == 3) std::ofstream(argv[2]) << baton::sim::to_timeline(result.events);
    return 0;
}
