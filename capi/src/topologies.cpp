// MPI's Cartesian topologies: MPI_Dims_create, MPI_Cart_create, MPI_Cart_coords, MPI_Cart_rank,
// MPI_Cart_shift, MPI_Cart_sub, MPI_Cartdim_get, MPI_Cart_get, MPI_Topo_test. The grid arithmetic is
// the typed layer's (detail/grid.hpp, dims_create), so both APIs number ranks alike.
#include <baton/cartesian.hpp>
#include <baton/detail/grid.hpp>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// The grid of a communicator, or a usage_error: MPI_ERR_TOPOLOGY.
const backend::cartesian_grid& grid_of(const call& c) {
    const backend::cartesian_grid* grid = c.comm.grid();
    if (!grid) fail(MPI_ERR_TOPOLOGY, c.comm, c.name, "the communicator has no Cartesian topology", c.where);
    return *grid;
}

std::vector<int> ints(const call& c, int n, const int values[], std::string_view what) {
    if (n > 0 && !values) detail::throw_usage(c.comm, c.name, std::string("the ") + std::string(what) + " are NULL", c.where);
    return std::vector<int>(values, values + n);
}

}  // namespace

BATON_MPI_BODY(MPI_Dims_create)(const baton_mpi_where* site, int nnodes, int ndims, int dims[]) {
    const auto where = location_of(site);
    (void)current("MPI_Dims_create", where);
    const std::vector<int> given(dims, dims + (ndims > 0 ? ndims : 0));
    const std::vector<int> made = dims_create(nnodes, given, where);
    std::copy(made.begin(), made.end(), dims);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Dims_create, (int nnodes, int ndims, int dims[]), (nnodes, ndims, dims))

BATON_MPI_BODY(MPI_Cart_create)(const baton_mpi_where* site, MPI_Comm comm_old, int ndims, const int dims[],
                                const int periods[], int reorder, MPI_Comm* comm_cart) {
    const call c("MPI_Cart_create", site, comm_old);
    if (ndims < 1) fail(MPI_ERR_DIMS, c.comm, c.name, "ndims " + std::to_string(ndims) + ": a grid needs at least one dimension", c.where);
    if (!comm_cart) fail(MPI_ERR_ARG, c.comm, c.name, "the pointer for the new communicator is NULL", c.where);
    backend::cartesian_grid grid{ints(c, ndims, dims, "dims"), {}};
    for (const int p : ints(c, ndims, periods, "periods")) grid.periods.push_back(p != 0);
    for (std::size_t d = 0; d < grid.dims.size(); ++d)
        if (grid.dims[d] <= 0)
            detail::throw_usage(c.comm, c.name,
                                "dimension " + std::to_string(d) + " has " + std::to_string(grid.dims[d]) +
                                    " ranks: each must be positive",
                                c.where);
    const std::int64_t ranks = detail::grid_size(grid.dims);
    if (ranks < 0 || ranks > c.comm.size())
        detail::throw_usage(c.comm, c.name,
                            "the grid has " + (ranks < 0 ? std::string("over INT_MAX") : std::to_string(ranks)) +
                                " ranks but the communicator has " + std::to_string(c.comm.size()),
                            c.where);
    auto made = c.comm.cart_create(grid, reorder != 0, c.where);
    *comm_cart = c.keep_comm(std::move(made));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cart_create,
                       (MPI_Comm comm_old, int ndims, const int dims[], const int periods[], int reorder,
                        MPI_Comm* comm_cart),
                       (comm_old, ndims, dims, periods, reorder, comm_cart))

BATON_MPI_BODY(MPI_Cartdim_get)(const baton_mpi_where* site, MPI_Comm comm, int* ndims) {
    const call c("MPI_Cartdim_get", site, comm);
    *ndims = static_cast<int>(grid_of(c).dims.size());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cartdim_get, (MPI_Comm comm, int* ndims), (comm, ndims))

