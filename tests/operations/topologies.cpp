// Cartesian topologies on the simulator: dims_create, cart_create (ranks beyond the grid get a
// null communicator), coords, rank_of, shift, cart_sub, and the neighbour collectives, on 1, 2, 3,
// 4, 6 and 12 ranks; bad arguments are usage errors naming the rank, the call and the values.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"

using baton::cart_communicator;
using baton::communicator;
using baton::proc_null;
using baton_test::contains;

namespace {

const std::vector<int> topology_ranks{1, 2, 3, 4, 6, 12};

// A 2-D grid of `dims` without the library's arithmetic: rank r is at (r / dims[1], r % dims[1]).
struct grid2 {
    std::vector<int> dims;
    std::vector<bool> periods;
    int at(int x, int y) const {
        auto fold = [&](int c, int d) {
            if (c >= 0 && c < dims[d]) return c;
            return periods[d] ? (c % dims[d] + dims[d]) % dims[d] : -1;
        };
        const int fx = fold(x, 0), fy = fold(y, 1);
        return fx < 0 || fy < 0 ? proc_null : fx * dims[1] + fy;
    }
    // MPI's order: below then above in dimension 0, then in dimension 1.
    std::vector<int> neighbors(int r) const {
        const int x = r / dims[1], y = r % dims[1];
        return {at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1)};
    }
};

}  // namespace

TEST_CASE("dims_create balances the dimensions, as MPI_Dims_create", "[topologies]") {
    using baton::dims_create;
    CHECK(dims_create(1, 2) == std::vector<int>{1, 1});
    CHECK(dims_create(6, 2) == std::vector<int>{3, 2});
    CHECK(dims_create(7, 2) == std::vector<int>{7, 1});
    CHECK(dims_create(12, 2) == std::vector<int>{4, 3});
    CHECK(dims_create(12, 3) == std::vector<int>{3, 2, 2});
    CHECK(dims_create(16, 3) == std::vector<int>{4, 2, 2});
    CHECK(dims_create(72, 2) == std::vector<int>{9, 8});  // Open MPI 4.1 gives {12, 6}
    CHECK(dims_create(300, 4) == std::vector<int>{5, 5, 4, 3});
    CHECK(dims_create(12, std::vector<int>{0, 3, 0}) == std::vector<int>{2, 3, 2});
    CHECK(dims_create(24, std::vector<int>{0, 0, 2}) == std::vector<int>{4, 3, 2});
    CHECK(dims_create(6, std::vector<int>{2, 3}) == std::vector<int>{2, 3});
    CHECK(dims_create(2147483647, 2) == std::vector<int>{2147483647, 1});

    auto refusal = [](auto&& call) {
        try {
            call();
        } catch (const baton::usage_error& e) {
            return std::string(e.what());
        }
        return std::string("nothing thrown");
    };
    const auto negative = refusal([] { dims_create(6, std::vector<int>{-2, 0}); });
    CHECK_THAT(negative, contains("dims_create(nranks=6, dims=[-2, 0])"));
    CHECK_THAT(negative, contains("topologies.cpp:"));
    CHECK_THAT(negative, contains("dimension -2 is negative"));
    CHECK_THAT(refusal([] { dims_create(10, std::vector<int>{4, 0}); }), contains("multiply to 4, which does not divide 10"));
    CHECK_THAT(refusal([] { dims_create(12, std::vector<int>{2, 3}); }), contains("not 12"));
    CHECK_THAT(refusal([] { dims_create(0, 2); }), contains("nranks must be positive"));
    CHECK_THAT(refusal([] { dims_create(4, 0); }), contains("at least one dimension"));
}

