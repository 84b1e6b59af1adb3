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
#include <string_view>
#include <string>
#include <vector>

#include <baton/backend.hpp>

#include "happens_before.hpp"
#include "network_model.hpp"

namespace baton::sim::detail {

enum class collective_kind {
    barrier, bcast, scatter, gather, allgather, alltoall, reduce, allreduce, scan, exscan,
    gatherv, allgatherv, scatterv, split, dup,
    alltoallv, reduce_scatter, reduce_scatter_block,
    cart_create, cart_sub, neighbor_allgather, neighbor_alltoall,  // Cartesian topologies (issue 14)
};

struct collective_call;
struct collective_slot;
class sim_request;
struct comm_state;
class engine;

// What sets one collective apart from the others, as the checks, the reports and the data
// movement need it: one row per collective (collective.cpp).
struct collective_traits {
    // Who MPI lets leave before the others arrive: those that only give (collective_mode::local).
    enum class leaves_early { nobody, root, others };

    std::string_view name;  // "allreduce": also the call_record's operation
    bool rooted;            // has a root, which every rank must name alike
    bool typed;             // moves elements (not barrier, split, dup), of one type on every rank
    bool reduces;           // combines them with a reduce_op, the same on every rank
    bool equal_counts;      // every rank gives the same number of elements
    bool count_shown;       // its text gives the rank's count even into a resizable buffer
    bool in_place;          // one buffer (bcast): the root's data goes out of it, the others' in
    bool scatters;          // the root's data is cut into a block per rank, its own included
    bool blocks_alike;      // every rank names the same block counts (reduce_scatter's)
    bool place_alike;       // in place on every rank or on none (MPI_IN_PLACE "at all processes")
    leaves_early early;
    // Moves the data once every rank is there, in rank order.
    void (*move)(collective_slot& slot, comm_state& comm, engine& eng);
};

// The rows, in the order of collective_kind (collective.cpp). Inline: every arrival at a
// collective reads its row several times.
extern const collective_traits collective_traits_table[];
inline const collective_traits& traits_of(collective_kind kind) { return collective_traits_table[static_cast<int>(kind)]; }

// The data, counts and operation a collective call keeps copies of, when its caller's may be
// gone before the collective completes (collective_call::owned).
struct collective_copies {
    std::vector<std::byte> data;
    std::vector<std::size_t> counts, expected;
    reduce_op op;
    // Its rank's clock when it joined, in systematic runs (happens_before.hpp): what the others
    // learn of it, whatever it did after (a non-blocking one's caller goes on).
    happens_before::clock joined_clock;
};

// A collective_call's copies, made at the first use. Copying a call copies none of them: the one
// copy made of a call (detach) makes its own from the caller's buffers, which it points at then.
class owned_copies {
public:
    owned_copies() = default;
    owned_copies(const owned_copies&) {}
    owned_copies& operator=(const owned_copies&) = delete;
    collective_copies& make() {
        if (!copies_) copies_ = std::make_unique<collective_copies>();
        return *copies_;
    }
    // Null when it made none.
    const collective_copies* get() const { return copies_.get(); }

private:
    std::unique_ptr<collective_copies> copies_;
};

// One rank's part in a collective: what it gives, where its result goes.
struct collective_call {
    collective_kind kind = collective_kind::barrier;
    int root = -1;
    backend::send_view send;
    backend::recv_buffer recv;
    const reduce_op* op = nullptr;
    std::vector<std::size_t>* counts_out = nullptr;  // gatherv, allgatherv
    std::span<const std::size_t> counts_in;          // scatterv's root; alltoallv, reduce_scatter
    // A non-blocking v-collective's receiver (igatherv's root, iallgatherv, ialltoallv): the count
    // it expects from each rank, named before anything arrives (MPI's recvcounts).
    std::span<const std::size_t> counts_expected;
    int color = 0, key = 0;                          // split
    std::unique_ptr<backend::comm_impl>* new_comm = nullptr;  // split, dup, cart_create, cart_sub
    const backend::cartesian_grid* grid = nullptr;            // cart_create's grid, alike on every rank
    const std::vector<bool>* keep = nullptr;                  // cart_sub's dimensions, alike on every rank
    std::source_location where;
    sim_request* request = nullptr;  // a non-blocking one's (below)
    std::exception_ptr error;        // this rank's own failure (its buffer was too small)
    // Simulated time (sim_clock.hpp): its rank's clock when it joined, and when it leaves.
    sim_time joined_at = 0, leaves_at = 0;
    // What the call owns of its own: only a non-blocking call and the copy a rank that left early
    // leaves in the slot (detach) own anything, so it is on the heap, made when first needed
    // (owned_copies). A blocking call waits on its rank's stack, a million of them at a million
    // ranks: each line less there is a line fewer for each rank's resumption to read (issue 17),
    // and nothing to construct or destroy at each call.
    owned_copies owned;
    // The flags last, side by side (each alone took a word).
    bool overwrites_input = false;  // in place: send and recv alias (in_place())
    // A non-blocking collective (ibarrier, ibcast, ireduce, iallreduce: issue 14): the caller does
    // not wait in the call; its request completes when the collective does.
    bool nonblocking = false;
    bool done = false;
    // With collective_mode::local, a rank that MPI lets leave early (a bcast's root, a gather's
    // non-roots, ...) leaves a copy of its call, owning its data, and returns at once.
    bool returned_early = false;

