// A program outside baton's tree, as a user writes it: the seed's average on simulated ranks.
// Built against an installed baton (pkg-config, CMake) and by a parent meson project that has
// baton as a subproject (see check_consumers.py); it prints the average, 10.5 on 4 ranks.
#include <cstdio>
#include <numeric>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        std::vector<double> numbers;
        if (world.rank() == 0)
            for (int i = 1; i <= 5 * world.size(); ++i) numbers.push_back(i);
        const auto mine = world.scatter(numbers, 0);
        const double local = std::accumulate(mine.begin(), mine.end(), 0.0) / double(mine.size());
        const double total = world.allreduce(local, baton::op::sum);
        if (world.rank() == 0) std::printf("average: %g\n", total / world.size());
    });
}
