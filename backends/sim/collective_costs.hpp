// What a collective costs in simulated time (sim_clock.hpp): every rank leaves at the latest
// arrival plus the time the algorithm real MPI uses takes, from the point-to-point model. One
// step, a message of m bytes from its sender's call to its receiver's completion, is an eager
// message's time:
//
//   step(m) = o + L + m G + o
//
// and with n ranks and r = ceil(log2 n) rounds (Open MPI's tuned defaults for short messages):
//
//   barrier     dissemination         r step(0)
//   bcast       binomial tree         r step(m)
//   reduce      binomial tree         r step(m)                (the reduction's arithmetic is free)
//   allreduce   recursive doubling    (log2 p + (n > p ? 2 : 0)) step(m), p the largest power of
//                                     two <= n (the ranks beyond p fold in first and get it last)
//   gather, scatter  binomial tree    step(m) + step(2m) + ... + step(2^(r-1) m)
//   allgather   ring                  (n - 1) step(m)
//   alltoall    pairwise exchange     (n - 1) step(m)
//   scan, exscan  linear chain        (n - 1) step(m)
//   reduce_scatter  reduce, then scatter of the blocks
//   split, dup, cart_create, cart_sub  an allgather of 8 bytes (each rank's colour and key)
//   neighbor_*  one exchange with each of two neighbours   2 step(m)
//
// m is a rank's block: what one rank gives (the root's whole buffer for a bcast, a block of the
// root's buffer for a scatter, of each rank's for an alltoall); for the v-forms, the largest
// rank's average block. No contention: steps of one round do not slow each other.
#pragma once

#include <cstddef>

#include "collective.hpp"
#include "network_model.hpp"

namespace baton::sim::detail {

// The cost of `kind` on `ranks` ranks with blocks of `block` bytes.
sim_time collective_cost(const network_model& net, collective_kind kind, int ranks, std::size_t block);

// Every rank of a collective all have reached: when each leaves (collective_call::leaves_at, and
// its request's done time for a non-blocking one).
void time_collective(collective_slot& slot, const network_model& net);

}  // namespace baton::sim::detail
