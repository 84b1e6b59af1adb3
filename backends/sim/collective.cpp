#include "collective.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>
#include <baton/status.hpp>

#include "comm.hpp"
#include "comm_state.hpp"
#include "engine.hpp"

namespace baton::sim::detail {

namespace {

using kind = collective_kind;

bool rooted(kind k) {
    return k == kind::bcast || k == kind::scatter || k == kind::gather || k == kind::reduce ||
           k == kind::gatherv || k == kind::scatterv;
}
bool typed(kind k) { return k != kind::barrier && k != kind::split && k != kind::dup; }
bool reduces(kind k) { return k == kind::reduce || k == kind::allreduce || k == kind::scan || k == kind::exscan; }
// Collectives in which every rank must contribute the same number of elements.
bool equal_counts(kind k) {
    return reduces(k) || k == kind::gather || k == kind::allgather || k == kind::alltoall;
}

// Builtins match by name (op::sum and std::plus<> are both MPI_SUM). A user callable's name is its
// type's, which does not tell two lambdas of one function apart: those match by function too
// (make_reduce_op marks builtins, and only them, commutative).
bool same_reduction(const reduce_op& a, const reduce_op& b) {
    if (a.name != b.name) return false;
    return a.commutative || a.apply == b.apply;
}

const type_desc& element_type(const collective_call& call) {
    return call.kind == kind::bcast ? call.recv.type : call.send.type;
}

std::string amount(std::size_t count, const type_desc& type) {
    if (type.kind == element_kind::serialized) return fmt::format("{} serialized ({} bytes)", type.name, count);
    return fmt::format("{} x {}", count, type.name);
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
    std::memcpy(static_cast<std::byte*>(to) + to_index * element_size,
                static_cast<const std::byte*>(from) + from_index * element_size, count * element_size);
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
                    to_string(call.kind), baton::detail::format_location(call.where), count, buffer.count),
        {own_call(call, comm, rank)}));
    return nullptr;
}

void write(collective_call& call, const void* from, std::size_t count, const comm_state& comm, int rank) {
    if (void* to = prepare(call, count, comm, rank)) copy(to, 0, from, 0, count, call.recv.type.size);
}

// Every rank's contribution, back to back, into `target`'s result.
void concatenate_into(collective_call& target, const std::vector<collective_call*>& calls,
                      const comm_state& comm, int rank) {
    std::size_t total = 0;
    for (const auto* call : calls) total += call->send.count;
    void* to = prepare(target, total, comm, rank);
    if (!to) return;
    std::size_t offset = 0;
    for (const auto* call : calls) {
        copy(to, offset, call->send.data, 0, call->send.count, call->send.type.size);
        offset += call->send.count;
    }
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
        for (std::size_t i = 0; i < members.size(); ++i)
            *slot.calls[static_cast<std::size_t>(members[i].second)]->new_comm =
                std::make_unique<sim_comm>(eng, state, static_cast<int>(i));
    }
}

// Reductions fold in rank order into scratch buffers, so the result is the same on every run.
void reduction(collective_slot& slot, const comm_state& comm) {
    auto& calls = slot.calls;
    const int ranks = comm.size();
    const auto& first = *calls.front();
    const std::size_t n = first.send.count;
    const std::size_t size = first.send.type.size;
    // The operation of a rank still in the call: a rank that left early (collective_mode::local)
    // may have taken the function object its operation calls with it.
    const auto live = std::find_if(calls.begin(), calls.end(), [](const collective_call* c) { return !c->returned_early; });
    const reduce_op& op = *(*live)->op;
    scratch accumulated(n * size), next(n * size);

    auto fold = [&](int last) {  // x[0] op ... op x[last], evaluated right to left
        copy(accumulated.data(), 0, calls[static_cast<std::size_t>(last)]->send.data, 0, n, size);
        for (int r = last - 1; r >= 0; --r) op.apply(calls[static_cast<std::size_t>(r)]->send.data, accumulated.data(), n, op.context);
    };
    switch (first.kind) {
        case kind::reduce: {
            fold(ranks - 1);
            write(*calls[static_cast<std::size_t>(first.root)], accumulated.data(), n, comm, first.root);
            break;
        }
        case kind::allreduce: {
            fold(ranks - 1);
            for (int r = 0; r < ranks; ++r) write(*calls[static_cast<std::size_t>(r)], accumulated.data(), n, comm, r);
            break;
        }
        case kind::scan:
        case kind::exscan: {
            // accumulated = x[0] op ... op x[r]; rank r gets it (scan) or rank r+1 does (exscan).
            const bool exclusive = first.kind == kind::exscan;
            copy(accumulated.data(), 0, calls.front()->send.data, 0, n, size);
            for (int r = 0; r < ranks; ++r) {
                if (r > 0) {
                    copy(next.data(), 0, calls[static_cast<std::size_t>(r)]->send.data, 0, n, size);
                    op.apply(accumulated.data(), next.data(), n, op.context);
                    std::swap(accumulated, next);
                }
                const int receiver = exclusive ? r + 1 : r;
                if (receiver < ranks) write(*calls[static_cast<std::size_t>(receiver)], accumulated.data(), n, comm, receiver);
            }
            break;
        }
        default:
            break;
    }
}

}  // namespace