BATON_MPI_BODY(MPI_Cart_get)(const baton_mpi_where* site, MPI_Comm comm, int maxdims, int dims[], int periods[],
                             int coords[]) {
    const call c("MPI_Cart_get", site, comm);
    const auto& grid = grid_of(c);
    const auto mine = detail::grid_coords(grid, c.comm.rank());
    const std::size_t n = std::min(grid.dims.size(), c.count(maxdims));
    for (std::size_t d = 0; d < n; ++d) {
        dims[d] = grid.dims[d];
        periods[d] = grid.periods[d];
        coords[d] = mine[d];
    }
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cart_get, (MPI_Comm comm, int maxdims, int dims[], int periods[], int coords[]),
                       (comm, maxdims, dims, periods, coords))

BATON_MPI_BODY(MPI_Cart_coords)(const baton_mpi_where* site, MPI_Comm comm, int rank, int maxdims,
                                int coords[]) {
    const call c("MPI_Cart_coords", site, comm);
    const auto& grid = grid_of(c);
    detail::check_rank(c.comm, rank, c.name, "rank", false, c.where);
    const auto found = detail::grid_coords(grid, rank);
    const std::size_t n = std::min(found.size(), c.count(maxdims));
    std::copy_n(found.begin(), n, coords);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cart_coords, (MPI_Comm comm, int rank, int maxdims, int coords[]),
                       (comm, rank, maxdims, coords))

// Outside a dimension that does not wrap there is no rank: MPI calls that an error (MPI_Cart_rank
// has no MPI_PROC_NULL to give), and so does baton.
BATON_MPI_BODY(MPI_Cart_rank)(const baton_mpi_where* site, MPI_Comm comm, const int coords[], int* rank) {
    const call c("MPI_Cart_rank", site, comm);
    const auto& grid = grid_of(c);
    const auto at = ints(c, static_cast<int>(grid.dims.size()), coords, "coordinates");
    for (std::size_t d = 0; d < at.size(); ++d)
        if (!grid.periods[d] && (at[d] < 0 || at[d] >= grid.dims[d]))
            detail::throw_usage(c.comm, c.name,
                                "coordinate " + std::to_string(at[d]) + " is outside 0.." +
                                    std::to_string(grid.dims[d] - 1) + " in dimension " + std::to_string(d) +
                                    ", which does not wrap around",
                                c.where);
    *rank = detail::grid_rank(grid, at);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cart_rank, (MPI_Comm comm, const int coords[], int* rank), (comm, coords, rank))

BATON_MPI_BODY(MPI_Cart_shift)(const baton_mpi_where* site, MPI_Comm comm, int direction, int disp,
                               int* rank_source, int* rank_dest) {
    const call c("MPI_Cart_shift", site, comm);
    const auto& grid = grid_of(c);
    if (direction < 0 || direction >= static_cast<int>(grid.dims.size()))
        detail::throw_usage(c.comm, c.name,
                            "direction " + std::to_string(direction) + " is not one of the grid's 0.." +
                                std::to_string(grid.dims.size() - 1),
                            c.where);
    const auto [source, dest] = detail::grid_shift(grid, c.comm.rank(), direction, disp);
    *rank_source = source;
    *rank_dest = dest;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cart_shift, (MPI_Comm comm, int direction, int disp, int* rank_source, int* rank_dest),
                       (comm, direction, disp, rank_source, rank_dest))

BATON_MPI_BODY(MPI_Cart_sub)(const baton_mpi_where* site, MPI_Comm comm, const int remain_dims[],
                             MPI_Comm* newcomm) {
    const call c("MPI_Cart_sub", site, comm);
    const auto& grid = grid_of(c);
    if (!newcomm) fail(MPI_ERR_ARG, c.comm, c.name, "the pointer for the new communicator is NULL", c.where);
    std::vector<bool> keep;
    for (const int remain : ints(c, static_cast<int>(grid.dims.size()), remain_dims, "remain_dims"))
        keep.push_back(remain != 0);
    auto made = c.comm.cart_sub(keep, c.where);
    *newcomm = c.keep_comm(std::move(made));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cart_sub, (MPI_Comm comm, const int remain_dims[], MPI_Comm* newcomm),
                       (comm, remain_dims, newcomm))

BATON_MPI_BODY(MPI_Topo_test)(const baton_mpi_where* site, MPI_Comm comm, int* status) {
    const call c("MPI_Topo_test", site, comm);
    *status = c.comm.grid() ? MPI_CART : MPI_UNDEFINED;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Topo_test, (MPI_Comm comm, int* status), (comm, status))