TEST_CASE("cart_create lays ranks out row-major; coords, rank_of and shift", "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations(topology_ranks)));
    OPS_DESCRIBE(opts);
    const grid2 g{baton::dims_create(opts.ranks, 2), {true, false}};

    struct outcome {
        std::string name;
        int rank = -1, size = 0;
        std::vector<int> dims, coords, coords_of_last, wrapped;
        std::vector<bool> periods;
        int back = -1;  // rank_of(coords())
        std::vector<int> shifts;  // (source, dest) by 1 in each dimension, then by 2 in dimension 0
        int sum = 0;              // the grid is a communicator: an allreduce over it
        BATON_TEST_RESULT_FIELDS(name, rank, size, dims, coords, coords_of_last, wrapped, periods, back, shifts, sum)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        cart_communicator grid = world.cart_create(g.dims, g.periods);
        REQUIRE(grid);
        outcome out;
        out.name = grid.name();
        out.rank = grid.rank();
        out.size = grid.size();
        out.dims = grid.dims();
        out.periods = grid.periods();
        out.coords = grid.coords();
        out.coords_of_last = grid.coords(grid.size() - 1);
        out.back = grid.rank_of(out.coords);
        // Periodic in dimension 0: coordinates beyond it wrap around.
        out.wrapped = {grid.rank_of({out.coords[0] + g.dims[0], out.coords[1]}),
                       grid.rank_of({out.coords[0] - 1, out.coords[1]})};
        for (const auto& [d, by] : {std::pair{0, 1}, {1, 1}, {0, 2}}) {
            const auto [source, dest] = grid.shift(d, by);
            out.shifts.push_back(source);
            out.shifts.push_back(dest);
        }
        out.sum = grid.allreduce(world.rank(), baton::op::sum);
        return out;
    });
    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        const int x = r / g.dims[1], y = r % g.dims[1];
        CHECK(out.name == "world.cart1(" + std::to_string(g.dims[0]) + "x" + std::to_string(g.dims[1]) + ")");
        CHECK(out.rank == r);
        CHECK(out.size == n);
        CHECK(out.dims == g.dims);
        CHECK(out.periods == g.periods);
        CHECK(out.coords == std::vector<int>{x, y});
        CHECK(out.coords_of_last == std::vector<int>{g.dims[0] - 1, g.dims[1] - 1});
        CHECK(out.back == r);
        CHECK(out.wrapped == std::vector<int>{r, g.at(x - 1, y)});
        CHECK(out.shifts == std::vector<int>{g.at(x - 1, y), g.at(x + 1, y), g.at(x, y - 1), g.at(x, y + 1),
                                             g.at(x - 2, y), g.at(x + 2, y)});
        CHECK(out.sum == n * (n - 1) / 2);
    }
}

TEST_CASE("ranks beyond the grid get a null communicator", "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3, 4, 6, 12})));
    OPS_DESCRIBE(opts);
    const int cells = opts.ranks - 1;  // a line of all but the last rank
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        cart_communicator line = world.cart_create({cells}, {false});
        const int in_line = line ? line.allreduce(1, baton::op::sum) : 0;
        return std::pair{static_cast<bool>(line), in_line};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        CHECK(result.values[r].first == (r < cells));
        CHECK(result.values[r].second == (r < cells ? cells : 0));
    }

    const auto failure = ops::rank_failure(opts, [&](communicator& world) {
        cart_communicator line = world.cart_create({cells}, {false});
        if (!line) (void)line.shift(0);
    });
    REQUIRE(failure);
    CHECK(failure->rank() == opts.ranks - 1);
    CHECK_THAT(failure->what(), contains("shift at"));
    CHECK_THAT(failure->what(), contains("or cart_create a rank beyond its grid"));
}

