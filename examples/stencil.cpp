// A stencil code: 2-D heat diffusion (Jacobi sweeps) on a Cartesian grid of ranks.
//
// The 24 x 24 cells start cold but for a hot square in the middle. Each sweep sets every cell to
// the average of its four neighbours. The ranks are laid out on a grid made with dims_create and
// cart_create, each owning a block of cells with a one-cell halo around it, which the ranks
// exchange before every sweep: with shift and sendrecv (the default), or with one
// neighbor_alltoall (--exchange neighbor). Along an edge that does not wrap, the neighbour is
// proc_null: nothing is sent there, nothing comes, and the halo stays at 0, a cold wall. With
// --periodic the grid wraps around in both dimensions and no heat is lost.
//
// Every cell gets the same arithmetic whichever rank owns it, and the results are combined with
// max and with integer sums, which do not depend on the order of the ranks: the output is the
// same on every rank count that divides 24 (1, 2, 3, 4, 6, 8, 12 ranks), but for the first line.
//
//     stencil --ranks 6 [--periodic] [--exchange neighbor]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <baton/baton.hpp>

namespace {

constexpr int cells = 24;   // per side of the whole grid
constexpr int sweeps = 200;

// A rank's block of nx x ny cells and its halo, row by row: (nx + 2) x (ny + 2) values.
class block {
public:
    block(int nx, int ny) : nx_(nx), ny_(ny), values_(static_cast<std::size_t>((nx + 2) * (ny + 2)), 0.0) {}
    double& at(int i, int j) { return values_[static_cast<std::size_t>(i * (ny_ + 2) + j)]; }
    int nx() const { return nx_; }
    int ny() const { return ny_; }