    // Its rank's clock when it joined (empty unless systematic runs keep clocks).
    const happens_before::clock& joined_clock() const {
        static const happens_before::clock none;
        return owned.get() ? owned.get()->joined_clock : none;
    }
};

// Whether `rank`'s call is in place (MPI_IN_PLACE, as the typed layer asks for it: backend.hpp):
// a reduction, an alltoall, a gather's root or an allgather.
bool in_place(const collective_call& call, int rank);

// Whether this rank's call has a receive buffer of its own that the collective writes: not
// in place (then its input is that buffer), not a bcast's root, a reduce's or gather's other
// ranks, nor exscan's rank 0. A non-blocking one's is watched until completion (request.cpp).
bool gets_result(const collective_call& call, int rank);

// Whether MPI lets this rank's part of the collective complete before the others arrive: it
// only gives (a bcast's or scatter's root, a gather's or reduce's other ranks).
bool may_complete_locally(const collective_call& call, int rank);

// "iallreduce": a non-blocking collective's operation (a literal).
std::string_view nonblocking_operation(collective_kind of);
// "allreduce", or "iallreduce" for the non-blocking form: the call's operation, as records and
// reports name it (a literal).
inline std::string_view operation_of(const collective_call& call) {
    return call.nonblocking ? nonblocking_operation(call.kind) : traits_of(call.kind).name;
}

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
    int with_request = 0;  // calls that came with a request (non-blocking ones), for complete()
    // What time_collective needs of every call (collective_costs.hpp), taken as each arrives: no
    // pass over every rank's call at the end. Then when they all leave.
    sim_time latest_join = 0, leaves_at = 0;
    std::size_t largest_block = 0, largest_count = 0;
    int first = -1;  // the rank that arrived first: the reference for mismatch checks
    std::vector<std::unique_ptr<collective_call>> detached;  // calls of ranks that returned early
    // The call of the rank whose arrival completes it, in its call then: the reductions apply its
    // operation. (A process rank's own function runs in its process, which listens only while in
    // a call; a non-blocking call's other ranks may be anywhere by then.)
    const collective_call* completing = nullptr;
    // Every rank's input, copied in as it arrives (gather_input), while each call so far is one
    // complete() can finish without visiting the calls again (`gathered`): see gather_input.
    std::vector<std::byte> inputs;
    bool gathered = false;
};