TEST_CASE("cart_sub splits a grid into the grids of the kept dimensions", "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations(topology_ranks)));
    OPS_DESCRIBE(opts);
    const grid2 g{baton::dims_create(opts.ranks, 2), {false, true}};

    struct outcome {
        std::string row_name, column_name;
        std::vector<int> row_members, column_members, row_dims, point_dims;
        std::vector<bool> row_periods;
        int row_rank = -1, point_size = 0;
        BATON_TEST_RESULT_FIELDS(row_name, column_name, row_members, column_members, row_dims, point_dims,
                                 row_periods, row_rank, point_size)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        cart_communicator grid = world.cart_create(g.dims, g.periods);
        cart_communicator row = grid.cart_sub({false, true});
        cart_communicator column = grid.cart_sub({true, false});
        cart_communicator point = grid.cart_sub({false, false});
        outcome out;
        out.row_name = row.name();
        out.column_name = column.name();
        out.row_members = row.allgather(world.rank());
        out.column_members = column.allgather(world.rank());
        out.row_dims = row.dims();
        out.row_periods = row.periods();
        out.row_rank = row.rank();
        out.point_dims = point.dims();
        out.point_size = point.size();
        return out;
    });
    for (int r = 0; r < opts.ranks; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[r];
        const int x = r / g.dims[1], y = r % g.dims[1];
        std::vector<int> row, column;
        for (int k = 0; k < g.dims[1]; ++k) row.push_back(x * g.dims[1] + k);
        for (int k = 0; k < g.dims[0]; ++k) column.push_back(k * g.dims[1] + y);
        CHECK(out.row_members == row);
        CHECK(out.column_members == column);
        CHECK(out.row_rank == y);
        CHECK(out.row_dims == std::vector<int>{g.dims[1]});
        CHECK(out.row_periods == std::vector<bool>{true});
        CHECK(out.row_name == "world.cart1(" + std::to_string(g.dims[0]) + "x" + std::to_string(g.dims[1]) +
                                  ").sub1(" + std::to_string(x) + ",*)");
        CHECK_THAT(out.column_name, contains(".sub2(*," + std::to_string(y) + ")"));
        CHECK(out.point_dims.empty());
        CHECK(out.point_size == 1);
    }
}

TEST_CASE("dup of a grid is a grid: the same dims, periods and coordinates, a message space of its own",
          "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations(topology_ranks)));
    OPS_DESCRIBE(opts);
    const grid2 g{baton::dims_create(opts.ranks, 2), {true, false}};
    struct outcome {
        std::vector<int> dims, coords, gathered, expected;
        std::vector<bool> periods;
        int on_copy = -1, on_grid = -1;
        BATON_TEST_RESULT_FIELDS(dims, coords, gathered, expected, periods, on_copy, on_grid)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        cart_communicator grid = world.cart_create(g.dims, g.periods);
        cart_communicator copy = grid.dup();
        outcome out;
        out.dims = copy.dims();
        out.periods = copy.periods();
        out.coords = copy.coords();
        out.gathered = copy.neighbor_allgather(copy.rank());
        out.expected = grid.neighbor_allgather(grid.rank());
        // The same tag on the grid and on its copy: each receive gets its own communicator's.
        const auto [from, to] = copy.shift(0, 1);
        baton::request on_grid = grid.isend(1, to, 9);
        baton::request on_copy = copy.isend(2, to, 9);
        out.on_copy = copy.recv<int>(from, 9);
        out.on_grid = grid.recv<int>(from, 9);
        on_grid.wait();
        on_copy.wait();
        return out;
    });
    for (int r = 0; r < opts.ranks; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[static_cast<std::size_t>(r)];
        CHECK(out.dims == g.dims);
        CHECK(out.periods == g.periods);
        CHECK(out.coords == std::vector<int>{r / g.dims[1], r % g.dims[1]});
        CHECK(out.gathered == out.expected);
        CHECK(out.on_copy == 2);
        CHECK(out.on_grid == 1);
    }
}

TEST_CASE("neighbor_allgather and neighbor_alltoall follow MPI's order, proc_null blocks untouched",
          "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations(topology_ranks)));
    OPS_DESCRIBE(opts);
    // Periodic in dimension 1 only; for 2 and 4 ranks also a fully periodic grid, where a periodic
    // dimension of 1 or 2 ranks has one rank both below and above.
    const bool all_periodic = GENERATE(false, true);
    const grid2 g{baton::dims_create(opts.ranks, 2), {all_periodic, true}};

    struct outcome {
        std::vector<int> gathered;
        std::vector<double> exchanged;
        BATON_TEST_RESULT_FIELDS(gathered, exchanged)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        cart_communicator grid = world.cart_create(g.dims, g.periods);
        const int r = grid.rank();
        outcome out;
        out.gathered = grid.neighbor_allgather(std::vector<int>{r + 1, -(r + 1)});
        std::vector<double> blocks;
        for (int i = 0; i < 4; ++i) blocks.push_back(r * 100 + i);  // block i for neighbour i
        out.exchanged = grid.neighbor_alltoall(blocks);
        return out;
    });
    for (int r = 0; r < opts.ranks; ++r) {
        INFO("rank " << r);
        const auto neighbors = g.neighbors(r);
        std::vector<int> gathered;
        std::vector<double> exchanged;
        for (std::size_t i = 0; i < neighbors.size(); ++i) {
            const int s = neighbors[i];
            gathered.push_back(s == proc_null ? 0 : s + 1);
            gathered.push_back(s == proc_null ? 0 : -(s + 1));
            // What neighbour s sent towards this rank: its block for the opposite direction.
            exchanged.push_back(s == proc_null ? 0.0 : s * 100 + static_cast<double>(i ^ 1));
        }
        CHECK(result.values[r].gathered == gathered);
        CHECK(result.values[r].exchanged == exchanged);
    }
}

