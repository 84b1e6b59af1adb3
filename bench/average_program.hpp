// The seed's average program (examples/average.cpp) as a rank function the bench programs share.
#pragma once

#include <iostream>
#include <numeric>
#include <vector>

#include <baton/baton.hpp>

namespace bench {

// The example's rank function; returns the global average on rank 0, the local one elsewhere.
inline double average(baton::communicator& world, bool print) {
    constexpr int per_rank = 5;
    std::vector<double> numbers;
    if (world.rank() == 0) {
        numbers.resize(static_cast<std::size_t>(world.size() * per_rank));
        std::iota(numbers.begin(), numbers.end(), 1.0);
    }
    const std::vector<double> mine = world.scatter(numbers, /*root=*/0);
    const double local_average = std::accumulate(mine.begin(), mine.end(), 0.0) / mine.size();
    if (print) baton::tagged(world) << "local average: " << local_average;
    const std::vector<double> averages = world.gather(local_average, /*root=*/0);
    if (world.rank() != 0) return local_average;
    const double global = std::accumulate(averages.begin(), averages.end(), 0.0) / averages.size();
    if (print) std::cout << "Global average across all data: " << global << '\n';
    return global;
}

}  // namespace bench
