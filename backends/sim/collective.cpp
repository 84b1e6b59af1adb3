#include "collective.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <baton/detail/grid.hpp>
#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>
#include <baton/status.hpp>

#include "comm.hpp"
#include "comm_state.hpp"
#include "copy_bytes.hpp"
#include "engine.hpp"
#include "request.hpp"

namespace baton::sim::detail {

namespace {

using kind = collective_kind;

// Two names alike: usually the same literal, else the same characters.
bool same_name(std::string_view a, std::string_view b) { return same_literal(a, b) || a == b; }

// Builtins match by name (op::sum and std::plus<> are both MPI_SUM). A user callable's name is its
// type's, which does not tell two lambdas of one function apart: those match by function too
// (make_reduce_op marks builtins, and only them, commutative).
bool same_reduction(const reduce_op& a, const reduce_op& b) {
    if (!same_name(a.name, b.name)) return false;
    const auto identity = [](const reduce_op& op) { return op.identity ? op.identity : reinterpret_cast<const void*>(op.apply); };
    return a.commutative || identity(a) == identity(b);
}

std::string amount(std::size_t count, const type_desc& type) {
    if (type.kind == element_kind::serialized) return fmt::format("{} serialized ({} bytes)", type.name, count);
    return fmt::format("{} x {}", count, type.name);
}

// "true, false": cart_create's periods and cart_sub's kept dimensions, as a report shows them.
std::string flags(const std::vector<bool>& values) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::string(values[i] ? "true" : "false");
    return text;
}

// A scratch buffer aligned for any element type.
class scratch {
public:
    explicit scratch(std::size_t bytes) : words_((bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t)) {}
    void* data() { return words_.data(); }

private:
    std::vector<std::max_align_t> words_;
};

void copy(void* to, std::size_t to_index, const void* from, std::size_t from_index, std::size_t count,
          std::size_t element_size) {
    if (count == 0) return;
    auto* target = static_cast<std::byte*>(to) + to_index * element_size;
    const auto* source = static_cast<const std::byte*>(from) + from_index * element_size;
    // A block in place (a gather's root, an allgather) is where it goes already.
    if (target != source) std::memcpy(target, source, count * element_size);
}

// A rank's collective call, for the report of its failure.
rank_call own_call(const collective_call& call, const comm_state& comm, int rank) {
    const int world = comm.world_rank(rank);
    return {world, describe(call, &comm), baton::detail::format_location(call.where), {}, {}, comm.in_comm(world)};
}

// Room for `count` elements in `call`'s result; null (with the call's error set) when a fixed
// buffer is too small.
void* prepare(collective_call& call, std::size_t count, const comm_state& comm, int rank) {
    if (call.returned_early) return nullptr;  // it has all it gets, and its buffers are gone
    auto& buffer = call.recv;
    if (buffer.resizable()) return buffer.resize(buffer.container, count);
    if (count <= buffer.count) return buffer.data;
    call.error = std::make_exception_ptr(truncation_error(
        fmt::format("{}: {} at {}: the result has {} elements but the buffer holds {}", comm.member(rank),
                    traits_of(call.kind).name, baton::detail::format_location(call.where), count, buffer.count),
        {own_call(call, comm, rank)}));
    return nullptr;
}

void* write(collective_call& call, const void* from, std::size_t count, const comm_state& comm, int rank) {
    void* to = prepare(call, count, comm, rank);
    if (to) copy(to, 0, from, 0, count, call.recv.type.size);
    return to;
}

// Whether `call` took the `count` elements at `from` by reference (backend.hpp's share: a process
// rank's buffer in the engine, whose process reads them where they are) instead of a copy. Only a
// result that fills the buffer exactly: a larger fixed one's other elements are not the others'.
bool shared(collective_call& call, const void* from, std::size_t count) {
    const auto& buffer = call.recv;
    if (!buffer.share || call.returned_early || count == 0 || (!buffer.resizable() && count != buffer.count))
        return false;
    return buffer.share(buffer.sharer, from, count);
}

// Every rank's contribution, back to back, into `target`'s result: where it went, or null.
void* concatenate_into(collective_call& target, const std::vector<collective_call*>& calls,
                       const comm_state& comm, int rank) {
    std::size_t total = 0;
    for (const auto* call : calls) total += call->send.count;
    void* to = prepare(target, total, comm, rank);
    if (!to) return nullptr;
    std::size_t offset = 0;
    for (const auto* call : calls) {
        copy(to, offset, call->send.data, 0, call->send.count, call->send.type.size);
        offset += call->send.count;
    }
    return to;
}

void split_into_groups(collective_slot& slot, comm_state& comm, engine& eng, bool is_dup) {
    const int number = ++comm.children;
    std::map<int, std::vector<std::pair<int, int>>> groups;  // color -> (key, rank)
    for (int r = 0; r < comm.size(); ++r) {
        const auto& call = *slot.calls[static_cast<std::size_t>(r)];
        if (is_dup) groups[0].push_back({r, r});
        else if (call.color != undefined) groups[call.color].push_back({call.key, r});
    }
    for (auto& [color, members] : groups) {
        std::sort(members.begin(), members.end());
        std::vector<int> world_ranks;
        for (const auto& [key, r] : members) world_ranks.push_back(comm.world_ranks[static_cast<std::size_t>(r)]);
        std::string name = is_dup ? fmt::format("{}.dup{}", comm.name, number)
                                  : fmt::format("{}.split{}(color={})", comm.name, number, color);
        auto& state = eng.make_comm(std::move(name), std::move(world_ranks));
        if (is_dup) state.grid = comm.grid;  // MPI_Comm_dup keeps the topology
        for (std::size_t i = 0; i < members.size(); ++i)
            *slot.calls[static_cast<std::size_t>(members[i].second)]->new_comm =
                std::make_unique<sim_comm>(eng, state, static_cast<int>(i));
    }
}

// ---- What each collective does once every rank is there (its traits' `move`) ----------------

collective_call& call_of(collective_slot& slot, int rank) { return *slot.calls[static_cast<std::size_t>(rank)]; }
int root_of(const collective_slot& slot) { return slot.calls.front()->root; }

void barrier(collective_slot&, comm_state&, engine&) {}

// The same `count` elements at `from` for every rank but `skip` (a bcast's root). A rank whose
// buffer can share takes them by reference; once one has copied them into a buffer that others
// can share (a process rank's, in the engine), the rest take that copy, so that their processes
// read one copy instead of the engine writing one for each. Thread and fiber ranks each copy from
// `from`, as before.
void write_alike(collective_slot& slot, const comm_state& comm, const void* from, std::size_t count, int skip = -1) {
    for (int r = 0; r < comm.size(); ++r) {
        if (r == skip) continue;
        auto& call = call_of(slot, r);
        if (shared(call, from, count)) continue;
        void* to = write(call, from, count, comm, r);
        if (to && call.recv.share) from = to;
    }
}

void bcast(collective_slot& slot, comm_state& comm, engine&) {
    const int root = root_of(slot);
    const auto& data = call_of(slot, root).recv;
    write_alike(slot, comm, data.data, data.count, root);
}

// The root's data in blocks, one per rank in rank order: `count(r)` elements for rank r.
template <class Count>
void scatter_blocks(collective_slot& slot, const comm_state& comm, Count count) {
    const auto& root = call_of(slot, root_of(slot));
    std::size_t offset = 0;
    for (int r = 0; r < comm.size(); ++r) {
        const std::size_t n = count(root, r);
        if (void* to = prepare(call_of(slot, r), n, comm, r)) copy(to, 0, root.send.data, offset, n, root.send.type.size);
        offset += n;
    }
}

void scatter(collective_slot& slot, comm_state& comm, engine&) {
    scatter_blocks(slot, comm, [&](const collective_call& root, int) {
        return root.send.count / static_cast<std::size_t>(comm.size());
    });
}

void scatterv(collective_slot& slot, comm_state& comm, engine&) {
    scatter_blocks(slot, comm,
                   [](const collective_call& root, int r) { return root.counts_in[static_cast<std::size_t>(r)]; });
}

// A v-collective's receivers learn every rank's count.
void give_counts(collective_call& receiver, const collective_slot& slot) {
    if (!receiver.counts_out) return;
    receiver.counts_out->clear();
    for (const auto* each : slot.calls) receiver.counts_out->push_back(each->send.count);
}

void gather(collective_slot& slot, comm_state& comm, engine&) {
    concatenate_into(call_of(slot, root_of(slot)), slot.calls, comm, root_of(slot));
}

void gatherv(collective_slot& slot, comm_state& comm, engine& eng) {
    gather(slot, comm, eng);
    give_counts(call_of(slot, root_of(slot)), slot);
}

// Every rank gets the same concatenation: on process ranks the first made stands for the rest
// (write_alike).
void allgather(collective_slot& slot, comm_state& comm, engine&) {
    std::size_t total = 0;
    for (const auto* call : slot.calls) total += call->send.count;
    const void* made = nullptr;
    for (int r = 0; r < comm.size(); ++r) {
        auto& call = call_of(slot, r);
        if (made && shared(call, made, total)) continue;
        void* to = concatenate_into(call, slot.calls, comm, r);
        if (to && !made && call.recv.share) made = to;
    }
}

void allgatherv(collective_slot& slot, comm_state& comm, engine& eng) {
    allgather(slot, comm, eng);
    for (int r = 0; r < comm.size(); ++r) give_counts(call_of(slot, r), slot);
}

void alltoall(collective_slot& slot, comm_state& comm, engine&) {
    const int ranks = comm.size();
    const auto& first = *slot.calls.front();
    const std::size_t block = first.send.count / static_cast<std::size_t>(ranks);
    // In place (on every rank or none: place_alike), each rank's result overwrites what it sends
    // the others: every rank's data is read from a copy.
    std::vector<std::vector<std::byte>> sent;
    if (first.overwrites_input)
        for (const auto* call : slot.calls) {
            const auto* data = static_cast<const std::byte*>(call->send.data);
            sent.emplace_back(data, data + call->send.count * call->send.type.size);
        }
    for (int r = 0; r < ranks; ++r) {
        void* to = prepare(call_of(slot, r), block * static_cast<std::size_t>(ranks), comm, r);
        if (!to) continue;
        for (int s = 0; s < ranks; ++s) {
            const void* from = sent.empty() ? call_of(slot, s).send.data : sent[static_cast<std::size_t>(s)].data();
            copy(to, block * static_cast<std::size_t>(s), from, block * static_cast<std::size_t>(r), block,
                 first.send.type.size);
        }
    }
}

// Reductions fold in rank order into scratch buffers, so the result is the same on every run.
// The inputs are the calls' own, or the copies gather_input made of them.
class reduction {
public:
    explicit reduction(const collective_slot& slot)
        : calls_(slot.calls), n_(slot.completing->send.count), size_(slot.completing->send.type.size),
          op_(*slot.completing->op), accumulated_(n_ * size_), next_(n_ * size_),
          gathered_(slot.gathered ? slot.inputs.data() : nullptr) {}
    std::size_t count() const { return n_; }

