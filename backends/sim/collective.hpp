// Collectives on the simulator, as a rendezvous: each rank leaves its call in the communicator's
// slot for that collective and waits; the last rank to arrive moves all the data at once, in rank
// order (so reductions are reproducible bit for bit), and wakes the others. The work is linear in
// the number of ranks (plus the data itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include <baton/backend.hpp>

namespace baton::sim::detail {

enum class collective_kind {
    barrier, bcast, scatter, gather, allgather, alltoall, reduce, allreduce, scan, exscan,
    gatherv, allgatherv, scatterv, split, dup,
};

std::string_view to_string(collective_kind kind);

// One rank's part in a collective: what it gives, where its result goes.
struct collective_call {
    collective_kind kind = collective_kind::barrier;
    int root = -1;
    backend::send_view send;
    backend::recv_buffer recv;
    const reduce_op* op = nullptr;
    std::vector<std::size_t>* counts_out = nullptr;  // gatherv, allgatherv
    std::span<const std::size_t> counts_in;          // scatterv's root
    int color = 0, key = 0;                          // split
    std::unique_ptr<backend::comm_impl>* new_comm = nullptr;  // split, dup
    std::source_location where;

    bool done = false;
    std::exception_ptr error;  // this rank's own failure (its buffer was too small)

    // With collective_mode::local, a rank that MPI lets leave early (a bcast's root, a gather's
    // non-roots, ...) leaves a copy of its call, owning its data, and returns at once.
    bool returned_early = false;
    std::vector<std::byte> owned_data;
    std::vector<std::size_t> owned_counts;
    reduce_op owned_op;
};

// Whether MPI lets this rank's part of the collective complete before the others arrive: it
// only gives (a bcast's or scatter's root, a gather's or reduce's other ranks).
bool may_complete_locally(const collective_call& call, int rank);

struct comm_state;

// "op=sum, 1 x double": what a collective's text says between its parentheses, `root` its root as
// a report names it (call_record.cpp adds the communicator).
std::string collective_arguments(const collective_call& call, const std::string& root);
// "allreduce(op=sum, 1 x double)", for reports; given the communicator, a root says its world
// rank in a communicator other than the world ("bcast(root=0 (world rank 2), 1 x int)").
std::string describe(const collective_call& call, const comm_state* comm = nullptr);

// The collectives of one communicator that some but not all ranks have reached.
struct collective_slot {
    std::vector<collective_call*> calls;  // by rank in the communicator; null until it arrives
    int arrived = 0;
    int first = -1;  // the rank that arrived first: the reference for mismatch checks
    std::vector<std::unique_ptr<collective_call>> detached;  // calls of ranks that returned early
};

class engine;

// Why `call` (from `rank` of `comm`) cannot be part of the same collective as the slot's first
// call, or empty if it can.
std::string mismatch(const collective_slot& slot, const collective_call& call, int rank, const comm_state& comm);
// Mismatches visible only once every rank is there (a bcast's fixed receive buffers against the
// root's count); empty if none.
std::string mismatch_at_completion(const collective_slot& slot, const comm_state& comm);

// Moves the data of a collective every rank has reached.
void complete(collective_slot& slot, comm_state& comm, engine& eng);

// For a rank that leaves a collective before the others arrive (collective_mode::local, or a root
// the engine lets go because MPI may): a copy of its call that owns its data, kept in the slot
// until the collective completes. A scatter's root takes its own block at once; if it does not
// fit, `call.error` says so.
collective_call* detach(collective_call& call, collective_slot& slot, const comm_state& comm, int rank);

}  // namespace baton::sim::detail