bool may_complete_locally(const collective_call& call, int rank) {
    switch (call.kind) {
        case kind::bcast:
        case kind::scatter:
        case kind::scatterv:
            return rank == call.root;
        case kind::gather:
        case kind::gatherv:
        case kind::reduce:
            return rank != call.root;
        default:
            return false;
    }
}

std::string_view to_string(collective_kind k) {
    static constexpr std::string_view names[] = {"barrier", "bcast", "scatter", "gather", "allgather",
                                                 "alltoall", "reduce", "allreduce", "scan", "exscan",
                                                 "gatherv", "allgatherv", "scatterv", "split", "dup"};
    return names[static_cast<int>(k)];
}

std::string collective_arguments(const collective_call& call, const std::string& root) {
    std::vector<std::string> parts;
    if (call.kind == kind::split) parts.push_back(fmt::format("color={}, key={}", call.color, call.key));
    if (reduces(call.kind)) parts.push_back(fmt::format("op={}", call.op->name));
    if (rooted(call.kind)) parts.push_back("root=" + root);
    if (typed(call.kind)) {
        const std::size_t count = call.kind == kind::bcast ? call.recv.count : call.send.count;
        const bool count_known = equal_counts(call.kind) || call.kind == kind::gatherv ||
                                 call.kind == kind::allgatherv || !call.recv.resizable();
        parts.push_back(count_known ? amount(count, element_type(call)) : std::string(element_type(call).name));
    }
    std::string joined;
    for (std::size_t i = 0; i < parts.size(); ++i) joined += (i ? ", " : "") + parts[i];
    return joined;
}

std::string describe(const collective_call& call, const comm_state* comm) {
    const std::string root = comm ? comm->peer(call.root) : std::to_string(call.root);
    return fmt::format("{}({})", to_string(call.kind), collective_arguments(call, root));
}

std::string mismatch(const collective_slot& slot, const collective_call& call, int rank, const comm_state& comm) {
    const auto& first = *slot.calls[static_cast<std::size_t>(slot.first)];
    std::string what;
    if (call.kind != first.kind) what = "another operation";
    else if (rooted(call.kind) && call.root != first.root) what = "another root";
    else if (typed(call.kind) && element_type(call).name != element_type(first).name) what = "another element type";
    else if (equal_counts(call.kind) && call.send.count != first.send.count) what = "another element count";
    else if (reduces(call.kind) && !same_reduction(*call.op, *first.op)) what = "another reduction";
    if (what.empty()) return {};
    return fmt::format("{}: {} called {} at {}, but {} called {} at {}", what, comm.member(rank), describe(call, &comm),
                       baton::detail::format_location(call.where), comm.member(slot.first), describe(first, &comm),
                       baton::detail::format_location(first.where));
}