TEST_CASE("bad topology arguments are usage errors naming the rank, the call and the values", "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3})));
    OPS_DESCRIBE(opts);
    auto message_of = [&](const std::function<void(communicator&)>& body) {
        const auto failure = ops::rank_failure(opts, body);
        REQUIRE(failure);
        CHECK(failure->original_is<baton::usage_error>());
        CHECK_THAT(failure->what(), ops::mentions_rank(failure->rank()));
        return ops::original_message(*failure);
    };
    const std::string too_big = message_of([](communicator& world) { world.cart_create({2, 2}, {false, false}); });
    CHECK_THAT(too_big, contains("cart_create at"));
    CHECK_THAT(too_big, contains("dims [2, 2]: the grid has 4 ranks but world has"));
    CHECK_THAT(message_of([](communicator& world) { world.cart_create({-1}, {false}); }),
               contains("dimension 0 has -1 ranks"));
    CHECK_THAT(message_of([](communicator& world) { world.cart_create({1}, {false, true}); }),
               contains("2 periods given for 1 dimensions"));
    const std::string off_grid = message_of([](communicator& world) {
        cart_communicator line = world.cart_create({world.size()}, {false});
        (void)line.rank_of({world.size()});
    });
    CHECK_THAT(off_grid, contains("rank_of at"));
    CHECK_THAT(off_grid, contains("coordinate"));
    CHECK_THAT(off_grid, contains("does not wrap around"));
    CHECK_THAT(message_of([](communicator& world) { (void)world.cart_create({world.size()}, {true}).shift(1); }),
               contains("dimension 1 is not one of the grid's 0..0"));
    CHECK_THAT(message_of([](communicator& world) { (void)world.cart_create({world.size()}, {true}).coords(9); }),
               contains("rank 9 is not a rank of world.cart1"));
    CHECK_THAT(message_of([](communicator& world) { world.cart_create({world.size()}, {true}).cart_sub({true, true}); }),
               contains("2 entries in keep for a grid of 1 dimensions"));
    CHECK_THAT(message_of([](communicator& world) {
                   world.cart_create({world.size()}, {true}).neighbor_alltoall(std::vector<int>{1, 2, 3});
               }),
               contains("3 elements do not split into 2 equal blocks, one per neighbour"));
}

TEST_CASE("a neighbour collective against another collective is a collective mismatch", "[topologies]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 4})));
    OPS_DESCRIBE(opts);
    try {
        baton::sim::run(opts, [](communicator& world) {
            cart_communicator ring = world.cart_create({world.size()}, {true});
            if (ring.rank() == 1) (void)ring.allgather(1);
            else (void)ring.neighbor_allgather(1);
        });
        FAIL("no mismatch reported");
    } catch (const baton::collective_mismatch& e) {
        CHECK_THAT(e.what(), contains("another operation"));
        CHECK_THAT(e.what(), contains("neighbor_allgather(1 x int)"));
        CHECK_THAT(e.what(), contains("allgather(1 x int)"));
    }
    try {
        baton::sim::run(opts, [](communicator& world) {
            (void)world.cart_create({world.size()}, {world.rank() == 0});
        });
        FAIL("no mismatch reported");
    } catch (const baton::collective_mismatch& e) {
        CHECK_THAT(e.what(), contains("another grid"));
        CHECK_THAT(e.what(), contains("cart_create(dims=[" + std::to_string(opts.ranks) + "], periods=[true])"));
    }
}