    // x[0] op ... op x[last], evaluated right to left.
    const void* fold(int last) {
        copy(accumulated_.data(), 0, input(last), 0, n_, size_);
        for (int r = last - 1; r >= 0; --r) op_.apply(input(r), accumulated_.data(), n_, op_.context);
        return accumulated_.data();
    }
    // x[0] op ... op x[r], from the prefix before it: call with r = 0, 1, 2, ... in turn.
    // x[r] is read before anything is written, so a rank's result may overwrite its input.
    const void* extend(int r) {
        if (r == 0) {
            copy(accumulated_.data(), 0, input(0), 0, n_, size_);
        } else {
            copy(next_.data(), 0, input(r), 0, n_, size_);
            op_.apply(accumulated_.data(), next_.data(), n_, op_.context);
            std::swap(accumulated_, next_);
        }
        return accumulated_.data();
    }
    // After extend(r) with r > 0: x[0] op ... op x[r - 1], the prefix before it.
    const void* previous() { return next_.data(); }

private:
    const void* input(int r) const {
        if (gathered_) return gathered_ + static_cast<std::size_t>(r) * n_ * size_;
        return calls_[static_cast<std::size_t>(r)]->send.data;
    }

    const std::vector<collective_call*>& calls_;
    std::size_t n_, size_;
    const reduce_op& op_;
    scratch accumulated_, next_;
    const std::byte* gathered_;
};

void reduce(collective_slot& slot, comm_state& comm, engine&) {
    reduction folded(slot);
    write(call_of(slot, root_of(slot)), folded.fold(comm.size() - 1), folded.count(), comm, root_of(slot));
}

void allreduce(collective_slot& slot, comm_state& comm, engine&) {
    reduction folded(slot);
    write_alike(slot, comm, folded.fold(comm.size() - 1), folded.count());
}

// Rank r gets x[0] op ... op x[r] (scan) or x[0] op ... op x[r - 1] (exscan, not rank 0). Every
// rank's input is folded in, even the last one exscan gives nobody: the operation is the
// program's. Rank r's result is written only once its input has been read (in place).
void prefix_reduction(collective_slot& slot, const comm_state& comm, bool exclusive) {
    reduction folded(slot);
    for (int r = 0; r < comm.size(); ++r) {
        const void* prefix = folded.extend(r);
        if (!exclusive) write(call_of(slot, r), prefix, folded.count(), comm, r);
        else if (r > 0) write(call_of(slot, r), folded.previous(), folded.count(), comm, r);
    }
}

void scan(collective_slot& slot, comm_state& comm, engine&) { prefix_reduction(slot, comm, false); }
void exscan(collective_slot& slot, comm_state& comm, engine&) { prefix_reduction(slot, comm, true); }

// Rank r gets block r of every rank's `counts_in` blocks, in the senders' rank order.
void alltoallv(collective_slot& slot, comm_state& comm, engine&) {
    const auto ranks = static_cast<std::size_t>(comm.size());
    std::vector<std::size_t> next(ranks, 0);  // where each sender's block for the current receiver starts
    for (std::size_t r = 0; r < ranks; ++r) {
        auto& receiver = call_of(slot, static_cast<int>(r));
        std::size_t total = 0;
        for (const auto* sender : slot.calls) total += sender->counts_in[r];
        void* to = prepare(receiver, total, comm, static_cast<int>(r));
        std::size_t offset = 0;
        if (receiver.counts_out) receiver.counts_out->clear();
        for (std::size_t s = 0; s < ranks; ++s) {
            const auto& sender = *slot.calls[s];
            const std::size_t n = sender.counts_in[r];
            if (to) copy(to, offset, sender.send.data, next[s], n, sender.send.type.size);
            if (receiver.counts_out) receiver.counts_out->push_back(n);
            next[s] += n;
            offset += n;
        }
    }
}

// The reduction of every rank's elements, block r of it to rank r: `count(r)` elements.
template <class Count>
void reduce_into_blocks(collective_slot& slot, const comm_state& comm, Count count) {
    reduction folded(slot);
    const auto* result = static_cast<const std::byte*>(folded.fold(comm.size() - 1));
    const std::size_t element = slot.calls.front()->send.type.size;
    std::size_t offset = 0;
    for (int r = 0; r < comm.size(); ++r) {
        const std::size_t n = count(r);
        write(call_of(slot, r), result + offset * element, n, comm, r);
        offset += n;
    }
}

void reduce_scatter(collective_slot& slot, comm_state& comm, engine&) {
    const auto counts = slot.calls.front()->counts_in;
    reduce_into_blocks(slot, comm, [&](int r) { return counts[static_cast<std::size_t>(r)]; });
}

void reduce_scatter_block(collective_slot& slot, comm_state& comm, engine&) {
    const std::size_t block = slot.calls.front()->send.count / static_cast<std::size_t>(comm.size());
    reduce_into_blocks(slot, comm, [&](int) { return block; });
}

// ---- Cartesian topologies (issue 14) ---------------------------------------------------------

// The first product(dims) ranks, in rank order (reorder is not done: MPI allows either).
void cart_create(collective_slot& slot, comm_state& comm, engine& eng) {
    const auto& grid = *slot.calls.front()->grid;
    const int number = ++comm.children;
    const auto members = static_cast<std::size_t>(baton::detail::grid_size(grid.dims));
    auto& state = eng.make_comm(baton::detail::cart_name(comm.name, number, grid),
                                {comm.world_ranks.begin(), comm.world_ranks.begin() + static_cast<std::ptrdiff_t>(members)});
    state.grid = grid;
    for (std::size_t r = 0; r < members; ++r)
        *slot.calls[r]->new_comm = std::make_unique<sim_comm>(eng, state, static_cast<int>(r));
}

// One communicator per combination of the dropped dimensions' coordinates; in each, the ranks in
// rank order, which is the row-major order of the kept coordinates, as MPI numbers them.
void cart_sub(collective_slot& slot, comm_state& comm, engine& eng) {
    const auto& grid = *comm.grid;
    const auto& keep = *slot.calls.front()->keep;
    const int number = ++comm.children;
    std::map<std::vector<int>, std::vector<int>> groups;  // dropped coordinates -> ranks
    for (int r = 0; r < comm.size(); ++r) {
        auto coords = baton::detail::grid_coords(grid, r);
        for (std::size_t d = 0; d < keep.size(); ++d)
            if (keep[d]) coords[d] = -1;
        groups[coords].push_back(r);
    }
    for (const auto& [shared, members] : groups) {
        std::vector<int> world_ranks;
        for (const int r : members) world_ranks.push_back(comm.world_rank(r));
        auto& state = eng.make_comm(baton::detail::sub_name(comm.name, number, shared, keep), std::move(world_ranks));
        state.grid = baton::detail::sub_grid(grid, keep);
        for (std::size_t i = 0; i < members.size(); ++i)
            *call_of(slot, members[i]).new_comm = std::make_unique<sim_comm>(eng, state, static_cast<int>(i));
    }
}

// Block i of rank r's result from its neighbour i (grid_neighbors' order), which gives block
// `given(i)` of what it sends; a proc_null neighbour's block is left as it is (value-initialized:
// the typed layer receives into a new vector).
template <class Given>
void from_neighbors(collective_slot& slot, comm_state& comm, std::size_t block, Given given) {
    const auto& grid = *comm.grid;
    const std::size_t element = slot.calls.front()->send.type.size;
    for (int r = 0; r < comm.size(); ++r) {
        const auto neighbors = baton::detail::grid_neighbors(grid, r);
        void* to = prepare(call_of(slot, r), neighbors.size() * block, comm, r);
        if (!to) continue;
        for (std::size_t i = 0; i < neighbors.size(); ++i)
            if (neighbors[i] != proc_null)
                copy(to, i * block, call_of(slot, neighbors[i]).send.data, given(i) * block, block, element);
    }
}

void neighbor_allgather(collective_slot& slot, comm_state& comm, engine&) {
    from_neighbors(slot, comm, slot.calls.front()->send.count, [](std::size_t) { return std::size_t{0}; });
}

// The neighbour below sent this rank the block it sends upwards, and the other way round (i ^ 1):
// along a periodic dimension of 1 or 2 ranks, where one rank is both, too, as the standard says.
void neighbor_alltoall(collective_slot& slot, comm_state& comm, engine&) {
    const std::size_t neighbors = 2 * comm.grid->dims.size();
    const std::size_t block = neighbors == 0 ? 0 : slot.calls.front()->send.count / neighbors;
    from_neighbors(slot, comm, block, [](std::size_t i) { return i ^ 1; });
}

void split(collective_slot& slot, comm_state& comm, engine& eng) { split_into_groups(slot, comm, eng, false); }
void dup(collective_slot& slot, comm_state& comm, engine& eng) { split_into_groups(slot, comm, eng, true); }

using leaves = collective_traits::leaves_early;

}  // namespace

