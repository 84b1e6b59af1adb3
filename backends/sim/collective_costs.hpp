// What a collective costs in simulated time (sim_clock.hpp): every rank leaves at the latest
// arrival plus the time of the algorithm Open MPI would take (collective_algorithms.hpp), from
// the point-to-point model. One step, a message of m bytes from its sender's call to its
// receiver's completion, is an eager message's time, and k messages one rank sends in turn, the
// last one received, a fan:
//
//   step(m)   = o + L(m) + m G(m) + o
//   fan(k, m) = (k - 1) (max(o, g) + m G(m)) + step(m)
//
// (L and G of the message's size: sim_clock.hpp.)
//
// With n ranks, r = ceil(log2 n) rounds, p the largest power of two <= n, b = ceil(m / n):
//
//   bcast (m the root's buffer)
//     linear               fan(n - 1, m)
//     chain                (n - 1) step(m): one chain, as pipeline (collective_algorithms.hpp)
//     pipeline             (n - 1) step(m)
//     binary tree          d fan(2, m), d = floor(log2 n) levels (n = 2: step(m))
//     split binary tree    d fan(2, m / 2) + step(m / 2)   (halves down each side, then swapped)
//     binomial tree        r step(m)
//     k-nomial tree        sum over levels l (4^l < n) of fan(min(3, ceil(n / 4^l) - 1), m)
//     scatter-allgather    2 (step(b) + step(2b) + ... + step(2^(r-1) b))
//   allreduce (m each rank's vector)
//     recursive doubling   log2 p step(m), + 2 step(m) when n > p (the ranks beyond p fold in)
//     ring                 2 (n - 1) step(b)
//     Rabenseifner         2 (step(m/2) + step(m/4) + ... + step(m/p)), + 2 step(m) when n > p
//     nonoverlapping       the reduce Open MPI picks (binomial, r step(m), or in-order binary,
//                          d fan(2, m) + step(m)), then the bcast Open MPI picks for m
//     basic linear         2 fan(n - 1, m)
//   barrier (dissemination) r step(0); reduce (binomial) r step(m); gather, scatter (binomial)
//   step(B) + step(2B) + ... + step(2^(r-1) B); allgather (ring), alltoall (pairwise), scan and
//   exscan (linear chain) (n - 1) step(B); reduce_scatter a reduce of n B then a scatter;
//   split, dup, cart_create, cart_sub an allgather of 8 bytes; neighbor_* 2 step(B)
//
// B is a rank's block: what one rank gives (a block of the root's buffer for a scatter, of each
// rank's for an alltoall); for the v-forms, the largest rank's average block.
//
// Ranks per node (options::ranks_per_node): each round's step takes the network of the round's
// messages, the shm model when every pair of ranks it connects shares a node, else options::
// network (Open MPI's tuned algorithms are flat: its hierarchical collectives, coll/han, are not
// its default). Rounds of a chain, a ring, a linear or tree algorithm cross nodes as soon as the
// communicator does; those of binomial trees and recursive doubling and halving only at the
// distances that do. No contention: messages of one round do not slow each other.
#pragma once

#include <cstddef>
#include <span>

#include "collective.hpp"
#include "collective_algorithms.hpp"
#include "network_model.hpp"

namespace baton::sim::detail {

class simulated_time;

// Which network each message of a collective takes.
class collective_links {
public:
    // `world` maps the communicator's ranks to world ranks; rounds count from `root`.
    collective_links(const simulated_time& time, std::span<const int> world, int root);
    // Every rank on one network (tests and benchmarks of the arithmetic).
    explicit collective_links(const network_model& net) : across_(net), within_(net) {}

    // Any pair of ranks may talk in the round: the network across nodes if the communicator
    // spans several.
    const network_model& any() const { return spans_nodes_ ? across_ : within_; }
    // A round of pairs (v, v + distance) for v < distance (binomial trees) or (v, v xor distance)
    // (recursive doubling and halving), v counted from the root.
    const network_model& tree(int distance) const;
    const network_model& exchange(int distance) const;
    // A k-nomial tree's level: pairs (v, v + j distance) for v a multiple of radix distance.
    const network_model& knomial(int distance, int radix) const;

private:
    bool same_node(int v, int w) const;
    template <class Pairs>
    const network_model& scan(Pairs pairs) const;

    const network_model& across_;
    const network_model& within_;
    std::span<const int> world_;
    int root_ = 0;
    int ranks_per_node_ = 0;  // 0: every rank a node of its own
    bool spans_nodes_ = true;
};

// The cost of `which` on `ranks` ranks with blocks of `block` bytes (collective_costs.hpp's m or
// B; for an allreduce, `count` elements).
sim_time algorithm_cost(const collective_links& links, algorithm which, int ranks, std::size_t block);

// `call`, of rank `rank` of a communicator of `ranks` ranks, joins `slot`: what time_collective
// will need of it, kept in the slot.
void joined_collective(collective_slot& slot, const collective_call& call, int rank, int ranks);
// Every rank of a collective of the communicator whose ranks are `world` ranks has reached it:
// when they leave (collective_slot::leaves_at, which complete() gives every call and the request
// of a non-blocking one).
void time_collective(collective_slot& slot, const simulated_time& time, std::span<const int> world);

}  // namespace baton::sim::detail
