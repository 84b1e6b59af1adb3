// The seed's first program: scatter -> local average -> gather.
//
// The root makes the numbers 1..size*5 and gives each rank 5 of them; each rank averages its
// own; the root gathers the local averages and averages those. On 4 ranks the local averages
// are 3, 8, 13 and 18, and the global average is 10.5.
#include <iostream>
#include <numeric>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        constexpr int per_rank = 5;
        std::vector<double> numbers;
        if (world.rank() == 0) {
            numbers.resize(static_cast<std::size_t>(world.size() * per_rank));
            std::iota(numbers.begin(), numbers.end(), 1.0);
        }

        const std::vector<double> mine = world.scatter(numbers, /*root=*/0);
        const double local_average = std::accumulate(mine.begin(), mine.end(), 0.0) / mine.size();
        baton::tagged(world) << "local average: " << local_average;

        const std::vector<double> averages = world.gather(local_average, /*root=*/0);
        if (world.rank() == 0) {
            const double global = std::accumulate(averages.begin(), averages.end(), 0.0) / averages.size();
            std::cout << "Global average across all data: " << global << '\n';
        }
    });
}
