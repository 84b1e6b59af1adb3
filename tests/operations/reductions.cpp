// Reductions on the simulator: reduce (from every root), allreduce, scan and exscan with each of
// baton's operations, the std:: function objects and user callables, including ones that are not
// commutative, whose result shows whether contributions were combined in rank order.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
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

// An operation with state of its own: the blocking reductions hand the backend one made for the
// call, around the caller's object (a stateless one gets a reduce_op the compiler made, around an
// instance of its own: ops.hpp, reduce_op_for).
struct modular_sum {
    int modulus;
    int operator()(int a, int b) const { return (a + b) % modulus; }
};
static_assert(baton::detail::stateless_op<baton::op::sum_t> && baton::detail::stateless_op<std::plus<>>);
static_assert(!baton::detail::stateless_op<modular_sum>);

TEST_CASE("an operation with state reduces with the caller's state, a stateless lambda without any", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    for (const int modulus : {7, 11}) {
        const modular_sum op{modulus};
        check_reductions<int>(opts, op, op, [](int r) { return r * 5 + 3; });
    }
    // The later contribution wins: associative, not commutative, a lambda that captures nothing.
    check_reductions<int>(opts, [](int, int b) { return b; }, [](int, int b) { return b; },
                          [](int r) { return r * 3 + 1; });
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

TEST_CASE("reduce_scatter_block gives rank r block r of the element-wise reduction, in rank order", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    // Two elements per rank; a matrix product shows the ranks were combined in order.
    struct got {
        std::vector<long> sums;
        std::vector<matrix> products;
        BATON_TEST_RESULT_FIELDS(sums, products)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        std::vector<long> mine;
        std::vector<matrix> matrices;
        for (int i = 0; i < 2 * n; ++i) {
            mine.push_back(100L * me + i);
            matrices.push_back(matrix_of(me + i));
        }
        return got{world.reduce_scatter_block(mine, baton::op::sum),
                   world.reduce_scatter_block(matrices, [](const matrix& x, const matrix& y) { return multiply(x, y); })};
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        std::vector<long> sums;
        std::vector<matrix> products;
        for (int i = 2 * r; i < 2 * r + 2; ++i) {
            sums.push_back(100L * n * (n - 1) / 2 + static_cast<long>(n) * i);
            matrix p = matrix_of(i);
            for (int s = 1; s < n; ++s) p = multiply(p, matrix_of(s + i));
            products.push_back(p);
        }
        CHECK(result.values[r].sums == sums);
        CHECK(result.values[r].products == products);
    }
}

TEST_CASE("reduce_scatter gives rank r its block of counts[r] elements of the reduction", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    // Rank r's block has r % 3 elements (empty blocks too).
    auto counts_of = [](int n) {
        std::vector<std::size_t> counts;
        for (int r = 0; r < n; ++r) counts.push_back(static_cast<std::size_t>(r % 3));
        return counts;
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        const auto counts = counts_of(world.size());
        std::vector<double> mine;
        for (std::size_t i = 0; i < std::accumulate(counts.begin(), counts.end(), std::size_t{0}); ++i)
            mine.push_back(world.rank() + 10.0 * static_cast<double>(i));
        return world.reduce_scatter(mine, counts, baton::op::sum);
    });

    const int n = opts.ranks;
    const auto counts = counts_of(n);
    std::size_t offset = 0;
    for (int r = 0; r < n; ++r) {
        std::vector<double> expected;
        for (std::size_t i = offset; i < offset + counts[static_cast<std::size_t>(r)]; ++i)
            expected.push_back(n * (n - 1) / 2.0 + n * 10.0 * static_cast<double>(i));
        offset += counts[static_cast<std::size_t>(r)];
        CHECK(result.values[r] == expected);
    }
}

