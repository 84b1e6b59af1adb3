// The scheduler's random numbers: exactly std::mt19937_64's sequence (the standard fixes it, so a
// seed's schedule and every replay token stay what they were), made 312 at a time.
//
// Every scheduling step draws one number (issue 17: a fiber ping-pong draws about 7 per round
// trip). std::mt19937_64 tempers each output as it is drawn and twists its 312 words of state one
// at a time; here the twist and the tempering run over the whole block at once, in loops without
// branches that the compiler turns into vector instructions, and a draw is a load and an index
// check. tests/core/batched_twister.cpp compares the two sequences.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace baton::sim::detail {

class batched_twister {
public:
    explicit batched_twister(std::uint64_t seed) {
        // std::mt19937_64's seeding (the standard's [rand.eng.mers]).
        state_[0] = seed;
        for (std::size_t i = 1; i < words; ++i)
            state_[i] = 6364136223846793005ULL * (state_[i - 1] ^ (state_[i - 1] >> 62)) + i;
    }

    std::uint64_t operator()() {
        if (next_ == words) [[unlikely]]
            refill();
        return tempered_[next_++];
    }
    // What the next draw returns, without drawing it; false when that draw makes a new block.
    bool peek(std::uint64_t& value) const {
        if (next_ == words) return false;
        value = tempered_[next_];
        return true;
    }

private:
    static constexpr std::size_t words = 312, shift = 156;
    static constexpr std::uint64_t twist_matrix = 0xB5026F5AA96619E9ULL;
    static constexpr std::uint64_t upper_bits = ~std::uint64_t{0} << 31, lower_bits = ~upper_bits;

    // Word i's next value from its own upper bit, the next word's lower 31 and the word `shift`
    // ahead (already twisted when that is behind it). The matrix is applied by a mask, not a
    // branch, so that the loops vectorize.
    static std::uint64_t twisted(std::uint64_t word, std::uint64_t following, std::uint64_t ahead) {
        const std::uint64_t y = (word & upper_bits) | (following & lower_bits);
        return ahead ^ (y >> 1) ^ ((std::uint64_t{0} - (y & 1)) & twist_matrix);
    }
    static std::uint64_t tempered(std::uint64_t y) {
        y ^= (y >> 29) & 0x5555555555555555ULL;
        y ^= (y << 17) & 0x71D67FFFEDA60000ULL;
        y ^= (y << 37) & 0xFFF7EEE000000000ULL;
        return y ^ (y >> 43);
    }

    [[gnu::noinline]] void refill() {
        std::size_t i = 0;
        for (; i < words - shift; ++i) state_[i] = twisted(state_[i], state_[i + 1], state_[i + shift]);
        for (; i < words - 1; ++i) state_[i] = twisted(state_[i], state_[i + 1], state_[i + shift - words]);
        state_[words - 1] = twisted(state_[words - 1], state_[0], state_[shift - 1]);
        for (std::size_t k = 0; k < words; ++k) tempered_[k] = tempered(state_[k]);
        next_ = 0;
    }

    std::array<std::uint64_t, words> state_;
    std::array<std::uint64_t, words> tempered_;
    std::size_t next_ = words;  // the first draw twists, as std::mt19937_64's does
};

}  // namespace baton::sim::detail
