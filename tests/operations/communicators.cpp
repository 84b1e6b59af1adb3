// New communicators on the simulator: split (colors, keys, baton::undefined) and dup, each with a
// message space of its own, and operations on them.
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common.hpp"

using baton::communicator;

namespace {

// The world ranks with a color, ordered by (key, world rank): the expected members of a split.
template <class Color, class Key>
std::vector<int> members(int world_size, int color, Color color_of, Key key_of) {
    std::vector<int> ranks;
    for (int r = 0; r < world_size; ++r)
        if (color_of(r) == color) ranks.push_back(r);
    std::stable_sort(ranks.begin(), ranks.end(), [&](int a, int b) { return key_of(a) < key_of(b); });
    return ranks;
}

}  // namespace

TEST_CASE("split groups ranks by color and orders each group by key", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    auto color_of = [](int r) { return r % 3; };
    auto key_of = [](int r) { return -r; };  // reverses the world order

    struct outcome {
        int size = 0, rank = -1;
        std::vector<int> world_ranks;  // allgather over the new communicator
        int sum = 0;                   // allreduce of world ranks
        int from_root = -1;            // bcast from the new communicator's last rank
        int from_previous = -1;        // sendrecv around the new communicator's ring
        baton::status st;
        std::string name;
        BATON_TEST_RESULT_FIELDS(size, rank, world_ranks, sum, from_root, from_previous, st, name)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        const int me = world.rank();
        communicator sub = world.split(color_of(me), key_of(me));
        REQUIRE(sub);
        outcome out;
        out.size = sub.size();
        out.rank = sub.rank();
        out.world_ranks = sub.allgather(me);
        out.sum = sub.allreduce(me, baton::op::sum);
        out.from_root = sub.rank() == sub.size() - 1 ? me * 10 : -1;
        sub.bcast(out.from_root, sub.size() - 1);
        const int n = sub.size();
        out.st = sub.sendrecv(me, (sub.rank() + 1) % n, 0, out.from_previous, (sub.rank() + n - 1) % n, 0);
        out.name = sub.name();
        return out;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        const auto group = members(opts.ranks, color_of(r), color_of, key_of);
        const auto& out = result.values[r];
        const int n = static_cast<int>(group.size());
        const int position = static_cast<int>(std::find(group.begin(), group.end(), r) - group.begin());
        CHECK(out.size == n);
        CHECK(out.rank == position);
        CHECK(out.world_ranks == group);
        CHECK(out.sum == std::accumulate(group.begin(), group.end(), 0));
        CHECK(out.from_root == group.back() * 10);
        CHECK(out.from_previous == group[static_cast<std::size_t>((position + n - 1) % n)]);
        CHECK(out.st.source == (position + n - 1) % n);  // a rank of the new communicator
        CHECK(out.name != "world");
    }
}

TEST_CASE("split with equal keys keeps the ranks in their old order", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered})));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        communicator pairs = world.split(world.rank() / 2, /*key=*/7);
        return std::pair{pairs.rank(), pairs.allgather(world.rank())};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        CHECK(result.values[r].first == r % 2);
        std::vector<int> expected{r - r % 2};
        if (expected[0] + 1 < opts.ranks) expected.push_back(expected[0] + 1);
        CHECK(result.values[r].second == expected);
    }
}

TEST_CASE("split with baton::undefined gives those ranks a null communicator", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered})));
    OPS_DESCRIBE(opts);

    // Odd ranks join nothing; the even ones form a communicator of their own.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const bool joins = world.rank() % 2 == 0;
        communicator evens = world.split(joins ? 5 : baton::undefined, world.rank());
        std::optional<std::vector<int>> gathered;
        if (evens) gathered = evens.allgather(world.rank());
        return std::pair{static_cast<bool>(evens), gathered};
    });
    std::vector<int> evens;
    for (int r = 0; r < opts.ranks; r += 2) evens.push_back(r);
    for (int r = 0; r < opts.ranks; ++r) {
        const auto& [valid, gathered] = result.values[r];
        CHECK(valid == (r % 2 == 0));
        if (r % 2 == 0) CHECK(gathered == evens);
    }

    SECTION("using a null communicator is a usage error") {
        const auto failure = ops::rank_failure(opts, [](communicator& world) {
            communicator none = world.split(world.rank() == 0 ? baton::undefined : 0, 0);
            if (world.rank() == 0) none.barrier();
        });
        REQUIRE(failure);
        CHECK(failure->rank() == 0);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(failure->what(), baton_test::contains("null communicator"));
    }
}

