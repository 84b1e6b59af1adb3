// Cartesian topologies in the typed layer: dims_create, and cart_create's, cart_sub's and a
// cart_communicator's checks of their arguments (each a usage_error naming the rank, the call and
// the values); the grid arithmetic is in grid.cpp.
#include <baton/cartesian.hpp>

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <baton/detail/grid.hpp>
#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

namespace baton {

namespace {

// dims_create has no communicator: its errors name the call site, and the report the rank.
[[noreturn]] void refuse_dims(int nranks, const std::string& dims, const std::string& what,
                              const std::source_location& where) {
    const std::string call = fmt::format("dims_create(nranks={}, dims={})", nranks, dims);
    throw usage_error(fmt::format("{} at {}: {}", call, detail::format_location(where), what),
                      {{-1, call, detail::format_location(where)}});
}

// Whether d^k reaches m, without overflowing.
bool power_reaches(std::int64_t d, int k, std::int64_t m) {
    std::int64_t p = 1;
    for (int i = 0; i < k && p < m; ++i) p *= d;
    return p >= m;
}

// The most balanced `k` factors of `m`, in non-increasing order and none above `cap`: the largest
// as small as it can be, then the next, and so on (so 72 in two is {9, 8}). `divisors`: those of
// the original count, ascending (every factor divides it).
std::optional<std::vector<int>> balanced(int m, int k, int cap, const std::vector<int>& divisors) {
    if (m == 1) return std::vector<int>(static_cast<std::size_t>(k), 1);
    if (k == 1) {
        if (m > cap) return std::nullopt;
        return std::vector<int>{m};
    }
    for (const int d : divisors) {
        if (d > cap || d > m) break;
        if (m % d != 0 || !power_reaches(d, k, m)) continue;
        if (auto rest = balanced(m / d, k - 1, d, divisors)) {
            rest->insert(rest->begin(), d);
            return rest;
        }
    }
    return std::nullopt;
}

std::vector<int> divisors_of(int n) {
    std::vector<int> low, high;
    for (int d = 1; static_cast<std::int64_t>(d) * d <= n; ++d)
        if (n % d == 0) {
            low.push_back(d);
            if (d != n / d) high.push_back(n / d);
        }
    low.insert(low.end(), high.rbegin(), high.rend());
    return low;
}

std::string shown(const std::vector<int>& dims) { return fmt::format("[{}]", fmt::join(dims, ", ")); }

}  // namespace

std::vector<int> dims_create(int nranks, int ndims, std::source_location where) {
    if (ndims < 1)
        refuse_dims(nranks, fmt::format("{} dimensions", ndims), "a grid needs at least one dimension", where);
    return dims_create(nranks, std::vector<int>(static_cast<std::size_t>(ndims), 0), where);
}

std::vector<int> dims_create(int nranks, std::vector<int> dims, std::source_location where) {
    auto refuse = [&](const std::string& what) { refuse_dims(nranks, shown(dims), what, where); };
    if (nranks < 1) refuse("nranks must be positive");
    if (dims.empty()) refuse("a grid needs at least one dimension");
    std::int64_t given = 1;
    int free = 0;
    for (const int d : dims) {
        if (d < 0) refuse(fmt::format("dimension {} is negative (0 asks dims_create to choose it)", d));
        if (d == 0) ++free;
        else given *= d;
        if (given > nranks) break;
    }
    if (given > nranks || nranks % given != 0)
        refuse(fmt::format("the given dimensions multiply to {}, which does not divide {}", given, nranks));
    if (free == 0 && given != nranks)
        refuse(fmt::format("no dimension is left to choose (0), and the given ones multiply to {}, not {}", given,
                           nranks));
    const int rest = nranks / static_cast<int>(given);
    const auto chosen = balanced(rest, free, rest, divisors_of(rest)).value();  // (rest, 1, ...) always fits
    auto next = chosen.begin();
    for (int& d : dims)
        if (d == 0) d = *next++;
    return dims;
}

cart_communicator communicator::cart_create(const std::vector<int>& dims, const std::vector<bool>& periods,
                                            bool reorder, location where) {
    auto& comm = impl("cart_create", where);
    auto refuse = [&](const std::string& what) {
        detail::throw_usage(comm, "cart_create", fmt::format("dims {}: {}", shown(dims), what), where);
    };
    if (dims.empty()) refuse("a grid needs at least one dimension");
    if (periods.size() != dims.size())
        refuse(fmt::format("{} periods given for {} dimensions", periods.size(), dims.size()));
    for (std::size_t d = 0; d < dims.size(); ++d)
        if (dims[d] <= 0) refuse(fmt::format("dimension {} has {} ranks: each must be positive", d, dims[d]));
    const std::int64_t ranks = detail::grid_size(dims);
    if (ranks < 0 || ranks > comm.size())
        refuse(fmt::format("the grid has {} ranks but {} has {}", ranks < 0 ? std::string("over INT_MAX")
                                                                            : std::to_string(ranks),
                           comm.name(), comm.size()));
    return cart_communicator(comm.cart_create({dims, periods}, reorder, where));
}

const backend::cartesian_grid& cart_communicator::grid(std::string_view operation, const location& where) const {
    const auto* grid = impl(operation, where).grid();
    if (!grid) [[unlikely]]
        detail::throw_usage(impl(), operation, "this communicator has no Cartesian grid", where);
    return *grid;
}

std::vector<int> cart_communicator::coords(location where) const {
    return detail::grid_coords(grid("coords", where), rank());
}

std::vector<int> cart_communicator::coords(int rank, location where) const {
    const auto& g = grid("coords", where);
    detail::check_rank(impl(), rank, "coords", "rank", false, where);
    return detail::grid_coords(g, rank);
}

int cart_communicator::rank_of(const std::vector<int>& coords, location where) const {
    const auto& g = grid("rank_of", where);
    auto refuse = [&](const std::string& what) {
        detail::throw_usage(impl(), "rank_of", fmt::format("coords {}: {}", shown(coords), what), where);
    };
    if (coords.size() != g.dims.size())
        refuse(fmt::format("{} coordinates given for a grid of {} dimensions", coords.size(), g.dims.size()));
    for (std::size_t d = 0; d < coords.size(); ++d)
        if (!g.periods[d] && (coords[d] < 0 || coords[d] >= g.dims[d]))
            refuse(fmt::format("coordinate {} is outside 0..{} in dimension {}, which does not wrap around "
                               "(shift gives proc_null there)",
                               coords[d], g.dims[d] - 1, d));
    return detail::grid_rank(g, coords);
}

shift_peers cart_communicator::shift(int dimension, int displacement, location where) const {
    const auto& g = grid("shift", where);
    if (dimension < 0 || dimension >= static_cast<int>(g.dims.size()))
        detail::throw_usage(impl(), "shift",
                            fmt::format("dimension {} is not one of the grid's 0..{}", dimension, g.dims.size() - 1),
                            where);
    const auto [source, dest] = detail::grid_shift(g, rank(), dimension, displacement);
    return {source, dest};
}

cart_communicator cart_communicator::cart_sub(const std::vector<bool>& keep, location where) {
    const auto& g = grid("cart_sub", where);
    if (keep.size() != g.dims.size())
        detail::throw_usage(impl(), "cart_sub",
                            fmt::format("{} entries in keep for a grid of {} dimensions", keep.size(), g.dims.size()),
                            where);
    return cart_communicator(impl().cart_sub(keep, where));
}

void cart_communicator::check_neighbor_blocks(std::size_t count, const location& where) const {
    const std::size_t neighbors = 2 * grid("neighbor_alltoall", where).dims.size();
    if (neighbors == 0 ? count == 0 : count % neighbors == 0) return;
    detail::throw_usage(impl(), "neighbor_alltoall",
                        fmt::format("{} elements do not split into {} equal blocks, one per neighbour", count,
                                    neighbors),
                        where);
}

}  // namespace baton
