// The arithmetic of a Cartesian grid of ranks (backend::cartesian_grid), the same for the typed
// layer and every backend: MPI fixes the row-major numbering, so coordinates, shifts and
// neighbours follow from the grid alone (the cross-backend suite compares them with Open MPI's
// MPI_Cart_coords, MPI_Cart_shift and MPI_Neighbor_* on every rank).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <baton/backend.hpp>

namespace baton::detail {

// The number of ranks in a grid of `dims` (each positive), or -1 past INT_MAX.
std::int64_t grid_size(const std::vector<int>& dims);

// Rank `rank`'s coordinates (0 <= rank < grid_size).
std::vector<int> grid_coords(const backend::cartesian_grid& grid, int rank);

// The rank at `coords` (one per dimension), wrapped around in the dimensions that wrap;
// proc_null when a coordinate is outside a dimension that does not.
int grid_rank(const backend::cartesian_grid& grid, std::vector<int> coords);

// MPI_Cart_shift: {source, dest}, the ranks `displacement` below and above `rank` in `dimension`.
std::array<int, 2> grid_shift(const backend::cartesian_grid& grid, int rank, int dimension, int displacement);

// The 2 * ndims neighbours of a neighbour collective, in MPI's order: for each dimension, the
// source then the destination of a shift by 1 (proc_null where there is none).
std::vector<int> grid_neighbors(const backend::cartesian_grid& grid, int rank);

// The grid of the dimensions `keep` marks (cart_sub's).
backend::cartesian_grid sub_grid(const backend::cartesian_grid& grid, const std::vector<bool>& keep);

// Names of the communicators cart_create and cart_sub make, alike on every backend:
// "world.cart1(4x3)", and for the row of rank 5 in it, keeping dimension 1, "world.cart1(4x3).sub1(1,*)"
// (a kept dimension is `*`, a dropped one the coordinate the group shares).
std::string cart_name(const std::string& parent, int number, const backend::cartesian_grid& grid);
std::string sub_name(const std::string& parent, int number, const std::vector<int>& coords,
                     const std::vector<bool>& keep);

}  // namespace baton::detail