TEST_CASE("reductions in place overwrite the caller's data with the result", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    // A non-commutative product: in place must still combine in rank order, and read each rank's
    // input before its result overwrites it (exscan writes rank r the prefix before r).
    const auto product = [](const matrix& x, const matrix& y) { return multiply(x, y); };
    struct got {
        std::vector<matrix> reduced;  // by root: the root's result, or the data left as it was
        std::vector<matrix> all, inclusive, exclusive;
        std::vector<long> sums;
        BATON_TEST_RESULT_FIELDS(reduced, all, inclusive, exclusive, sums)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        const int me = world.rank();
        got out;
        for (int root = 0; root < world.size(); ++root) {
            std::array<matrix, 1> data{matrix_of(me)};
            world.reduce_in_place(std::span<matrix>(data), product, root);
            out.reduced.push_back(data[0]);
        }
        out.all = {matrix_of(me), matrix_of(me + 1)};
        world.allreduce_in_place(out.all, product);  // a vector lvalue
        out.inclusive = {matrix_of(me)};
        world.scan_in_place(std::span<matrix>(out.inclusive), product);
        out.exclusive = {matrix_of(me)};
        world.exscan_in_place(std::span<matrix>(out.exclusive), product);
        out.sums = {me, 1, 2L * me};
        world.allreduce_in_place(std::span<long>(out.sums), baton::op::sum);
        return out;
    });

    const int n = opts.ranks;
    std::vector<matrix> prefix{matrix_of(0)}, shifted{matrix_of(1)};
    for (int r = 1; r < n; ++r) {
        prefix.push_back(multiply(prefix.back(), matrix_of(r)));
        shifted.push_back(multiply(shifted.back(), matrix_of(r + 1)));
    }
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        for (int root = 0; root < n; ++root)
            CHECK(out.reduced[static_cast<std::size_t>(root)] == (r == root ? prefix.back() : matrix_of(r)));
        CHECK(out.all == std::vector<matrix>{prefix.back(), shifted.back()});
        CHECK(out.inclusive == std::vector<matrix>{prefix[static_cast<std::size_t>(r)]});
        CHECK(out.exclusive == std::vector<matrix>{r == 0 ? matrix_of(0) : prefix[static_cast<std::size_t>(r - 1)]});
        CHECK(out.sums == std::vector<long>{n * (n - 1L) / 2, n, n * (n - 1L)});
    }
}

TEST_CASE("reduce_scatter refuses counts that do not add up, naming the rank and the call", "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3})));
    OPS_DESCRIBE(opts);

    const auto failure = ops::rank_failure(opts, [](communicator& world) {
        const std::vector<std::size_t> counts(static_cast<std::size_t>(world.size()), 1);
        world.reduce_scatter(std::vector<int>{1, 2, 3, 4, 5}, counts, baton::op::sum);
    });
    REQUIRE(failure);
    const std::string message = ops::original_message(*failure);
    CHECK_THAT(message, ops::mentions_word("reduce_scatter"));
    CHECK_THAT(message, baton_test::contains("but 5 elements were given"));
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

// A blocking allreduce of at most 64 bytes per rank is combined from copies of the inputs taken as
// the ranks arrive, and each rank takes its result when it runs again (collective.hpp:
// gather_input); a larger one, a non-blocking one and the other collectives read the calls
// themselves. Back to back and interleaved, on the same communicator, each must still give every
// rank the fold in rank order (a non-commutative operation shows the order), with the result
// landing in a fixed buffer, a vector that grows, and in place.
TEST_CASE("allreduces of 64 bytes and of more, interleaved with other collectives, fold in rank order",
          "[reductions]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({1, 3, 9})));
    OPS_DESCRIBE(opts);
    const auto op = [](long a, long b) { return a * 3 + b; };  // neither commutative nor the same regrouped
    const auto values = [](int rank, std::size_t count) {
        std::vector<long> mine(count);
        for (std::size_t i = 0; i < count; ++i) mine[i] = rank + static_cast<long>(i);
        return mine;
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        std::vector<std::vector<long>> got;
        for (const std::size_t count : {std::size_t{8}, std::size_t{9}, std::size_t{1}, std::size_t{8}}) {
            const std::vector<long> mine = values(world.rank(), count);
            got.push_back(world.allreduce(std::span<const long>(mine), op));
            std::vector<long> late(count);
            auto pending = world.iallreduce(std::span<const long>(mine), late, op);
            world.barrier();
            pending.wait();
            got.push_back(late);
            std::vector<long> here = values(world.rank(), count);
            world.allreduce_in_place(here, op);
            got.push_back(here);
        }
        return got;
    });
    const auto fold = [&](std::size_t count) {  // x0 op (x1 op (... op x(n-1))), element-wise
        std::vector<long> all = values(opts.ranks - 1, count);
        for (int r = opts.ranks - 2; r >= 0; --r)
            for (std::size_t i = 0; i < count; ++i) all[i] = op(values(r, count)[i], all[i]);
        return all;
    };
    for (int r = 0; r < opts.ranks; ++r) {
        INFO("rank " << r);
        const auto& got = result.values[r];
        REQUIRE(got.size() == 12);
        std::size_t at = 0;
        for (const std::size_t count : {std::size_t{8}, std::size_t{9}, std::size_t{1}, std::size_t{8}})
            for (int form = 0; form < 3; ++form, ++at) {
                INFO("count " << count << ", form " << form);
                CHECK(got[at] == fold(count));
            }
    }
}