    // A row or a column of the block (i or j from 0 to n + 1: halo included), as a vector.
    std::vector<double> row(int i) {
        std::vector<double> out;
        for (int j = 1; j <= ny_; ++j) out.push_back(at(i, j));
        return out;
    }
    std::vector<double> column(int j) {
        std::vector<double> out;
        for (int i = 1; i <= nx_; ++i) out.push_back(at(i, j));
        return out;
    }
    void set_row(int i, const std::vector<double>& in) {
        for (int j = 1; j <= ny_; ++j) at(i, j) = in[static_cast<std::size_t>(j - 1)];
    }
    void set_column(int j, const std::vector<double>& in) {
        for (int i = 1; i <= nx_; ++i) at(i, j) = in[static_cast<std::size_t>(i - 1)];
    }

private:
    int nx_, ny_;
    std::vector<double> values_;
};

// The halo by shift and sendrecv: in each dimension, the last interior line goes up (to dest)
// while the halo below fills from source, then the first goes down. proc_null at a cold wall.
void exchange_by_sendrecv(baton::cart_communicator& grid, block& b) {
    const auto [up_x, down_x] = grid.shift(0, 1);
    std::vector<double> in;
    grid.sendrecv(b.row(b.nx()), down_x, 0, in, up_x, 0);
    if (up_x != baton::proc_null) b.set_row(0, in);
    grid.sendrecv(b.row(1), up_x, 1, in, down_x, 1);
    if (down_x != baton::proc_null) b.set_row(b.nx() + 1, in);
    const auto [left, right] = grid.shift(1, 1);
    grid.sendrecv(b.column(b.ny()), right, 2, in, left, 2);
    if (left != baton::proc_null) b.set_column(0, in);
    grid.sendrecv(b.column(1), left, 3, in, right, 3);
    if (right != baton::proc_null) b.set_column(b.ny() + 1, in);
}

// The same halo by one neighbor_alltoall: block i for neighbour i (above, below, left, right),
// each padded to the longer side, since the blocks must be of one size. A proc_null neighbour's
// block comes back as zeros, which is the cold wall's value anyway.
void exchange_by_neighbors(baton::cart_communicator& grid, block& b) {
    const auto side = static_cast<std::size_t>(std::max(b.nx(), b.ny()));
    std::vector<double> out;
    for (auto line : {b.row(1), b.row(b.nx()), b.column(1), b.column(b.ny())}) {
        line.resize(side, 0.0);
        out.insert(out.end(), line.begin(), line.end());
    }
    const std::vector<double> in = grid.neighbor_alltoall(out);
    auto part = [&](std::size_t k) {
        return std::vector<double>(in.begin() + static_cast<std::ptrdiff_t>(k * side),
                                   in.begin() + static_cast<std::ptrdiff_t>(k * side + side));
    };
    b.set_row(0, part(0));
    b.set_row(b.nx() + 1, part(1));
    b.set_column(0, part(2));
    b.set_column(b.ny() + 1, part(3));
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const std::vector<std::string> args(argv + 1, argv + argc);
        const bool periodic = std::find(args.begin(), args.end(), "--periodic") != args.end();
        const bool by_neighbors = std::find(args.begin(), args.end(), "neighbor") != args.end();

        const std::vector<int> dims = baton::dims_create(world.size(), 2);
        if (cells % dims[0] != 0 || cells % dims[1] != 0)
            throw std::invalid_argument("stencil: " + std::to_string(cells) + " x " + std::to_string(cells) +
                                        " cells do not split over a " + std::to_string(dims[0]) + " x " +
                                        std::to_string(dims[1]) + " grid of ranks: run it on 1, 2, 3, 4, 6, 8 or 12");
        baton::cart_communicator grid = world.cart_create(dims, {periodic, periodic});
        const int nx = cells / dims[0], ny = cells / dims[1];
        const auto corner = grid.coords();  // this block's place in the whole grid
        const int x0 = corner[0] * nx, y0 = corner[1] * ny;
        if (grid.rank() == 0)
            std::printf("stencil: %d x %d cells on a %d x %d grid of ranks, %s, halo by %s\n", cells, cells, dims[0],
                        dims[1], periodic ? "periodic" : "cold walls", by_neighbors ? "neighbor_alltoall" : "sendrecv");

        block now(nx, ny), next(nx, ny);
        for (int i = 1; i <= nx; ++i)
            for (int j = 1; j <= ny; ++j) {
                const int x = x0 + i - 1, y = y0 + j - 1;
                now.at(i, j) = (x >= 10 && x < 14 && y >= 10 && y < 14) ? 100.0 : 0.0;
            }
        for (int sweep = 1; sweep <= sweeps; ++sweep) {
            by_neighbors ? exchange_by_neighbors(grid, now) : exchange_by_sendrecv(grid, now);
            double change = 0.0;
            for (int i = 1; i <= nx; ++i)
                for (int j = 1; j <= ny; ++j) {
                    next.at(i, j) = 0.25 * (((now.at(i - 1, j) + now.at(i + 1, j)) + now.at(i, j - 1)) + now.at(i, j + 1));
                    change = std::max(change, std::abs(next.at(i, j) - now.at(i, j)));
                }
            std::swap(now, next);
            // The largest change anywhere: a max, the same whatever the order the ranks come in.
            change = grid.allreduce(change, baton::op::max);
            if (sweep % 50 == 0 && grid.rank() == 0) std::printf("sweep %d: largest change %.9f\n", sweep, change);
        }
        // The heat left, in millionths: integer sums do not depend on the order of the ranks.
        std::int64_t heat = 0;
        for (int i = 1; i <= nx; ++i)
            for (int j = 1; j <= ny; ++j) heat += std::llround(now.at(i, j) * 1e6);
        heat = grid.allreduce(heat, baton::op::sum);
        // Cell (12, 12), from the rank that has it.
        const bool has_middle = x0 <= 12 && 12 < x0 + nx && y0 <= 12 && 12 < y0 + ny;
        const double middle = grid.allreduce(has_middle ? now.at(12 - x0 + 1, 12 - y0 + 1) : -1.0, baton::op::max);
        if (grid.rank() == 0)
            std::printf("after %d sweeps: heat %lld millionths (1600000000 at the start), cell (12, 12) at %.9f\n",
                        sweeps, static_cast<long long>(heat), middle);
    });
}
