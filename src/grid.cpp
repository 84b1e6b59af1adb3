#include <baton/detail/grid.hpp>

#include <climits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <baton/status.hpp>

namespace baton::detail {

std::int64_t grid_size(const std::vector<int>& dims) {
    std::int64_t product = 1;
    for (const int d : dims) {
        product *= d;
        if (product > INT_MAX) return -1;
    }
    return product;
}

std::vector<int> grid_coords(const backend::cartesian_grid& grid, int rank) {
    std::vector<int> coords(grid.dims.size());
    for (std::size_t i = grid.dims.size(); i-- > 0;) {
        coords[i] = rank % grid.dims[i];
        rank /= grid.dims[i];
    }
    return coords;
}

int grid_rank(const backend::cartesian_grid& grid, std::vector<int> coords) {
    int rank = 0;
    for (std::size_t i = 0; i < grid.dims.size(); ++i) {
        const int extent = grid.dims[i];
        int c = coords[i];
        if (c < 0 || c >= extent) {
            if (!grid.periods[i]) return proc_null;
            c = ((c % extent) + extent) % extent;
        }
        rank = rank * extent + c;
    }
    return rank;
}

std::array<int, 2> grid_shift(const backend::cartesian_grid& grid, int rank, int dimension, int displacement) {
    auto coords = grid_coords(grid, rank);
    const auto d = static_cast<std::size_t>(dimension);
    const int here = coords[d];
    // In 64 bits: a displacement near INT_MAX must not wrap around to a rank.
    auto at = [&](std::int64_t c) {
        const int extent = grid.dims[d];
        if (c < 0 || c >= extent) {
            if (!grid.periods[d]) return proc_null;
            c = ((c % extent) + extent) % extent;
        }
        coords[d] = static_cast<int>(c);
        return grid_rank(grid, coords);
    };
    const int source = at(std::int64_t{here} - displacement);
    const int dest = at(std::int64_t{here} + displacement);
    return {source, dest};
}

std::vector<int> grid_neighbors(const backend::cartesian_grid& grid, int rank) {
    std::vector<int> neighbors;
    for (std::size_t d = 0; d < grid.dims.size(); ++d) {
        const auto [source, dest] = grid_shift(grid, rank, static_cast<int>(d), 1);
        neighbors.push_back(source);
        neighbors.push_back(dest);
    }
    return neighbors;
}

backend::cartesian_grid sub_grid(const backend::cartesian_grid& grid, const std::vector<bool>& keep) {
    backend::cartesian_grid sub;
    for (std::size_t d = 0; d < grid.dims.size(); ++d)
        if (keep[d]) {
            sub.dims.push_back(grid.dims[d]);
            sub.periods.push_back(grid.periods[d]);
        }
    return sub;
}

std::string cart_name(const std::string& parent, int number, const backend::cartesian_grid& grid) {
    return fmt::format("{}.cart{}({})", parent, number, fmt::join(grid.dims, "x"));
}

std::string sub_name(const std::string& parent, int number, const std::vector<int>& coords,
                     const std::vector<bool>& keep) {
    std::vector<std::string> shown;
    for (std::size_t d = 0; d < coords.size(); ++d) shown.push_back(keep[d] ? "*" : std::to_string(coords[d]));
    return fmt::format("{}.sub{}({})", parent, number, fmt::join(shown, ","));
}

}  // namespace baton::detail
