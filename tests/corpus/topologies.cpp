// Cartesian topologies: neighbour collectives matched against other collectives (call matching),
// grids and their collectives that differ across ranks (parameter matching), a neighbour's rank
// computed off a grid that does not wrap (invalid parameter: MPI_Cart_rank's coordinates must be
// on the grid there; shift gives proc_null instead), and correct stencil-like programs.
#include <vector>

#include "corpus.hpp"

namespace {

using baton::cart_communicator;
using baton::communicator;

cart_communicator ring_of(communicator& world) { return world.cart_create({world.size()}, {true}); }

// ---- Call matching ------------------------------------------------------------------------------

CORPUS_PROGRAM(neighbor_allgather_against_allgather) {
    cart_communicator ring = ring_of(world);
    if (ring.rank() == 2) ring.allgather(1);
    else ring.neighbor_allgather(1);
}
CORPUS_RUN(neighbor_allgather_against_allgather, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(neighbor_alltoall_against_alltoall) {
    cart_communicator ring = ring_of(world);
    const std::vector<int> blocks{1, 2, 3, 4, 5, 6};  // two blocks for two neighbours, three for three ranks
    if (ring.rank() == 2) ring.alltoall(blocks);
    else ring.neighbor_alltoall(blocks);
}
CORPUS_RUN(neighbor_alltoall_against_alltoall, "call matching", collective_mismatch, .ranks = 3);

// ---- Parameter matching -------------------------------------------------------------------------

CORPUS_PROGRAM(cart_create_with_other_periods) {
    world.cart_create({world.size()}, {world.rank() != 2});
}
CORPUS_RUN(cart_create_with_other_periods, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(cart_sub_keeping_other_dimensions) {
    cart_communicator grid = world.cart_create({2, 2}, {false, false});
    grid.cart_sub({world.rank() != 2, world.rank() == 2});
}
CORPUS_RUN(cart_sub_keeping_other_dimensions, "parameter matching", collective_mismatch, .ranks = 4);

CORPUS_PROGRAM(neighbor_allgather_of_other_counts) {
    cart_communicator ring = ring_of(world);
    ring.neighbor_allgather(std::vector<int>(ring.rank() == 2 ? 2 : 1, 7));
}
CORPUS_RUN(neighbor_allgather_of_other_counts, "parameter matching", collective_mismatch, .ranks = 3);

// ---- Invalid parameters -------------------------------------------------------------------------

// The right neighbour as coords + 1: off the end of a line that does not wrap (shift would give
// proc_null there).
CORPUS_PROGRAM(rank_of_off_a_grid_that_does_not_wrap) {
    cart_communicator line = world.cart_create({world.size()}, {false});
    const int right = line.rank_of({line.coords()[0] + 1});
    int from_left = -1;
    line.sendrecv(line.rank(), right, 0, from_left, baton::any_source, 0);
}
CORPUS_RUN(rank_of_off_a_grid_that_does_not_wrap, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(cart_create_larger_than_the_communicator) {
    world.cart_create({2, 2}, {false, false});
}
CORPUS_RUN(cart_create_larger_than_the_communicator, "invalid parameter", invalid_argument, .ranks = 3);

// ---- Correct ------------------------------------------------------------------------------------

// A halo exchange on a 2-D grid that does not wrap: shift and sendrecv, proc_null at the edges,
// without buffering; then the same exchange as one neighbor_alltoall, which must agree.
CORPUS_PROGRAM(halo_exchange_on_a_grid) {
    cart_communicator grid = world.cart_create(baton::dims_create(world.size(), 2), {false, false});
    const int me = grid.rank();
    std::vector<int> by_sendrecv;
    for (int d = 0; d < 2; ++d) {
        const auto [below, above] = grid.shift(d, 1);
        int from_below = -1, from_above = -1;
        grid.sendrecv(me * 10 + 2 * d + 1, above, d, from_below, below, d);
        grid.sendrecv(me * 10 + 2 * d, below, d, from_above, above, d);
        by_sendrecv.push_back(below == baton::proc_null ? 0 : from_below);
        by_sendrecv.push_back(above == baton::proc_null ? 0 : from_above);
    }
    const auto by_neighbors = grid.neighbor_alltoall(std::vector<int>{me * 10, me * 10 + 1, me * 10 + 2, me * 10 + 3});
    corpus::expect(by_neighbors == by_sendrecv, "neighbor_alltoall gives what sendrecv along shift gives");
}
CORPUS_RUN(halo_exchange_on_a_grid, "correct", correct, .ranks = 6, .sends = synchronous);
CORPUS_RUN(halo_exchange_on_a_grid, "correct", correct, .ranks = 4);

// Rows and columns of a periodic grid, each reduced on its own.
CORPUS_PROGRAM(sums_over_rows_and_columns) {
    cart_communicator grid = world.cart_create({2, world.size() / 2}, {true, true});
    cart_communicator row = grid.cart_sub({false, true});
    cart_communicator column = grid.cart_sub({true, false});
    const int row_sum = row.allreduce(1, baton::op::sum), column_sum = column.allreduce(1, baton::op::sum);
    corpus::expect(row_sum == world.size() / 2 && column_sum == 2, "each row and column has its ranks");
    const auto around = grid.neighbor_allgather(grid.rank());
    corpus::expect(around.size() == 4, "four neighbours on a periodic grid");
}
CORPUS_RUN(sums_over_rows_and_columns, "correct", correct, .ranks = 4);
CORPUS_RUN(sums_over_rows_and_columns, "correct", correct, .ranks = 6, .collectives = local);

}  // namespace
