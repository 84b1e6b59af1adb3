#include "collective_costs.hpp"

#include <algorithm>
#include <bit>

#include "request.hpp"

namespace baton::sim::detail {

namespace {

// One message of `bytes` from one rank to another: both overheads, the latency, the transfer.
sim_time step(const network_model& net, std::size_t bytes) {
    return 2 * net.overhead + net.latency + net.transfer(bytes);
}

// ceil(log2 ranks)
int rounds(int ranks) { return ranks <= 1 ? 0 : std::bit_width(static_cast<unsigned>(ranks - 1)); }

// A binomial tree (bcast, reduce) and dissemination (a barrier: 0 bytes): one step per round.
sim_time binomial_tree(const network_model& net, int ranks, std::size_t bytes) {
    return rounds(ranks) * step(net, bytes);
}

sim_time recursive_doubling(const network_model& net, int ranks, std::size_t bytes) {
    if (ranks <= 1) return 0;
    const auto power = static_cast<int>(std::bit_floor(static_cast<unsigned>(ranks)));
    return (std::countr_zero(static_cast<unsigned>(power)) + (ranks > power ? 2 : 0)) * step(net, bytes);
}

// A binomial gather or scatter: the blocks carried double each round.
sim_time binomial_gather(const network_model& net, int ranks, std::size_t block) {
    sim_time total = 0;
    for (int round = 0; round < rounds(ranks); ++round) total += step(net, block << round);
    return total;
}

// A ring (allgather), pairwise exchange (alltoall) and a linear chain (scan): ranks - 1 steps of
// one block each, one after the other.
sim_time ranks_in_turn(const network_model& net, int ranks, std::size_t block) { return (ranks - 1) * step(net, block); }

}  // namespace

sim_time collective_cost(const network_model& net, collective_kind kind, int ranks, std::size_t block) {
    using k = collective_kind;
    switch (kind) {
        case k::barrier: return binomial_tree(net, ranks, 0);
        case k::bcast:
        case k::reduce: return binomial_tree(net, ranks, block);
        case k::allreduce: return recursive_doubling(net, ranks, block);
        case k::gather:
        case k::gatherv:
        case k::scatter:
        case k::scatterv: return binomial_gather(net, ranks, block);
        case k::allgather:
        case k::allgatherv: return ranks_in_turn(net, ranks, block);
        case k::alltoall:
        case k::alltoallv: return ranks_in_turn(net, ranks, block);
        case k::scan:
        case k::exscan: return ranks_in_turn(net, ranks, block);
        case k::reduce_scatter:
        case k::reduce_scatter_block:
            return binomial_tree(net, ranks, block * static_cast<std::size_t>(ranks)) + binomial_gather(net, ranks, block);
        case k::split:
        case k::dup:
        case k::cart_create:
        case k::cart_sub: return ranks_in_turn(net, ranks, 8);
        case k::neighbor_allgather:
        case k::neighbor_alltoall: return 2 * step(net, block);
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
        default: return bytes;
    }
}

}  // namespace

void time_collective(collective_slot& slot, const network_model& net) {
    const int ranks = static_cast<int>(slot.calls.size());  // every member has arrived
    sim_time latest = 0;
    std::size_t block = 0;
    for (const collective_call* call : slot.calls) {
        latest = std::max(latest, call->joined_at);
        // A bcast's block is the root's: the others name only room for it.
        if (call->kind != collective_kind::bcast || call == slot.calls[static_cast<std::size_t>(call->root)])
            block = std::max(block, block_of(*call, ranks));
    }
    const sim_time leaves = latest + collective_cost(net, slot.calls.front()->kind, ranks, block);
    for (collective_call* call : slot.calls) {
        call->leaves_at = leaves;
        if (call->request) call->request->done_time = leaves;
    }
}

}  // namespace baton::sim::detail