// One row per collective, in the order of collective_kind.
constexpr collective_traits collective_traits_table[] = {
    // name        rooted typed  reduces equal  count  in_place scatters blocks place  early           move
    {"barrier",    false, false, false,  false, false, false,   false,   false, false, leaves::nobody, barrier},
    {"bcast",      true,  true,  false,  false, false, true,    false,   false, false, leaves::root,   bcast},
    {"scatter",    true,  true,  false,  false, false, false,   true,    false, false, leaves::root,   scatter},
    {"gather",     true,  true,  false,  true,  true,  false,   false,   false, false, leaves::others, gather},
    {"allgather",  false, true,  false,  true,  true,  false,   false,   false, true,  leaves::nobody, allgather},
    {"alltoall",   false, true,  false,  true,  true,  false,   false,   false, true,  leaves::nobody, alltoall},
    {"reduce",     true,  true,  true,   true,  true,  false,   false,   false, false, leaves::others, reduce},
    {"allreduce",  false, true,  true,   true,  true,  false,   false,   false, true,  leaves::nobody, allreduce},
    {"scan",       false, true,  true,   true,  true,  false,   false,   false, true,  leaves::nobody, scan},
    {"exscan",     false, true,  true,   true,  true,  false,   false,   false, true,  leaves::nobody, exscan},
    {"gatherv",    true,  true,  false,  false, true,  false,   false,   false, false, leaves::others, gatherv},
    {"allgatherv", false, true,  false,  false, true,  false,   false,   false, false, leaves::nobody, allgatherv},
    {"scatterv",   true,  true,  false,  false, false, false,   true,    false, false, leaves::root,   scatterv},
    {"split",      false, false, false,  false, false, false,   false,   false, false, leaves::nobody, split},
    {"dup",        false, false, false,  false, false, false,   false,   false, false, leaves::nobody, dup},
    {"alltoallv",  false, true,  false,  false, true,  false,   false,   false, false, leaves::nobody, alltoallv},
    {"reduce_scatter", false, true, true, true, true,  false,   false,   true,  false, leaves::nobody, reduce_scatter},
    {"reduce_scatter_block", false, true, true, true, true, false, false, false, false, leaves::nobody,
     reduce_scatter_block},
    // Cartesian topologies (issue 14): cart_create and cart_sub check their grid in mismatch().
    {"cart_create", false, false, false, false, false, false,  false,   false, false, leaves::nobody, cart_create},
    {"cart_sub",   false, false, false,  false, false, false,   false,   false, false, leaves::nobody, cart_sub},
    {"neighbor_allgather", false, true, false, true, true, false, false, false, false, leaves::nobody,
     neighbor_allgather},
    {"neighbor_alltoall", false, true, false, true, true, false, false, false, false, leaves::nobody,
     neighbor_alltoall},
};
static_assert(std::size(collective_traits_table) == static_cast<std::size_t>(collective_kind::neighbor_alltoall) + 1);
static_assert(collective_traits_table[static_cast<int>(collective_kind::scatterv)].name == "scatterv");

