// Cartesian topologies (MPI_Cart_*): a communicator whose ranks are laid out on a grid, with
// their coordinates, their neighbours at a shift, sub-grids, and the neighbour collectives of
// stencil codes.
//
//     const auto dims = baton::dims_create(world.size(), 2);           // e.g. {3, 2} for 6 ranks
//     baton::cart_communicator grid = world.cart_create(dims, {true, false});
//     const auto [from, to] = grid.shift(0, 1);                       // proc_null beyond an edge
//     auto halos = grid.neighbor_allgather(my_edge);                  // 4 blocks: -x, +x, -y, +y
//
// Ranks are numbered row-major over the grid (the last dimension varies fastest), as MPI does.
#pragma once

#include <cstddef>
#include <memory>
#include <ranges>
#include <source_location>
#include <vector>

#include <baton/backend.hpp>
#include <baton/communicator.hpp>
#include <baton/datatype.hpp>
#include <baton/detail/buffers.hpp>

namespace baton {

// MPI_Dims_create: `ndims` dimensions for a grid of `nranks` ranks, as close to each other as
// possible and in non-increasing order ({4, 3} for 12, {3, 2, 2} for 12 in three). The same on
// every backend. (Open MPI 4.1's MPI_Dims_create is less balanced for a few counts, e.g. 72 in
// two dimensions: {12, 6}, where this gives {9, 8}; the standard asks for the closest.)
std::vector<int> dims_create(int nranks, int ndims, std::source_location where = std::source_location::current());
// With some dimensions given: the non-zero entries of `dims` stay, the zeros are filled in (in
// non-increasing order) so that the product is `nranks`.
std::vector<int> dims_create(int nranks, std::vector<int> dims,
                             std::source_location where = std::source_location::current());

// The neighbours of a shift: receive from `source`, send to `dest` (proc_null where there is none).
struct shift_peers {
    int source;
    int dest;
};

// A communicator with a grid; usable wherever a communicator is. Ranks beyond the grid get a null
// one from cart_create (as MPI_COMM_NULL).
class cart_communicator : public communicator {
public:
    cart_communicator() = default;
    explicit cart_communicator(std::unique_ptr<backend::comm_impl> impl) : communicator(std::move(impl)) {}

    int ndims(location where = location::current()) const { return static_cast<int>(grid("ndims", where).dims.size()); }
    const std::vector<int>& dims(location where = location::current()) const { return grid("dims", where).dims; }
    const std::vector<bool>& periods(location where = location::current()) const {
        return grid("periods", where).periods;
    }

    // This rank's coordinates, and rank `rank`'s.
    std::vector<int> coords(location where = location::current()) const;
    std::vector<int> coords(int rank, location where = location::current()) const;
    // The rank at `coords` (MPI_Cart_rank): wrapped around in a periodic dimension; outside a
    // dimension that does not wrap, a usage_error.
    int rank_of(const std::vector<int>& coords, location where = location::current()) const;
    // MPI_Cart_shift: the ranks `displacement` below (source) and above (dest) this one along
    // `dimension`; proc_null beyond an edge that does not wrap.
    shift_peers shift(int dimension, int displacement = 1, location where = location::current()) const;
    // MPI_Cart_sub (collective): the grid of the dimensions `keep` marks, shared by the ranks
    // whose coordinates differ only in them (keep {false, true} of a 4x3 grid: its 4 rows).
    cart_communicator cart_sub(const std::vector<bool>& keep, location where = location::current());
    // MPI_Comm_dup (collective): the same grid, with a message space of its own.
    cart_communicator dup(location where = location::current()) {
        return cart_communicator(impl("dup", where).dup(where));
    }

    // ---- Neighbour collectives: 2 * ndims() neighbours, for each dimension the one below, then
    // the one above. A neighbour beyond an edge that does not wrap (proc_null) sends nothing, and
    // its block of the result stays value-initialized.

    // Every rank gives `mine` (the same number of elements on every rank); gets each neighbour's.
    template <class T>
        requires contiguous_sendable<T> || trivially_sendable<T>
    std::vector<element_t<T>> neighbor_allgather(const T& mine, location where = location::current()) {
        (void)grid("neighbor_allgather", where);
        std::vector<element_t<T>> all;
        impl().neighbor_allgather(detail::view_of(mine), detail::recv_buffer_of_vector(all), where);
        return all;
    }

    // `all` holds 2 * ndims() equal blocks, block i for neighbour i; returns the block each
    // neighbour sent this rank, block i from neighbour i. Along a periodic dimension of 1 or 2
    // ranks, where one rank is the neighbour below and above, the block from below is the one that
    // rank sent upwards and the other way round, as the standard says (and Open MPI 4.1.4 does:
    // the cross-backend suite has such grids).
    template <contiguous_sendable R>
    std::vector<element_t<R>> neighbor_alltoall(const R& all, location where = location::current()) {
        check_neighbor_blocks(std::ranges::size(all), where);
        std::vector<element_t<R>> mine;
        impl().neighbor_alltoall(detail::view_of(all), detail::recv_buffer_of_vector(mine), where);
        return mine;
    }

private:
    // The grid; on a null communicator, a usage_error naming `operation`.
    const backend::cartesian_grid& grid(std::string_view operation, const location& where) const;
    void check_neighbor_blocks(std::size_t count, const location& where) const;
};

}  // namespace baton