TEST_CASE("split with every color undefined gives every rank a null communicator", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        communicator none = world.split(baton::undefined, world.rank());
        world.barrier();  // the world still works
        return static_cast<bool>(none);
    });
    for (int r = 0; r < opts.ranks; ++r) CHECK_FALSE(result.values[r]);
}

TEST_CASE("reductions on a reordered communicator follow its rank order", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered})));
    OPS_DESCRIBE(opts);

    // Everyone in one group, keyed in reverse: world rank r is rank n-1-r. "Keep the left operand"
    // and "keep the right operand" are associative but not commutative: their results name the
    // ranks that came first and last in the new communicator's order.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        communicator reversed = world.split(0, world.size() - world.rank());
        auto first = [](int left, int) { return left; };
        auto last = [](int, int right) { return right; };
        const int root = reversed.size() - 1;  // world rank 0
        return std::tuple{reversed.allreduce(world.rank(), first), reversed.allreduce(world.rank(), last),
                          reversed.scan(world.rank(), first), reversed.exscan(world.rank(), last),
                          reversed.reduce(world.rank(), first, root)};
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& [first, last, scanned, exscanned, reduced] = result.values[r];
        CHECK(first == n - 1);  // the world rank of the new rank 0
        CHECK(last == 0);
        CHECK(scanned == n - 1);
        if (r != n - 1) CHECK(exscanned == r + 1);  // the new rank just before this one
        CHECK(reduced == (r == 0 ? n - 1 : 0));
    }
}

TEST_CASE("a split of a split", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered})));
    OPS_DESCRIBE(opts);

    // Halves by parity, then each half cut in pairs: world ranks {0, 2}, {4, 6}, {1, 3}, ...
    const auto result = baton::sim::run(opts, [](communicator& world) {
        communicator half = world.split(world.rank() % 2, world.rank());
        communicator pair = half.split(half.rank() / 2, half.rank());
        return std::tuple{pair.allgather(world.rank()), pair.allreduce(1, baton::op::sum), half.size()};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        const auto& [group, size, half_size] = result.values[r];
        const int first = 4 * (r / 4) + r % 2;  // the pair is {first, first + 2}
        std::vector<int> expected{first};
        if (first + 2 < opts.ranks) expected.push_back(first + 2);
        CHECK(group == expected);
        CHECK(size == static_cast<int>(expected.size()));
        CHECK(half_size == (opts.ranks + (r % 2 == 0 ? 1 : 0)) / 2);
    }
}

TEST_CASE("dup has the same ranks and a message space of its own", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        int size = 0, rank = -1;
        bool world_sees_dup_message = true;  // iprobe on the world while only the dup has mail
        bool dup_sees_dup_message = false;
        int from_world = -1, from_dup = -1;
        int from_world_wildcard = -1;
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        communicator copy = world.dup();
        outcome out;
        out.size = copy.size();
        out.rank = copy.rank();

        // Same destination, same tag, on two communicators: sent on the dup first.
        std::vector<baton::request> sends;
        sends.push_back(copy.isend(1000 + me, next, 0));
        world.barrier();  // the dup's message has been sent by now, the world's has not
        out.world_sees_dup_message = world.iprobe().has_value();
        out.dup_sees_dup_message = copy.iprobe(previous, 0).has_value();
        world.barrier();  // nobody sends on the world before everyone has looked
        sends.push_back(world.isend(2000 + me, next, 0));
        out.from_world = world.recv<int>(previous, 0);  // the world's message, though the dup's came first
        out.from_dup = copy.recv<int>(previous, 0);

        // Wildcards do not reach across either.
        sends.push_back(copy.isend(3000 + me, next, 1));
        sends.push_back(world.isend(4000 + me, next, 1));
        out.from_world_wildcard = world.recv<int>(baton::any_source, baton::any_tag);
        copy.recv<int>(previous, 1);
        baton::wait_all(sends);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int previous = (r + n - 1) % n;
        const auto& out = result.values[r];
        CHECK(out.size == n);
        CHECK(out.rank == r);
        CHECK_FALSE(out.world_sees_dup_message);
        CHECK(out.dup_sees_dup_message);
        CHECK(out.from_world == 2000 + previous);
        CHECK(out.from_dup == 1000 + previous);
        CHECK(out.from_world_wildcard == 4000 + previous);
    }
}