std::string_view nonblocking_operation(collective_kind of) {
    switch (of) {
            case kind::barrier: return "ibarrier";
            case kind::bcast: return "ibcast";
            case kind::reduce: return "ireduce";
            case kind::allreduce: return "iallreduce";
            // Non-blocking gathers, scatters and all-to-alls (issue 14: igather).
            case kind::gather: return "igather";
            case kind::allgather: return "iallgather";
            case kind::scatter: return "iscatter";
            case kind::alltoall: return "ialltoall";
            case kind::gatherv: return "igatherv";
            case kind::allgatherv: return "iallgatherv";
            case kind::scatterv: return "iscatterv";
            case kind::alltoallv: return "ialltoallv";
            case kind::scan: return "iscan";
            case kind::exscan: return "iexscan";
            case kind::reduce_scatter_block: return "ireduce_scatter_block";
            case kind::reduce_scatter: return "ireduce_scatter";
            default: break;
        }
    return traits_of(of).name;
}

bool in_place(const collective_call& call, int rank) {
    switch (call.kind) {
        case kind::gather:
        case kind::allgather: return backend::in_place_block(call.send, call.recv, rank);
        case kind::alltoall: return backend::in_place(call.send, call.recv);
        default: return traits_of(call.kind).reduces && backend::in_place(call.send, call.recv);
    }
}

