#include "collective_costs.hpp"

#include <algorithm>
#include <bit>

#include "request.hpp"
#include "sim_clock.hpp"

namespace baton::sim::detail {

// ---- The algorithms' arithmetic (collective_costs.hpp) ----------------------------------------

namespace {

sim_time step(const network_model& net, std::size_t bytes) {
    return 2 * net.overhead + net.latency_of(bytes) + net.transfer(bytes);
}

// k messages of `bytes` that one rank sends in turn, until the last one is received.
sim_time fan(const network_model& net, int k, std::size_t bytes) {
    if (k <= 0) return 0;
    return (k - 1) * (std::max(net.overhead, net.gap) + net.transfer(bytes)) + step(net, bytes);
}

// ceil(log2 ranks)
int rounds(int ranks) { return ranks <= 1 ? 0 : std::bit_width(static_cast<unsigned>(ranks - 1)); }
int power_below(int ranks) { return static_cast<int>(std::bit_floor(static_cast<unsigned>(ranks))); }
std::size_t share(std::size_t bytes, int ranks) { return (bytes + static_cast<std::size_t>(ranks) - 1) / static_cast<std::size_t>(ranks); }

sim_time binomial_tree(const collective_links& links, int ranks, std::size_t bytes) {
    sim_time total = 0;
    for (int distance = 1; distance < ranks; distance *= 2) total += step(links.tree(distance), bytes);
    return total;
}

sim_time knomial_tree(const collective_links& links, int ranks, std::size_t bytes) {
    constexpr int radix = 4;  // Open MPI's default (coll_tuned_bcast_knomial_radix)
    sim_time total = 0;
    for (int distance = 1; distance < ranks; distance *= radix) {
        const int children = std::min(radix - 1, (ranks + distance - 1) / distance - 1);
        total += fan(links.knomial(distance, radix), children, bytes);
    }
    return total;
}

// Blocks doubling each round, from `first` bytes: a binomial gather or scatter, or the allgather
// half of a scatter-allgather bcast.
sim_time doubling_blocks(const collective_links& links, int ranks, std::size_t first, bool exchange) {
    sim_time total = 0;
    std::size_t bytes = first;
    for (int distance = 1; distance < ranks; distance *= 2, bytes *= 2)
        total += step(exchange ? links.exchange(distance) : links.tree(distance), bytes);
    return total;
}

sim_time recursive_doubling(const collective_links& links, int ranks, std::size_t bytes) {
    const int p = power_below(ranks);
    sim_time total = ranks > p ? 2 * step(links.tree(p), bytes) : 0;  // the ranks beyond p fold in and out
    for (int distance = 1; distance < p; distance *= 2) total += step(links.exchange(distance), bytes);
    return total;
}

sim_time rabenseifner(const collective_links& links, int ranks, std::size_t bytes) {
    const int p = power_below(ranks);
    sim_time total = ranks > p ? 2 * step(links.tree(p), bytes) : 0;
    std::size_t half = bytes;
    for (int distance = p / 2; distance >= 1; distance /= 2) {
        half = (half + 1) / 2;
        total += 2 * step(links.exchange(distance), half);  // halving there, doubling back
    }
    return total;
}

sim_time binary_tree(const collective_links& links, int ranks, std::size_t bytes) {
    if (ranks == 2) return step(links.any(), bytes);
    return (std::bit_width(static_cast<unsigned>(ranks)) - 1) * fan(links.any(), 2, bytes);
}

}  // namespace

sim_time algorithm_cost(const collective_links& links, algorithm which, int ranks, std::size_t block) {
    if (ranks <= 1) return 0;
    const auto& net = links.any();
    const std::size_t half = (block + 1) / 2;
    using a = algorithm;
    switch (which) {
        case a::linear: return fan(net, ranks - 1, block);
        case a::chain:
        case a::pipeline: return (ranks - 1) * step(net, block);
        case a::split_binary_tree:
            if (ranks == 2) return step(net, block);
            return (std::bit_width(static_cast<unsigned>(ranks)) - 1) * fan(net, 2, half) + step(net, half);
        case a::binary_tree: return binary_tree(links, ranks, block);
        case a::binomial_tree: return binomial_tree(links, ranks, block);
        case a::knomial_tree: return knomial_tree(links, ranks, block);
        case a::scatter_allgather: {
            const std::size_t piece = share(block, ranks);
            return doubling_blocks(links, ranks, piece, false) + doubling_blocks(links, ranks, piece, true);
        }
        case a::basic_linear: return 2 * fan(net, ranks - 1, block);
        case a::nonoverlapping:
            return algorithm_cost(links, nonoverlapping_reduce(ranks, block), ranks, block) +
                   algorithm_cost(links, choose_algorithm(collective_kind::bcast, ranks, block, 0), ranks, block);
        case a::in_order_binary: return binary_tree(links, ranks, block) + step(net, block);
        case a::recursive_doubling: return recursive_doubling(links, ranks, block);
        case a::ring: return 2 * (ranks - 1) * step(net, share(block, ranks));
        case a::rabenseifner: return rabenseifner(links, ranks, block);
        case a::dissemination: return rounds(ranks) * step(net, 0);
        case a::binomial_gather: return doubling_blocks(links, ranks, block, false);
        case a::neighbours_in_turn: return (ranks - 1) * step(net, block);
        case a::reduce_then_scatter:
            return binomial_tree(links, ranks, block * static_cast<std::size_t>(ranks)) +
                   doubling_blocks(links, ranks, block, false);
        case a::neighbor_exchange: return 2 * step(net, block);
    }
    return 0;
}

namespace {

// A rank's block (collective_costs.hpp): what it gives, cut into one block per rank where its
// buffer holds one for each.
std::size_t block_of(const collective_call& call, int ranks) {
    const std::size_t bytes = call.send.count * call.send.type.size;
    switch (call.kind) {
        case collective_kind::scatter:
        case collective_kind::scatterv:
        case collective_kind::alltoall:
        case collective_kind::alltoallv:
        case collective_kind::reduce_scatter:
        case collective_kind::reduce_scatter_block: return bytes / static_cast<std::size_t>(ranks);
        case collective_kind::split:
        case collective_kind::dup:
        case collective_kind::cart_create:
        case collective_kind::cart_sub: return 8;  // each rank's colour and key
        default: return bytes;
    }
}

}  // namespace

void joined_collective(collective_slot& slot, const collective_call& call, int rank, int ranks) {
    slot.latest_join = std::max(slot.latest_join, call.joined_at);
    // A bcast's block is the root's: the others name only room for it.
    if (call.kind != collective_kind::bcast || rank == call.root) {
        slot.largest_block = std::max(slot.largest_block, block_of(call, ranks));
        slot.largest_count = std::max(slot.largest_count, call.send.count);
    }
}

void time_collective(collective_slot& slot, const simulated_time& time, std::span<const int> world) {
    const int ranks = static_cast<int>(slot.calls.size());  // every member has arrived
    const collective_call& first = *slot.calls.front();
    const algorithm which = choose_algorithm(first.kind, ranks, slot.largest_block, slot.largest_count);
    const collective_links links(time, world, first.root);
    slot.leaves_at = slot.latest_join + algorithm_cost(links, which, ranks, slot.largest_block);
}

}  // namespace baton::sim::detail
