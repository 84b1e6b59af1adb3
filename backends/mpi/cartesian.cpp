// Cartesian topologies on MPI: MPI_Cart_create and MPI_Cart_sub (the neighbour collectives are in
// collective.cpp). The typed layer has checked the arguments; coordinates and shifts are its
// arithmetic (grid.hpp), which the cross-backend suite compares with MPI_Cart_coords and
// MPI_Cart_shift.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <baton/detail/grid.hpp>

#include "comm.hpp"
#include "current_call.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

std::optional<backend::cartesian_grid> cartesian_grid_of(MPI_Comm handle) {
    int kind = MPI_UNDEFINED;
    if (MPI_Topo_test(handle, &kind) != MPI_SUCCESS || kind != MPI_CART) return std::nullopt;
    int ndims = 0;
    MPI_Cartdim_get(handle, &ndims);
    std::vector<int> dims(static_cast<std::size_t>(ndims)), periods(dims.size()), coords(dims.size());
    MPI_Cart_get(handle, ndims, dims.data(), periods.data(), coords.data());
    backend::cartesian_grid grid{dims, {}};
    for (const int p : periods) grid.periods.push_back(p != 0);
    return grid;
}

std::unique_ptr<backend::comm_impl> mpi_comm::cart_create(const backend::cartesian_grid& grid, bool reorder,
                                                          backend::location where) {
    const current_call in_call("cart_create", where);
    if (!nothing_deferred()) progress();
    const std::vector<int> periods(grid.periods.begin(), grid.periods.end());
    MPI_Comm made = MPI_COMM_NULL;
    check(MPI_Cart_create(comm_->handle, static_cast<int>(grid.dims.size()), grid.dims.data(), periods.data(),
                          reorder ? 1 : 0, &made),
          *comm_, where, [&] { return described("cart_create", fmt::format("dims=[{}]", fmt::join(grid.dims, ", "))); });
    const int number = ++children_;
    if (made == MPI_COMM_NULL) return nullptr;
    return std::make_unique<mpi_comm>(made, baton::detail::cart_name(comm_->name, number, grid), true, settings_);
}

std::unique_ptr<backend::comm_impl> mpi_comm::cart_sub(const std::vector<bool>& keep, backend::location where) {
    const current_call in_call("cart_sub", where);
    if (!nothing_deferred()) progress();
    const std::vector<int> remain(keep.begin(), keep.end());
    MPI_Comm made = MPI_COMM_NULL;
    check(MPI_Cart_sub(comm_->handle, remain.data(), &made), *comm_, where,
          [&] { return described("cart_sub", fmt::format("keep=[{}]", fmt::join(remain, ", "))); });
    const int number = ++children_;
    const auto coords = baton::detail::grid_coords(*grid_, comm_->rank);
    return std::make_unique<mpi_comm>(made, baton::detail::sub_name(comm_->name, number, coords, keep), true,
                                      settings_);
}

}  // namespace baton::mpi::detail