bool gets_result(const collective_call& call, int rank) {
    if (!traits_of(call.kind).typed || call.overwrites_input) return false;
    if (call.recv.count == 0 && !call.recv.resizable()) return false;
    switch (call.kind) {
        case kind::bcast: return rank != call.root;
        case kind::reduce:
        case kind::gather:
        case kind::gatherv: return rank == call.root;
        case kind::exscan: return rank != 0;  // rank 0's is undefined: MPI writes nothing there
        default: return true;
    }
}

bool may_complete_locally(const collective_call& call, int rank) {
    switch (traits_of(call.kind).early) {
        case leaves::root: return rank == call.root;
        case leaves::others: return rank != call.root;
        case leaves::nobody: return false;
    }
    return false;
}

std::string collective_arguments(const collective_call& call, const std::string& root) {
    const auto& traits = traits_of(call.kind);
    std::vector<std::string> parts;
    if (call.kind == kind::split) parts.push_back(fmt::format("color={}, key={}", call.color, call.key));
    if (call.grid)
        parts.push_back(fmt::format("dims=[{}], periods=[{}]", fmt::join(call.grid->dims, ", "),
                                    flags(call.grid->periods)));
    if (call.keep) parts.push_back(fmt::format("keep=[{}]", flags(*call.keep)));
    if (traits.reduces) parts.push_back(fmt::format("op={}", call.op->name));
    if (call.overwrites_input) parts.push_back("in place");
    if (traits.rooted) parts.push_back("root=" + root);
    if (traits.typed) {
        const std::size_t count = traits.in_place ? call.recv.count : call.send.count;
        const bool count_known = traits.count_shown || !call.recv.resizable();
        parts.push_back(count_known ? amount(count, element_type(call)) : std::string(element_type(call).name));
    }
    if (traits.blocks_alike) parts.push_back(fmt::format("blocks=[{}]", fmt::join(call.counts_in, ", ")));
    std::string joined;
    for (std::size_t i = 0; i < parts.size(); ++i) joined += (i ? ", " : "") + parts[i];
    return joined;
}

