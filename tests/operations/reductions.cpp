// Reductions on the simulator: reduce (from every root), allreduce, scan and exscan with each of
// baton's operations, the std:: function objects and user callables, including ones that are not
// commutative, whose result shows whether contributions were combined in rank order.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common.hpp"

using baton::communicator;

namespace {

// What every rank got from one operation, with the reference the test computes by itself.
template <class E>
struct outcome {
    std::vector<E> reduced;  // by root; value-initialized on the other ranks
    E all{};
    E inclusive{};
    E exclusive{};
    BATON_TEST_RESULT_FIELDS(reduced, all, inclusive, exclusive)
};

// Runs reduce from every root, allreduce, scan and exscan of value_of(rank) with `op`, and checks
// each against a left-to-right fold with `reference`, the operation as the test spells it.
template <class E, class Op, class Reference, class ValueOf>
void check_reductions(const baton::sim::options& opts, const Op& op, Reference reference, ValueOf value_of) {
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        outcome<E> out;
        const E mine = value_of(world.rank());
        for (int root = 0; root < world.size(); ++root) out.reduced.push_back(world.reduce(mine, op, root));
        out.all = world.allreduce(mine, op);
        out.inclusive = world.scan(mine, op);
        out.exclusive = world.exscan(mine, op);
        return out;
    });

    std::vector<E> prefix{value_of(0)};  // prefix[r] = x0 op ... op xr
    for (int r = 1; r < opts.ranks; ++r) prefix.push_back(reference(prefix.back(), value_of(r)));
    for (int r = 0; r < opts.ranks; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        for (int root = 0; root < opts.ranks; ++root) {
            INFO("root " << root);
            CHECK(out.reduced[static_cast<std::size_t>(root)] == (r == root ? prefix.back() : E{}));
        }
        CHECK(out.all == prefix.back());
        CHECK(out.inclusive == prefix[static_cast<std::size_t>(r)]);
        CHECK(out.exclusive == (r == 0 ? E{} : prefix[static_cast<std::size_t>(r - 1)]));
    }
}

// A 2x2 matrix of integers modulo a prime: multiplication is associative but not commutative.
struct matrix {
    static constexpr std::int64_t modulus = 1'000'003;
    std::int64_t a = 0, b = 0, c = 0, d = 0;  // [[a, b], [c, d]]
    friend bool operator==(const matrix&, const matrix&) = default;
    BATON_TEST_RESULT_FIELDS(a, b, c, d)
};

matrix multiply(const matrix& x, const matrix& y) {
    const auto m = matrix::modulus;
    return {(x.a * y.a + x.b * y.c) % m, (x.a * y.b + x.b * y.d) % m,
            (x.c * y.a + x.d * y.c) % m, (x.c * y.b + x.d * y.d) % m};
}

matrix matrix_of(int rank) { return {rank + 1, 2, rank % 3, 1}; }

// A short string in a trivially copyable struct: concatenation is not commutative either.
struct word {
    std::array<char, 40> letters{};
    std::size_t length = 0;
    friend bool operator==(const word&, const word&) = default;
    BATON_TEST_RESULT_FIELDS(letters, length)
    std::string text() const { return std::string(letters.data(), length); }
};

word word_of(const std::string& text) {
    word w;
    for (const char c : text) w.letters[w.length++] = c;
    return w;
}

word concatenate(const word& x, const word& y) {
    word joined = x;
    for (std::size_t i = 0; i < y.length; ++i) joined.letters[joined.length++] = y.letters[i];
    return joined;
}

// A plain struct with operator+: baton::op::sum works on it as a user operation.
struct point {
    double x = 0, y = 0;
    point operator+(const point& other) const { return {x + other.x, y + other.y}; }
    friend bool operator==(const point&, const point&) = default;
    BATON_TEST_RESULT_FIELDS(x, y)
};

}  // namespace

TEST_CASE("sum and prod", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    using int64 = long long;
    check_reductions<int64>(opts, baton::op::sum, [](int64 a, int64 b) { return a + b; },
                            [](int r) { return int64{r} * r - 3 * r + 1; });
    // -2, 3 and 1 in turn: the product changes sign and stays within range on 16 ranks.
    check_reductions<int64>(opts, baton::op::prod, [](int64 a, int64 b) { return a * b; },
                            [](int r) { return r % 3 == 1 ? int64{-2} : r % 3 == 2 ? int64{3} : int64{1}; });
    check_reductions<double>(opts, baton::op::sum, [](double a, double b) { return a + b; },
                             [](int r) { return r * 0.25 - 1.0; });  // exact in binary, in any order
    check_reductions<float>(opts, baton::op::prod, [](float a, float b) { return a * b; },
                            [](int r) { return r % 2 ? 2.0f : -0.5f; });
}

