// Collectives called differently on different ranks are reported, with what each rank called.
#include <array>
#include <span>
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton_test::contains;

namespace {

baton::collective_mismatch run_expecting_mismatch(int ranks, const std::function<void(communicator&)>& body) {
    try {
        baton::sim::run_ranks({.ranks = ranks, .seed = 3}, body);
    } catch (const baton::collective_mismatch& e) {
        return e;
    }
    FAIL("no mismatch was reported");
    throw;
}

}  // namespace

TEST_CASE("different collectives on different ranks", "[mismatch]") {
    const auto e = run_expecting_mismatch(3, [](communicator& world) {
        int value = 1;
        if (world.rank() == 1) world.reduce(value, baton::op::sum, 0);
        else world.bcast(value, 0);
    });
    CHECK_THAT(e.what(), contains("another operation"));
    CHECK_THAT(e.what(), contains("reduce(op=sum, root=0, 1 x int)"));
    CHECK_THAT(e.what(), contains("bcast(root=0, 1 x int)"));
    CHECK(e.calls().size() >= 2);
}

TEST_CASE("different roots", "[mismatch]") {
    const auto e = run_expecting_mismatch(4, [](communicator& world) {
        double x = 1;
        world.bcast(x, world.rank() == 2 ? 1 : 0);
    });
    CHECK_THAT(e.what(), contains("another root"));
}

TEST_CASE("different element types", "[mismatch]") {
    const auto e = run_expecting_mismatch(2, [](communicator& world) {
        if (world.rank() == 0) world.allreduce(1, baton::op::sum);
        else world.allreduce(1.0, baton::op::sum);
    });
    CHECK_THAT(e.what(), contains("another element type"));
    CHECK_THAT(e.what(), contains("double"));
}

TEST_CASE("different counts", "[mismatch]") {
    const auto e = run_expecting_mismatch(3, [](communicator& world) {
        world.allreduce(std::vector<int>(static_cast<std::size_t>(world.rank() == 0 ? 2 : 3), 1), baton::op::max);
    });
    CHECK_THAT(e.what(), contains("another element count"));
}

TEST_CASE("different reductions", "[mismatch]") {
    const auto e = run_expecting_mismatch(2, [](communicator& world) {
        if (world.rank() == 0) world.allreduce(1, baton::op::sum);
        else world.allreduce(1, baton::op::max);
    });
    CHECK_THAT(e.what(), contains("another reduction"));
}

TEST_CASE("a fixed bcast buffer of another size than the root's", "[mismatch]") {
    const auto e = run_expecting_mismatch(3, [](communicator& world) {
        std::array<int, 4> four{};
        std::array<int, 3> three{};
        if (world.rank() == 2) world.bcast(four, 0);
        else world.bcast(std::span<int>(three), 0);
    });
    CHECK_THAT(e.what(), contains("another element count"));
}

TEST_CASE("an allreduce in place on some ranks only", "[mismatch]") {
    const auto e = run_expecting_mismatch(3, [](communicator& world) {
        std::array<int, 2> data{world.rank(), 1};
        if (world.rank() == 1) world.allreduce_in_place(std::span<int>(data), baton::op::sum);
        else data = world.allreduce(data, baton::op::sum);
    });
    CHECK_THAT(e.what(), contains("in place on some ranks only (MPI_IN_PLACE must be on every rank or none)"));
    CHECK_THAT(e.what(), contains("allreduce(op=sum, in place, 2 x int)"));
}

TEST_CASE("reduce_scatter with other block counts on one rank", "[mismatch]") {
    const auto e = run_expecting_mismatch(2, [](communicator& world) {
        const std::vector<std::size_t> counts = world.rank() == 0 ? std::vector<std::size_t>{2, 1}
                                                                  : std::vector<std::size_t>{1, 2};
        world.reduce_scatter(std::vector<int>{1, 2, 3}, counts, baton::op::sum);
    });
    CHECK_THAT(e.what(), contains("other block counts"));
    CHECK_THAT(e.what(), contains("reduce_scatter(op=sum, 3 x int, blocks=[2, 1])"));
    CHECK_THAT(e.what(), contains("reduce_scatter(op=sum, 3 x int, blocks=[1, 2])"));
}

TEST_CASE("matching collectives are not reported", "[mismatch]") {
    const auto result = baton::sim::run({.ranks = 4, .seed = 11}, [](communicator& world) {
        std::vector<int> v;
        if (world.rank() == 2) v = {1, 2, 3};
        world.bcast(v, 2);  // receivers' vectors are resized: no count to match
        return world.allreduce(static_cast<int>(v.size()), baton::op::sum);
    });
    CHECK(result.values == std::vector<int>{12, 12, 12, 12});
}