std::string describe(const collective_call& call, const comm_state* comm) {
    const std::string root = comm ? comm->peer(call.root) : std::to_string(call.root);
    return fmt::format("{}({})", operation_of(call), collective_arguments(call, root));
}

std::string mismatch(const collective_slot& slot, const collective_call& call, int rank, const comm_state& comm) {
    const auto& first = *slot.calls[static_cast<std::size_t>(slot.first)];
    if (plainly_alike(call, first)) return {};
    const auto& traits = traits_of(call.kind);
    std::string what;
    // A non-blocking collective matches only its own non-blocking form (MPI-3.1 5.12).
    if (call.kind != first.kind || call.nonblocking != first.nonblocking) what = "another operation";
    else if (traits.rooted && call.root != first.root) what = "another root";
    else if (traits.typed && !same_name(element_type(call).name, element_type(first).name)) what = "another element type";
    else if (traits.equal_counts && call.send.count != first.send.count) what = "another element count";
    else if (traits.reduces && !same_reduction(*call.op, *first.op)) what = "another reduction";
    else if (traits.blocks_alike && !std::ranges::equal(call.counts_in, first.counts_in)) what = "other block counts";
    else if (traits.place_alike && call.overwrites_input != first.overwrites_input)
        what = "in place on some ranks only (MPI_IN_PLACE must be on every rank or none)";
    else if (call.grid && *call.grid != *first.grid) what = "another grid";
    else if (call.keep && *call.keep != *first.keep) what = "other dimensions kept";
    if (what.empty()) return {};
    return fmt::format("{}: {} called {} at {}, but {} called {} at {}", what, comm.member(rank), describe(call, &comm),
                       baton::detail::format_location(call.where), comm.member(slot.first), describe(first, &comm),
                       baton::detail::format_location(first.where));
}