TEST_CASE("min and max", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    auto value_of = [](int r) { return (r * 7) % 11 - 5; };
    check_reductions<int>(opts, baton::op::min, [](int a, int b) { return b < a ? b : a; }, value_of);
    check_reductions<int>(opts, baton::op::max, [](int a, int b) { return a < b ? b : a; }, value_of);
    check_reductions<double>(opts, baton::op::min, [](double a, double b) { return b < a ? b : a; },
                             [](int r) { return (r % 5) * -1.5 + r; });
    check_reductions<std::uint8_t>(opts, baton::op::max,
                                   [](std::uint8_t a, std::uint8_t b) { return a < b ? b : a; },
                                   [](int r) { return static_cast<std::uint8_t>((r * 37) % 256); });
}

TEST_CASE("logical_and, logical_or and logical_xor", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    // Non-zero values other than 1 are true; combined results are 0 or 1.
    check_reductions<int>(opts, baton::op::logical_and, [](int a, int b) { return (a && b) ? 1 : 0; },
                          [](int r) { return r == 4 ? 0 : r + 1; });
    check_reductions<int>(opts, baton::op::logical_or, [](int a, int b) { return (a || b) ? 1 : 0; },
                          [](int r) { return r % 4 == 3 ? 5 : 0; });
    check_reductions<int>(opts, baton::op::logical_xor, [](int a, int b) { return (!a != !b) ? 1 : 0; },
                          [](int r) { return r % 3 == 0 ? 0 : r; });
    check_reductions<bool>(opts, baton::op::logical_xor, [](bool a, bool b) { return a != b; },
                           [](int r) { return r % 2 == 1; });
    check_reductions<bool>(opts, baton::op::logical_and, [](bool a, bool b) { return a && b; },
                           [](int r) { return r != 5; });
}

TEST_CASE("bit_and, bit_or and bit_xor", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    check_reductions<unsigned>(opts, baton::op::bit_and, [](unsigned a, unsigned b) { return a & b; },
                               [](int r) { return ~(1u << r); });
    check_reductions<unsigned>(opts, baton::op::bit_or, [](unsigned a, unsigned b) { return a | b; },
                               [](int r) { return 1u << (r * 2 % 31); });
    check_reductions<std::uint64_t>(opts, baton::op::bit_xor,
                                    [](std::uint64_t a, std::uint64_t b) { return a ^ b; },
                                    [](int r) { return static_cast<std::uint64_t>(r + 1) * 0x9E3779B97F4A7C15ull; });
}

TEST_CASE("minloc and maxloc find the extreme value and the smallest index holding it", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    using vi = baton::value_index<double>;
    // Values 1, 0, 2, 1, 0, 2, ...: the minimum is first at rank 1 and the maximum at rank 2, and
    // both recur at higher ranks, which must lose the tie.
    auto value_of = [](int r) { return vi{static_cast<double>((r * 5 + 1) % 3), r}; };
    auto min_reference = [](const vi& a, const vi& b) {
        if (a.value != b.value) return a.value < b.value ? a : b;
        return a.index < b.index ? a : b;
    };
    auto max_reference = [](const vi& a, const vi& b) {
        if (a.value != b.value) return a.value > b.value ? a : b;
        return a.index < b.index ? a : b;
    };
    check_reductions<vi>(opts, baton::op::minloc, min_reference, value_of);
    check_reductions<vi>(opts, baton::op::maxloc, max_reference, value_of);

    // The plain check, for the reader: who holds the minimum and the maximum of the whole world.
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        return std::pair{world.allreduce(value_of(world.rank()), baton::op::minloc),
                         world.allreduce(value_of(world.rank()), baton::op::maxloc)};
    });
    const int n = opts.ranks;
    CHECK(result.values[0].first == (n == 1 ? vi{1.0, 0} : vi{0.0, 1}));
    CHECK(result.values[0].second == (n <= 2 ? vi{1.0, 0} : vi{2.0, 2}));
}