// A blocking allreduce of a few bytes per rank is completed without a pass over the ranks' calls
// (issue 17): each call lives on its rank's stack, and at 100 000 ranks and more every visit of
// one is a cache and TLB miss, several passes of them (the fold, writing each result, marking each
// call done) most of what an allreduce cost. Instead each rank's input is copied into the slot
// when the rank arrives (its memory is in the caches then), complete() folds those in rank order
// as before and leaves the result in the communicator, and each rank takes its own result when it
// is resumed (take_result), on its own stack, which it touches then anyway. Nothing else changes:
// the same fold, the same wakes in the same order, the same errors (a buffer too small is the
// rank's own failure, found by the rank). Not for non-blocking calls (their requests complete at
// completion), process ranks' receive buffers that share the engine's copy (backend.hpp's
// share), nor systematic runs (their vector clocks are learnt from every call at completion).
// Called at `rank`'s arrival, once its call matches the others'.
void gather_input(collective_slot& slot, const collective_call& call, int rank, int ranks);

// After `call`'s collective completed: when complete() did not visit it (gather_input), its
// result, and when it leaves, from the communicator: written into its receive buffer, or its
// error set (a fixed buffer too small). True if it took one.
bool take_result(collective_call& call, const comm_state& comm, int rank);

// The same literal (a type's type_name_v, a builtin's name): alike by address, without comparing
// the characters, which every rank's arrival at a collective checks.
inline bool same_literal(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

// A bcast's elements are in its one buffer, every other's in what it gives.
inline const type_desc& element_type(const collective_call& call) {
    return traits_of(call.kind).in_place ? call.recv.type : call.send.type;
}

// Whether `call` is plainly the same collective as `first`: what mismatch() compares, each by a
// test that never says alike wrongly (names by address, the reduction by its functions), so that
// every rank's arrival at a collective, 100 000 of them at 100 000 ranks, skips the comparisons of
// text. A false answer only sends the call through mismatch()'s own checks. Inline, in the
// arrival itself: no call, and no string made for the answer "none" (issue 17).
inline bool plainly_alike(const collective_call& call, const collective_call& first) {
    const auto same_op = [&](const reduce_op* a, const reduce_op* b) {
        return a == b || (a && b && same_literal(a->name, b->name) && a->apply == b->apply && a->identity == b->identity);
    };
    return call.kind == first.kind && call.nonblocking == first.nonblocking && call.root == first.root &&
           same_literal(element_type(call).name, element_type(first).name) && call.send.count == first.send.count &&
           same_op(call.op, first.op) && call.counts_in.empty() && first.counts_in.empty() &&
           call.overwrites_input == first.overwrites_input && !call.grid && !first.grid && !call.keep && !first.keep;
}

// Why `call` (from `rank` of `comm`) cannot be part of the same collective as the slot's first
// call, or empty if it can (plainly_alike calls can).
std::string mismatch(const collective_slot& slot, const collective_call& call, int rank, const comm_state& comm);
// Mismatches visible only once every rank is there (a bcast's fixed receive buffers against the
// root's count; what a non-blocking form's receivers named beforehand against what they are
// sent); empty if none.
std::string mismatch_at_completion(const collective_slot& slot, const comm_state& comm);

// Moves the data of a collective every rank has reached.
void complete(collective_slot& slot, comm_state& comm, engine& eng);

// For a rank that leaves a collective before the others arrive (collective_mode::local, or a root
// the engine lets go because MPI may): a copy of its call that owns its data, kept in the slot
// until the collective completes. A scatter's root takes its own block at once; if it does not
// fit, `call.error` says so. With `let_go` (a non-blocking call's request destroyed before it
// completed) nothing is written to the caller's memory any more, not even that block.
collective_call* detach(collective_call& call, collective_slot& slot, const comm_state& comm, int rank,
                        bool let_go = false);
// The engine lets rank `rank` leave collective `sequence` of `comm` early, as MPI may (a potential
// deadlock's grant, deadlock.cpp): its call's copy stays in the slot, and the call is done.
void leave_early(comm_state& comm, std::uint64_t sequence, collective_call& call, int rank);

}  // namespace baton::sim::detail