namespace {

// A non-blocking gather's, scatter's or all-to-all's receivers name what they receive before
// anything arrives (MPI's recvcounts): a count per sender (igatherv's root, iallgatherv,
// ialltoallv), or the size of a fixed buffer (iscatter, iscatterv: the root sends). Each must be
// what its sender sends it.
std::string received_counts_mismatch(const collective_slot& slot, const comm_state& comm) {
    const auto& first = *slot.calls[static_cast<std::size_t>(slot.first)];
    if (!first.nonblocking) return {};
    const int ranks = comm.size();
    const auto at = [&](int r) -> const collective_call& { return *slot.calls[static_cast<std::size_t>(r)]; };
    const auto named = [](const collective_call& receiver, int s) {
        const auto sender = static_cast<std::size_t>(s);
        return sender < receiver.counts_expected.size() ? receiver.counts_expected[sender] : std::size_t{0};
    };
    for (int r = 0; r < ranks; ++r) {
        const auto& receiver = at(r);
        for (int s = 0; s < ranks; ++s) {
            std::size_t expected = 0, sent = 0;
            switch (first.kind) {
                case kind::scatter:
                case kind::scatterv:
                    if (s != first.root || receiver.recv.resizable()) continue;
                    expected = receiver.recv.count;
                    sent = first.kind == kind::scatter ? at(s).send.count / static_cast<std::size_t>(ranks)
                                                       : at(s).counts_in[static_cast<std::size_t>(r)];
                    break;
                case kind::gatherv:
                    if (r != first.root) continue;
                    [[fallthrough]];
                case kind::allgatherv:
                    expected = named(receiver, s);
                    sent = at(s).send.count;
                    break;
                case kind::alltoallv:
                    expected = named(receiver, s);
                    sent = at(s).counts_in[static_cast<std::size_t>(r)];
                    break;
                default: return {};
            }
            if (expected == sent) continue;
            return fmt::format("another element count: {} sends {} {} elements with {} at {}, but {} expects {} "
                               "with {} at {}",
                               comm.member(s), comm.member(r), sent, describe(at(s), &comm),
                               baton::detail::format_location(at(s).where), comm.member(r), expected,
                               describe(receiver, &comm), baton::detail::format_location(receiver.where));
        }
    }
    return {};
}

}  // namespace

std::string mismatch_at_completion(const collective_slot& slot, const comm_state& comm) {
    const auto& first = *slot.calls[static_cast<std::size_t>(slot.first)];
    if (!traits_of(first.kind).in_place) return received_counts_mismatch(slot, comm);
    const auto& root = *slot.calls[static_cast<std::size_t>(first.root)];
    for (std::size_t r = 0; r < slot.calls.size(); ++r) {
        const auto& call = *slot.calls[r];
        if (static_cast<int>(r) == first.root || call.recv.resizable() || call.recv.count == root.recv.count) continue;
        return fmt::format("another element count: {} called {} at {}, but the root, {}, called {} at {}",
                           comm.member(static_cast<int>(r)), describe(call, &comm),
                           baton::detail::format_location(call.where), comm.member(first.root), describe(root, &comm),
                           baton::detail::format_location(root.where));
    }
    return {};
}

namespace {

// Past this many bytes per rank, copying every rank's input (gather_input) would take memory by
// the rank count (a million ranks times this) and more time than the visits it saves.
constexpr std::size_t most_gathered_bytes = 64;

// complete() for a slot whose inputs gather_input has all copied: fold them, leave the result in
// the communicator for each rank to take (take_result), wake the ranks in rank order as complete()
// does. No call is visited but the completing one.
void complete_gathered(collective_slot& slot, comm_state& comm, engine& eng) {
    reduction folded(slot);
    const auto* result = static_cast<const std::byte*>(folded.fold(comm.size() - 1));
    comm.result.assign(result, result + folded.count() * slot.completing->send.type.size);
    comm.result_count = folded.count();
    comm.result_leaves_at = slot.leaves_at;
    ++comm.completed;
    eng.notify_all(comm.world_ranks);
}

}  // namespace

void gather_input(collective_slot& slot, const collective_call& call, int rank, int ranks) {
    const std::size_t bytes = call.send.count * call.send.type.size;
    const bool fits = call.kind == collective_kind::allreduce && !call.nonblocking && !call.recv.share &&
                      bytes <= most_gathered_bytes;
    if (slot.arrived == 1) {
        slot.gathered = fits;
        if (fits) slot.inputs.resize(static_cast<std::size_t>(ranks) * bytes);
    } else if (slot.gathered && (!fits || slot.inputs.size() != static_cast<std::size_t>(ranks) * bytes)) {
        // Another size is a mismatch the checks report; the first one sized the copies.
        slot.gathered = false;
        slot.inputs = {};
    }
    if (slot.gathered && bytes > 0) copy_bytes(slot.inputs.data() + static_cast<std::size_t>(rank) * bytes, call.send.data, bytes);
}

bool take_result(collective_call& call, const comm_state& comm, int rank) {
    if (call.done) return false;  // complete() visited it, or it left early
    call.done = true;
    call.leaves_at = comm.result_leaves_at;
    // The usual case, a fixed buffer with room for the result: the copy alone.
    const auto& buffer = call.recv;
    if (!buffer.resizable() && !call.returned_early && comm.result_count <= buffer.count) {
        if (comm.result_count > 0) copy_bytes(buffer.data, comm.result.data(), comm.result_count * buffer.type.size);
        return true;
    }
    write(call, comm.result.data(), comm.result_count, comm, rank);
    return true;
}

