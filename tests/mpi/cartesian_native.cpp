// baton's grid arithmetic against Open MPI's own, under mpiexec (meson.build runs it on 1 to 4
// ranks): on several grids, every rank's coords, rank_of and shift against MPI_Cart_coords,
// MPI_Cart_rank and MPI_Cart_shift on the grid's MPI_Comm (baton::mpi::native); and dims_create
// against MPI_Dims_create for 1..300 ranks in 1..4 dimensions, where the two may differ only
// where baton's grid is the more balanced one (Open MPI's is not always the closest). Each rank
// prints one line saying it all agreed, or throws naming the first difference.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <baton/baton.hpp>
#include <baton/mpi.hpp>

namespace {

void expect(bool same, const std::string& what) {
    if (!same) throw std::logic_error("differs from Open MPI: " + what);
}

void compare_grid(baton::communicator& world, const std::vector<int>& dims, const std::vector<bool>& periods) {
    baton::cart_communicator grid = world.cart_create(dims, periods);
    if (!grid) return;
    MPI_Comm handle = baton::mpi::native(grid);
    const int ndims = static_cast<int>(dims.size());
    const std::string shown = fmt::format("grid {}", fmt::join(dims, "x"));
    for (int r = 0; r < grid.size(); ++r) {
        std::vector<int> native(dims.size());
        MPI_Cart_coords(handle, r, ndims, native.data());
        expect(grid.coords(r) == native, fmt::format("{}: coords of {}", shown, r));
        int back = -1;
        MPI_Cart_rank(handle, native.data(), &back);
        expect(grid.rank_of(native) == back, fmt::format("{}: rank_of {}", shown, fmt::join(native, ",")));
        // Beyond the grid in the dimensions that wrap.
        for (int d = 0; d < ndims; ++d)
            if (periods[static_cast<std::size_t>(d)]) {
                auto far = native;
                far[static_cast<std::size_t>(d)] += 3 * dims[static_cast<std::size_t>(d)] - 1;
                MPI_Cart_rank(handle, far.data(), &back);
                expect(grid.rank_of(far) == back, fmt::format("{}: rank_of {}", shown, fmt::join(far, ",")));
            }
    }
    for (int d = 0; d < ndims; ++d)
        for (int by = -3; by <= 3; ++by) {
            int source = -7, dest = -7;
            MPI_Cart_shift(handle, d, by, &source, &dest);
            const auto mine = grid.shift(d, by);
            expect(mine.source == (source == MPI_PROC_NULL ? baton::proc_null : source) &&
                       mine.dest == (dest == MPI_PROC_NULL ? baton::proc_null : dest),
                   fmt::format("{}: shift {} by {} on rank {}", shown, d, by, grid.rank()));
        }
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        const int n = world.size();
        compare_grid(world, baton::dims_create(n, 2), {true, false});
        compare_grid(world, baton::dims_create(n, 3), {false, true, true});
        compare_grid(world, {n}, {true});
        compare_grid(world, {1, n}, {false, true});
        std::vector<std::string> balanced_differently;
        for (int ndims = 1; ndims <= 4; ++ndims)
            for (int count = 1; count <= 300; ++count) {
                std::vector<int> native(static_cast<std::size_t>(ndims), 0);
                MPI_Dims_create(count, ndims, native.data());
                const auto mine = baton::dims_create(count, ndims);
                if (mine == native) continue;
                expect(mine < native, fmt::format("dims_create({}, {}) gives {}, MPI_Dims_create {}", count, ndims,
                                                  fmt::join(mine, "x"), fmt::join(native, "x")));
                balanced_differently.push_back(fmt::format("{}/{}", count, ndims));
            }
        std::printf("rank %d: grids agree with Open MPI; dims_create more balanced for %s\n", world.rank(),
                    fmt::format("{}", fmt::join(balanced_differently, " ")).c_str());
        std::fflush(stdout);
    });
}
