// Which algorithm a collective takes in simulated time (collective_costs.hpp): the one Open MPI's
// coll/tuned component picks by default (its fixed decision rules, coll_tuned_decision_fixed.c),
// by the communicator's size and the message's bytes, for bcast and allreduce; one algorithm
// each for the other collectives. Reductions are taken as commutative (baton's operations are).
#pragma once

#include <cstddef>
#include <string_view>

#include "collective.hpp"

namespace baton::sim::detail {

enum class algorithm {
    // bcast (Open MPI's numbers 1 to 8)
    linear,             // the root sends to every rank in turn
    // Open MPI 4.1.4's fixed rules pass its chain no fan-out (0), which the chain's topology takes
    // as one chain (coll_base_topo.c, build_chain): the same as pipeline. (Forced through
    // coll_tuned_bcast_algorithm it would take coll_tuned_bcast_chain_fanout, 4.)
    chain,
    pipeline,           // one chain (unsegmented: Open MPI's fixed rules give no segment size)
    split_binary_tree,  // each half down one half of a binary tree, then halves swapped
    binary_tree,
    binomial_tree,
    knomial_tree,       // radix 4
    scatter_allgather,  // binomial scatter of blocks, recursive-doubling allgather
    // allreduce (1 to 6)
    basic_linear,       // linear reduce to rank 0, then linear bcast
    nonoverlapping,     // a reduce to rank 0, then a bcast, each as Open MPI picks it
    recursive_doubling,
    ring,               // reduce-scatter and allgather around a ring (and Open MPI's segmented ring)
    rabenseifner,       // recursive halving, then recursive doubling
    // the others: one each
    dissemination,      // barrier
    binomial_gather,    // gather, scatter: blocks doubling each round
    neighbours_in_turn, // allgather (ring), alltoall (pairwise), scan (linear chain)
    reduce_then_scatter,
    neighbor_exchange,  // neighbor_*: one exchange with each of two neighbours
    // the reduce of a nonoverlapping allreduce where Open MPI takes it instead of binomial: a
    // binary tree whose root is the last rank, which then sends the result to rank 0
    in_order_binary,
};

std::string_view name_of(algorithm a);

// What Open MPI picks for `kind` on `ranks` ranks moving `bytes` (the root's buffer for a bcast,
// each rank's vector for an allreduce) of `count` elements: ring and Rabenseifner need at least
// as many elements as ranks (the power of two below them for Rabenseifner), or Open MPI falls
// back to recursive doubling and basic linear.
algorithm choose_algorithm(collective_kind kind, int ranks, std::size_t bytes, std::size_t count);

// The reduce a nonoverlapping allreduce makes (Open MPI's reduce rules, commutative, at the sizes
// where its allreduce rules take nonoverlapping): binomial tree or in-order binary.
algorithm nonoverlapping_reduce(int ranks, std::size_t bytes);

}  // namespace baton::sim::detail