std::string mismatch_at_completion(const collective_slot& slot, const comm_state& comm) {
    const auto& first = *slot.calls[static_cast<std::size_t>(slot.first)];
    if (first.kind != kind::bcast) return {};
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

void complete(collective_slot& slot, comm_state& comm, engine& eng) {
    auto& calls = slot.calls;
    const int ranks = comm.size();
    auto& first = *calls.front();
    switch (first.kind) {
        case kind::barrier:
            break;
        case kind::bcast: {
            const auto& root = *calls[static_cast<std::size_t>(first.root)];
            for (int r = 0; r < ranks; ++r)
                if (r != first.root) write(*calls[static_cast<std::size_t>(r)], root.recv.data, root.recv.count, comm, r);
            break;
        }
        case kind::scatter: {
            const auto& root = *calls[static_cast<std::size_t>(first.root)];
            const std::size_t block = root.send.count / static_cast<std::size_t>(ranks);
            for (int r = 0; r < ranks; ++r) {
                auto& call = *calls[static_cast<std::size_t>(r)];
                if (void* to = prepare(call, block, comm, r))
                    copy(to, 0, root.send.data, block * static_cast<std::size_t>(r), block, root.send.type.size);
            }
            break;
        }
        case kind::scatterv: {
            const auto& root = *calls[static_cast<std::size_t>(first.root)];
            std::size_t offset = 0;
            for (int r = 0; r < ranks; ++r) {
                const std::size_t count = root.counts_in[static_cast<std::size_t>(r)];
                auto& call = *calls[static_cast<std::size_t>(r)];
                if (void* to = prepare(call, count, comm, r)) copy(to, 0, root.send.data, offset, count, root.send.type.size);
                offset += count;
            }
            break;
        }
        case kind::gather:
        case kind::gatherv:
            concatenate_into(*calls[static_cast<std::size_t>(first.root)], calls, comm, first.root);
            break;
        case kind::allgather:
        case kind::allgatherv:
            for (int r = 0; r < ranks; ++r) concatenate_into(*calls[static_cast<std::size_t>(r)], calls, comm, r);
            break;
        case kind::alltoall: {
            const std::size_t block = first.send.count / static_cast<std::size_t>(ranks);
            for (int r = 0; r < ranks; ++r) {
                auto& call = *calls[static_cast<std::size_t>(r)];
                void* to = prepare(call, block * static_cast<std::size_t>(ranks), comm, r);
                if (!to) continue;
                for (int s = 0; s < ranks; ++s)
                    copy(to, block * static_cast<std::size_t>(s), calls[static_cast<std::size_t>(s)]->send.data,
                         block * static_cast<std::size_t>(r), block, first.send.type.size);
            }
            break;
        }
        case kind::reduce:
        case kind::allreduce:
        case kind::scan:
        case kind::exscan:
            reduction(slot, comm);
            break;
        case kind::split:
        case kind::dup:
            split_into_groups(slot, comm, eng, first.kind == kind::dup);
            break;
    }
    for (int r = 0; r < ranks; ++r) {
        auto& call = *calls[static_cast<std::size_t>(r)];
        if (call.counts_out) {
            if (first.kind == kind::allgatherv || (first.kind == kind::gatherv && r == first.root)) {
                call.counts_out->clear();
                for (const auto* each : calls) call.counts_out->push_back(each->send.count);
            }
        }
        call.done = true;
        eng.notify(comm.world_ranks[static_cast<std::size_t>(r)]);
    }
}

collective_call* detach(collective_call& call, collective_slot& slot, const comm_state& comm, int rank) {
    auto copy = std::make_unique<collective_call>(call);
    const auto* first = static_cast<const std::byte*>(call.send.data);
    copy->owned_data.assign(first, first + call.send.count * call.send.type.size);
    copy->send.data = copy->owned_data.data();
    copy->returned_early = true;
    // The caller's reduce_op is a temporary that ends with the call: keep a copy (its name and
    // function; the reduction itself uses the operation of a rank still in the call).
    if (call.op) {
        copy->owned_op = *call.op;
        copy->op = &copy->owned_op;
    }
    if (call.kind == kind::bcast) copy->recv.data = copy->owned_data.data();  // the root's data
    // A scatter's root takes its own block now: nobody may write to its buffer later.
    if (call.kind == kind::scatter || call.kind == kind::scatterv) {
        std::size_t offset = 0, count = call.send.count / static_cast<std::size_t>(comm.size());
        if (call.kind == kind::scatterv) {
            for (int r = 0; r < rank; ++r) offset += call.counts_in[static_cast<std::size_t>(r)];
            count = call.counts_in[static_cast<std::size_t>(rank)];
            copy->owned_counts.assign(call.counts_in.begin(), call.counts_in.end());
            copy->counts_in = copy->owned_counts;
        } else {
            offset = count * static_cast<std::size_t>(rank);
        }
        auto& mine = call.recv;
        if (!mine.resizable() && count > mine.count) {
            call.error = std::make_exception_ptr(truncation_error(
                fmt::format("{}: {} at {}: the block has {} elements but the buffer holds {}", comm.member(rank),
                            to_string(call.kind), baton::detail::format_location(call.where), count, mine.count),
                {own_call(call, comm, rank)}));
        } else {
            void* to = mine.resizable() ? mine.resize(mine.container, count) : mine.data;
            if (count > 0) std::memcpy(to, first + offset * call.send.type.size, count * call.send.type.size);
        }
    }
    slot.detached.push_back(std::move(copy));
    return slot.detached.back().get();
}

}  // namespace baton::sim::detail
