// Broadcast: one rank makes the data, every rank gets a copy.
//
// The root draws 10 random numbers in [1, 9]; bcast copies them to every rank; each rank computes
// the sum of their squares, which is the same everywhere; the root gathers those sums, checks that
// they agree, and prints their total, which is size() times the sum of one rank.
#include <cstdint>
#include <iostream>
#include <random>
#include <stdexcept>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        constexpr int root = 0;
        std::vector<int> data;  // empty on every rank but the root, until the bcast
        if (world.rank() == root) {
            // std::mt19937's numbers are fixed by the standard; std::uniform_int_distribution's
            // are not (they differ between standard libraries), so the mapping to [1, 9] is ours.
            std::mt19937 generator(2024);
            for (int i = 0; i < 10; ++i) data.push_back(1 + static_cast<int>(generator() % 9));

            std::cout << "root's data:";
            for (const int x : data) std::cout << ' ' << x;
            std::cout << '\n';
        }

        // After this line every rank holds the root's 10 numbers (the vector is resized to fit).
        world.bcast(data, root);

        std::int64_t sum_of_squares = 0;
        for (const int x : data) sum_of_squares += x * x;
        baton::tagged(world) << "sum of squares: " << sum_of_squares;

        // The root collects one sum per rank, in rank order; the others get an empty vector.
        const std::vector<std::int64_t> sums = world.gather(sum_of_squares, root);
        if (world.rank() == root) {
            std::int64_t total = 0;
            for (const std::int64_t sum : sums) {
                if (sum != sums.front()) throw std::logic_error("the ranks computed different sums");
                total += sum;
            }
            std::cout << "every rank got the same data; total over " << world.size()
                      << " ranks: " << total << " = " << world.size() << " x " << sums.front() << '\n';
        }
    });
}