void complete(collective_slot& slot, comm_state& comm, engine& eng) {
    if (slot.gathered && slot.with_request == 0 && !eng.order().kept()) return complete_gathered(slot, comm, eng);
    // Each pass below visits every rank's call, on that rank's stack: at 100 000 ranks a pass
    // costs milliseconds in cache and TLB misses, so a pass with nothing to do is skipped.
    // A pending request's receive buffer (or in place, its input) is about to get its result:
    // what the program wrote there until now is reported, and the result watched from then on.
    auto pending_requests = [&](bool before) {
        if (slot.with_request == 0) return;
        for (int r = 0; r < comm.size(); ++r)
            if (auto& call = call_of(slot, r); call.request) call.request->result_written(before);
    };
    pending_requests(true);
    traits_of(slot.calls.front()->kind).move(slot, comm, eng);
    pending_requests(false);
    // Every member hears what every other knew when it joined (happens_before.hpp): a rank in
    // the call now, a non-blocking one's caller when its wait or test sees it complete. (Clocks
    // are kept in systematic runs only: otherwise every one is empty.)
    happens_before::clock known;
    const bool ordered = eng.order().kept();
    if (ordered)
        for (int r = 0; r < comm.size(); ++r) happens_before::merge(known, call_of(slot, r).joined_clock());
    for (int r = 0; r < comm.size(); ++r) {
        auto& call = call_of(slot, r);
        call.done = true;
        call.leaves_at = slot.leaves_at;  // time_collective's
        if (call.request) {
            call.request->done_time = slot.leaves_at;
            call.request->learn_when_taken(known);
            call.request->complete({}, call.error);  // wakes its owner
        } else {
            if (ordered) eng.order().learn(comm.world_rank(r), known);
            eng.notify(comm.world_rank(r));
        }
    }
    ++comm.completed;
}

collective_call* detach(collective_call& call, collective_slot& slot, const comm_state& comm, int rank, bool let_go) {
    auto copy = std::make_unique<collective_call>(call);
    auto& owned = copy->owned.make();
    owned.joined_clock = call.joined_clock();
    copy->request = nullptr;  // a request let go before completion is no longer there to complete
    const auto* first = static_cast<const std::byte*>(call.send.data);
    owned.data.assign(first, first + call.send.count * call.send.type.size);
    copy->send.data = owned.data.data();
    // A process rank's buffer addresses were for the buffer checks of its call, which are over.
    copy->send.origin = copy->recv.origin = nullptr;
    copy->returned_early = true;
    copy->counts_out = nullptr;  // nothing is written to the caller's memory any more
    // Its counts, which the others may still read (a scatterv's root's; a request let go before
    // completion takes the typed layer's copies with it).
    owned.counts.assign(call.counts_in.begin(), call.counts_in.end());
    copy->counts_in = owned.counts;
    owned.expected.assign(call.counts_expected.begin(), call.counts_expected.end());
    copy->counts_expected = owned.expected;
    // The caller's reduce_op is a temporary that ends with the call: keep a copy (its name and
    // function; the reduction itself uses the operation of a rank still in the call).
    if (call.op) {
        owned.op = *call.op;
        copy->op = &owned.op;
    }
    if (traits_of(call.kind).in_place) copy->recv.data = owned.data.data();  // the root's data
    // A scatter's root that leaves early takes its own block now: nobody may write to its buffer
    // later. (A non-blocking one let go before completion gets nothing.)
    if (traits_of(call.kind).scatters && !let_go) {
        std::size_t offset = 0, count = call.send.count / static_cast<std::size_t>(comm.size());
        if (call.kind == kind::scatterv) {
            for (int r = 0; r < rank; ++r) offset += call.counts_in[static_cast<std::size_t>(r)];
            count = call.counts_in[static_cast<std::size_t>(rank)];
        } else {
            offset = count * static_cast<std::size_t>(rank);
        }
        auto& mine = call.recv;
        if (!mine.resizable() && count > mine.count) {
            call.error = std::make_exception_ptr(truncation_error(
                fmt::format("{}: {} at {}: the block has {} elements but the buffer holds {}", comm.member(rank),
                            traits_of(call.kind).name, baton::detail::format_location(call.where), count, mine.count),
                {own_call(call, comm, rank)}));
        } else {
            void* to = mine.resizable() ? mine.resize(mine.container, count) : mine.data;
            if (count > 0) std::memcpy(to, first + offset * call.send.type.size, count * call.send.type.size);
        }
    }
    slot.detached.push_back(std::move(copy));
    return slot.detached.back().get();
}

void leave_early(comm_state& comm, std::uint64_t sequence, collective_call& call, int rank) {
    auto& slot = comm.collectives.at(sequence);
    slot.calls[static_cast<std::size_t>(rank)] = detach(call, slot, comm, rank);
    call.done = true;
}

}  // namespace baton::sim::detail