TEST_CASE("std:: function objects reduce like the builtins", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    check_reductions<int>(opts, std::plus<>{}, [](int a, int b) { return a + b; }, [](int r) { return r * 3 - 7; });
    check_reductions<double>(opts, std::plus<double>{}, [](double a, double b) { return a + b; },
                             [](int r) { return r * 0.5; });
    check_reductions<long>(opts, std::multiplies<>{}, [](long a, long b) { return a * b; },
                           [](int r) { return r % 4 == 1 ? -1L : 1L; });
    check_reductions<unsigned>(opts, std::bit_or<>{}, [](unsigned a, unsigned b) { return a | b; },
                               [](int r) { return 1u << (r % 7); });
    check_reductions<unsigned>(opts, std::bit_xor<>{}, [](unsigned a, unsigned b) { return a ^ b; },
                               [](int r) { return static_cast<unsigned>(r * 2654435761u); });
    check_reductions<int>(opts, std::logical_or<>{}, [](int a, int b) { return (a || b) ? 1 : 0; },
                          [](int r) { return r == 2 ? 9 : 0; });
}

TEST_CASE("user operations combine in rank order, also when not commutative", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    SECTION("2x2 matrix product") {
        check_reductions<matrix>(opts, [](const matrix& x, const matrix& y) { return multiply(x, y); }, multiply,
                                 matrix_of);
    }
    SECTION("concatenation") {
        check_reductions<word>(opts, [](const word& x, const word& y) { return concatenate(x, y); }, concatenate,
                               [](int r) { return word_of(std::string(1, static_cast<char>('a' + r))); });

        // Spelled out: rank r's scan is the first r + 1 letters, in order.
        const auto result = baton::sim::run(opts, [](communicator& world) {
            const word mine = word_of(std::string(1, static_cast<char>('a' + world.rank())));
            return world.scan(mine, [](const word& x, const word& y) { return concatenate(x, y); }).text();
        });
        for (int r = 0; r < opts.ranks; ++r)
            CHECK(result.values[r] == std::string("abcdefghijklmnop").substr(0, static_cast<std::size_t>(r + 1)));
    }
    SECTION("a builtin on a user struct with operator+") {
        check_reductions<point>(opts, baton::op::sum, [](const point& a, const point& b) { return a + b; },
                                [](int r) { return point{r * 1.0, -r * 2.0}; });
    }
}

TEST_CASE("reductions of ranges combine element by element", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    auto values_of = [](int r) { return std::vector<double>{r * 1.0, -r * 1.0, r * 0.5, (r % 3) * 1.0}; };
    auto add = [](std::vector<double> a, const std::vector<double>& b) {
        for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
        return a;
    };
    auto maximum = [](std::vector<double> a, const std::vector<double>& b) {
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::max(a[i], b[i]);
        return a;
    };
    // exscan's rank 0 gets a value-initialized vector: an empty one.
    check_reductions<std::vector<double>>(opts, baton::op::sum, add, values_of);
    check_reductions<std::vector<double>>(opts, baton::op::max, maximum, values_of);

    // A fixed array gives an array; a span gives a vector that owns the result.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank();
        const std::array<int, 3> mine{me, 1, -me};
        const std::array<int, 3> summed = world.allreduce(mine, baton::op::sum);
        std::vector<long> storage{me * 10L, 7L};
        const std::vector<long> smallest = world.allreduce(std::span<const long>(storage), baton::op::min);
        const std::vector<long> scanned = world.scan(std::span<long>(storage), std::plus<>{});
        return std::tuple{summed, smallest, scanned};
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& [summed, smallest, scanned] = result.values[r];
        CHECK(summed == std::array<int, 3>{n * (n - 1) / 2, n, -n * (n - 1) / 2});
        CHECK(smallest == std::vector<long>{0, 7});
        CHECK(scanned == std::vector<long>{10L * r * (r + 1) / 2, 7L * (r + 1)});
    }
}

// Builtins refuse text (tests/refused/reduce_text.cpp); a callable of the program's own still
// reduces a string, character by character.
TEST_CASE("a user callable reduces text, character by character", "[reductions][text]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank();
        // Rank r holds "ddd" with letter r % 3 made 'a' + r: the greatest letter wins each place.
        std::string mine = "ddd";
        mine[static_cast<std::size_t>(me % 3)] = static_cast<char>('a' + me);
        return world.allreduce(mine, [](char a, char b) { return std::max(a, b); });
    });
    for (int r = 0; r < opts.ranks; ++r) {
        std::string expected(3, '\0');
        for (int s = 0; s < opts.ranks; ++s)
            for (int place = 0; place < 3; ++place) {
                const char letter = place == s % 3 ? static_cast<char>('a' + s) : 'd';
                expected[static_cast<std::size_t>(place)] = std::max(expected[static_cast<std::size_t>(place)], letter);
            }
        CHECK(result.values[r] == expected);
    }
}
