// Issue 17: the scheduler draws its numbers from batched_twister (backends/sim), which must give
// std::mt19937_64's sequence exactly: the same seed gives the same schedule, and every replay
// token and golden report made before stays true. Several blocks of 312 for each seed, so that
// the twist of a block from the one before is compared too, at the build's optimization (where
// the compiler vectorizes its loops).
#include <cstdint>
#include <random>

#include "catch2_compat.hpp"

#include "batched_twister.hpp"

TEST_CASE("batched_twister gives std::mt19937_64's numbers for every seed", "[scheduler]") {
    for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{42},
                                     std::uint64_t{5489}, std::uint64_t{0x8000000000000000}, ~std::uint64_t{0}}) {
        std::mt19937_64 standard(seed);
        baton::sim::detail::batched_twister batched(seed);
        int first_difference = -1;
        for (int i = 0; i < 312 * 5 + 7 && first_difference < 0; ++i)
            if (standard() != batched()) first_difference = i;
        INFO("seed " << seed);
        CHECK(first_difference == -1);
    }
}

TEST_CASE("batched_twister's peek is the next draw, and draws nothing", "[scheduler]") {
    baton::sim::detail::batched_twister twister(7);
    std::mt19937_64 standard(7);
    std::uint64_t seen = 0;
    CHECK_FALSE(twister.peek(seen));  // the first draw makes the first block
    int peeked = 0;
    for (int i = 0; i < 312 * 3; ++i) {
        const bool known = twister.peek(seen);
        const std::uint64_t drawn = twister();
        CHECK(drawn == standard());
        if (known) {
            ++peeked;
            CHECK(seen == drawn);
        }
    }
    CHECK(peeked == 312 * 3 - 3);  // all but each block's first
}