TEST_CASE("a split communicator's messages do not match receives on the world", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    // Everyone in one color, so that the new communicator has the world's ranks, reversed.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        communicator reversed = world.split(0, n - me);
        // World rank me is rank n-1-me of `reversed`; send to world rank (me+1)%n both ways.
        const int next = (me + 1) % n;
        std::vector<baton::request> sends;
        sends.push_back(reversed.isend(-me, n - 1 - next, 3));
        sends.push_back(world.isend(me, next, 3));
        const int previous = (me + n - 1) % n;
        const int on_world = world.recv<int>(previous, 3);
        const int on_reversed = reversed.recv<int>(n - 1 - previous, 3);
        baton::wait_all(sends);
        return std::pair{on_world, on_reversed};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        const int previous = (r + opts.ranks - 1) % opts.ranks;
        CHECK(result.values[r].first == previous);
        CHECK(result.values[r].second == -previous);
    }
}

TEST_CASE("collectives on new communicators run alongside the world's", "[communicators]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered})));
    OPS_DESCRIBE(opts);

    struct outcome {
        int world_sum = 0, sub_sum = 0, dup_max = 0;
        int sub_scan = 0;
        std::vector<int> sub_gather;  // at the sub-communicator's root (its rank 1, or 0)
        std::vector<int> dup_scatter;
        int world_bcast = -1;
        BATON_TEST_RESULT_FIELDS(world_sum, sub_sum, dup_max, sub_scan, sub_gather, dup_scatter, world_bcast)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank();
        communicator sub = world.split(me % 2, me);
        communicator copy = world.dup();
        outcome out;
        out.sub_sum = sub.allreduce(me, baton::op::sum);
        out.world_sum = world.allreduce(me, baton::op::sum);
        out.dup_max = copy.allreduce(me, baton::op::max);
        out.sub_scan = sub.scan(me, baton::op::sum);
        const int sub_root = sub.size() > 1 ? 1 : 0;
        out.sub_gather = sub.gather(me * 3, sub_root);
        std::vector<int> all;
        if (copy.rank() == 0) {
            all.resize(static_cast<std::size_t>(copy.size()));
            std::iota(all.begin(), all.end(), 50);
        }
        out.dup_scatter = copy.scatter(all, 0);
        out.world_bcast = me == world.size() - 1 ? 77 : 0;
        world.bcast(out.world_bcast, world.size() - 1);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[r];
        std::vector<int> same_parity;
        for (int s = r % 2; s < n; s += 2) same_parity.push_back(s);
        CHECK(out.world_sum == n * (n - 1) / 2);
        CHECK(out.sub_sum == std::accumulate(same_parity.begin(), same_parity.end(), 0));
        CHECK(out.dup_max == n - 1);
        int prefix = 0;
        for (int s = r % 2; s <= r; s += 2) prefix += s;
        CHECK(out.sub_scan == prefix);
        const int sub_root_world = same_parity.size() > 1 ? same_parity[1] : same_parity[0];
        if (r == sub_root_world) {
            std::vector<int> expected;
            for (int s : same_parity) expected.push_back(s * 3);
            CHECK(out.sub_gather == expected);
        } else {
            CHECK(out.sub_gather.empty());
        }
        CHECK(out.dup_scatter == std::vector<int>{50 + r});
        CHECK(out.world_bcast == 77);
    }
}
