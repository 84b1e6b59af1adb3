// Collectives on MPI: each is the MPI collective of the same name on the callers' own buffers.
#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include <baton/errors.hpp>

#include "comm.hpp"
#include "datatypes.hpp"
#include "ops.hpp"
#include "current_call.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

namespace {

std::string amount(std::size_t count, const type_desc& type) {
    if (type.kind == element_kind::serialized) return fmt::format("{} serialized ({} bytes)", type.name, count);
    return fmt::format("{} x {}", count, type.name);
}

// Scratch room for a rank that must take part in a collective but has no (large enough) buffer
// of its own: exscan's rank 0, a fixed buffer that is too small.
void* scratch(std::size_t bytes) {
    thread_local std::vector<std::max_align_t> words;
    const std::size_t needed = (bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t) + 1;
    if (words.size() < needed) words.resize(needed);
    return words.data();
}

// Where rank r's block starts, for the v-collectives; the total must fit MPI's int.
std::vector<int> displacements(const std::vector<int>& counts, std::size_t& total) {
    std::vector<int> starts(counts.size());
    total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
        starts[r] = total <= static_cast<std::size_t>(INT_MAX) ? static_cast<int>(total) : INT_MAX;
        total += static_cast<std::size_t>(counts[r]);
    }
    return starts;
}

}  // namespace

template <class Call>
int mpi_comm::collective(Call&& call) {
    // MPI matches a blocking collective only with the blocking form on every rank, so even with
    // receives deferred this is the blocking call; they get one chance to start before it.
    if (!nothing_deferred()) [[unlikely]]
        progress();
    return call();
}

mpi_comm::room_for mpi_comm::resized_or_scratch(backend::recv_buffer& into, std::size_t count) {
    if (into.resizable()) {
        into.data = into.resize(into.container, count);
        into.count = count;
        return {into.data, true};
    }
    if (count <= into.count) return {into.data, true};
    return {scratch(count * into.type.size), false};
}

void mpi_comm::too_small(std::string_view operation, std::size_t count, const backend::recv_buffer& into,
                         backend::location where) const {
    throw truncation_error(describe_failure(*comm_, described(operation, ""), where,
                                            fmt::format("the result has {} elements but the buffer holds {}", count,
                                                        into.count)));
}

void mpi_comm::barrier(backend::location where) {
    const current_call in_call("barrier", where);
    const MPI_Comm comm = comm_->handle;
    check(collective([&] { return MPI_Barrier(comm); }),
          *comm_, where, [&] { return described("barrier", ""); });
}

void mpi_comm::bcast(backend::recv_buffer data, int root, backend::location where) {
    const current_call in_call("bcast", where);
    profile_bytes("bcast", where, data.count * data.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(data.type);
    std::size_t count = data.count;
    auto call = [&] { return described("bcast", fmt::format("root={}, {}", root, amount(count, data.type))); };
    if (data.resizable()) {
        // The receivers' containers take the root's size: share it first.
        std::uint64_t shared = count;
        check(collective([&] { return MPI_Bcast(&shared, 1, MPI_UINT64_T, root, comm); }),
              *comm_, where, call);
        count = static_cast<std::size_t>(shared);
        if (comm_->rank != root) room(data, count);
    }
    const int n = to_int(count, *comm_, "bcast", where);
    check(collective([&] { return MPI_Bcast(data.data, n, type, root, comm); }),
          *comm_, where, call);
}

void mpi_comm::scatter(backend::send_view all, backend::recv_buffer mine, int root, backend::location where) {
    const current_call in_call("scatter", where);
    profile_bytes("scatter", where, comm_->rank == root ? all.count * all.type.size : 0, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const bool is_root = comm_->rank == root;
    std::uint64_t block = is_root ? all.count / static_cast<std::size_t>(comm_->size) : mine.count;
    auto call = [&] { return described("scatter", fmt::format("root={}, {}", root, std::string(mine.type.name))); };
    if (mine.resizable()) {
        check(collective([&] { return MPI_Bcast(&block, 1, MPI_UINT64_T, root, comm); }),
              *comm_, where, call);
    }
    const int n = to_int(block, *comm_, "scatter", where);
    const room_for target = room(mine, block);
    void* to = target.data;
    const bool fits = target.fits;
    check(collective([&] { return MPI_Scatter(all.data, n, type, to, n, type, root, comm); }),
          *comm_, where, call);
    if (!fits) too_small("scatter", block, mine, where);
}

void mpi_comm::gather(backend::send_view mine, backend::recv_buffer all, int root, backend::location where) {
    const current_call in_call("gather", where);
    profile_bytes("gather", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "gather", where);
    const std::size_t total = mine.count * static_cast<std::size_t>(comm_->size);
    void* to = nullptr;
    bool fits = true;
    if (comm_->rank == root) {
        to_int(total, *comm_, "gather", where);
        const room_for target = room(all, total);
        to = target.data;
        fits = target.fits;
    }
    // In place at the root (backend.hpp): its block is in `all` already (MPI_IN_PLACE).
    const void* from = comm_->rank == root && backend::in_place_block(mine, all, root) ? MPI_IN_PLACE : mine.data;
    check(collective([&] { return MPI_Gather(from, n, type, to, n, type, root, comm); }),
          *comm_, where, [&] { return described("gather", fmt::format("root={}, {}", root, amount(mine.count, mine.type))); });
    if (!fits) too_small("gather", total, all, where);
}

void mpi_comm::allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) {
    const current_call in_call("allgather", where);
    profile_bytes("allgather", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "allgather", where);
    const std::size_t total = mine.count * static_cast<std::size_t>(comm_->size);
    to_int(total, *comm_, "allgather", where);
    const room_for target = room(all, total);
    void* to = target.data;
    const bool fits = target.fits;
    const void* from = backend::in_place_block(mine, all, comm_->rank) ? MPI_IN_PLACE : mine.data;
    check(collective([&] { return MPI_Allgather(from, n, type, to, n, type, comm); }),
          *comm_, where, [&] { return described("allgather", amount(mine.count, mine.type)); });
    if (!fits) too_small("allgather", total, all, where);
}

void mpi_comm::alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) {
    const current_call in_call("alltoall", where);
    profile_bytes("alltoall", where, all.count * all.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    const int block = to_int(all.count / static_cast<std::size_t>(comm_->size), *comm_, "alltoall", where);
    const room_for target = room(mine, all.count);
    void* to = target.data;
    const bool fits = target.fits;
    const void* from = backend::in_place(all, mine) ? MPI_IN_PLACE : all.data;
    check(collective([&] { return MPI_Alltoall(from, block, type, to, block, type, comm); }),
          *comm_, where, [&] { return described("alltoall", amount(all.count, all.type)); });
    if (!fits) too_small("alltoall", all.count, mine, where);
}

// ---- Neighbour collectives on a Cartesian communicator (issue 14) ---------------------------

void mpi_comm::neighbor_allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) {
    const current_call in_call("neighbor_allgather", where);
    profile_bytes("neighbor_allgather", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const int n = to_int(mine.count, *comm_, "neighbor_allgather", where);
    const std::size_t total = mine.count * 2 * grid_->dims.size();
    to_int(total, *comm_, "neighbor_allgather", where);
    const room_for target = room(all, total);  // a new vector: value-initialized where proc_null gives nothing
    void* to = target.data;
    check(collective([&] { return MPI_Neighbor_allgather(mine.data, n, type, to, n, type, comm); }), *comm_, where,
          [&] { return described("neighbor_allgather", amount(mine.count, mine.type)); });
    if (!target.fits) too_small("neighbor_allgather", total, all, where);
}

void mpi_comm::neighbor_alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) {
    const current_call in_call("neighbor_alltoall", where);
    profile_bytes("neighbor_alltoall", where, all.count * all.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    const std::size_t neighbors = 2 * grid_->dims.size();
    const int block = to_int(neighbors == 0 ? 0 : all.count / neighbors, *comm_, "neighbor_alltoall", where);
    const room_for target = room(mine, all.count);
    void* to = target.data;
    check(collective([&] { return MPI_Neighbor_alltoall(all.data, block, type, to, block, type, comm); }), *comm_,
          where, [&] { return described("neighbor_alltoall", amount(all.count, all.type)); });
    if (!target.fits) too_small("neighbor_alltoall", all.count, mine, where);
}

// ---- Reductions ----------------------------------------------------------------------------

template <class Call>
void mpi_comm::reduction(std::string_view op_name, const backend::send_view& mine, backend::recv_buffer& result,
                         std::size_t result_count, const reduce_op& op, result_at where_result, Call&& call,
                         backend::location where) {
    const int n = to_int(mine.count, *comm_, op_name, where);
    const bool in_place = backend::in_place(mine, result) && where_result != result_at::nowhere;
    room_for target;
    if (where_result == result_at::this_rank) target = room(result, result_count);
    else if (where_result == result_at::scratch) target.data = scratch(mine.count * mine.type.size);
    void* const to = target.data;
    // In place, MPI takes the input from the result's buffer: exscan's rank 0, whose buffer is
    // left as it was, gives it from scratch.
    const void* from = in_place ? MPI_IN_PLACE : mine.data;
    if (in_place && where_result == result_at::scratch) std::memcpy(to, mine.data, mine.count * mine.type.size);
    const mpi_reduction& native = native_reduction(op, mine.type);
    if (native.op != MPI_OP_NULL) [[likely]] {
        // MPI's own operation (op::sum on doubles is MPI_SUM on MPI_DOUBLE): just the MPI call.
        const int code = collective([&] { return call(from, to, n, native.type, native.op); });
        if (code != MPI_SUCCESS) [[unlikely]]
            reduction_failed(op_name, code, mine, op, where);
    } else {
        user_reduction_scope user(op, mine.type);
        const int code = collective([&] { return call(from, to, n, user.mpi().type, user.mpi().op); });
        user.rethrow();
        if (code != MPI_SUCCESS) [[unlikely]]
            reduction_failed(op_name, code, mine, op, where);
    }
    if (!target.fits) too_small(op_name, result_count, result, where);
}

void mpi_comm::reduction_failed(std::string_view op_name, int code, const backend::send_view& mine, const reduce_op& op,
                                const backend::location& where) const {
    raise(code, *comm_, described(op_name, fmt::format("op={}, {}", op.name, amount(mine.count, mine.type))), where);
}

void mpi_comm::reduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, int root,
                      backend::location where) {
    const current_call in_call("reduce", where);
    profile_bytes("reduce", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    reduction(
        "reduce", mine, result, mine.count, op, comm_->rank == root ? result_at::this_rank : result_at::nowhere,
        [&](const void* s, void* r, int n, MPI_Datatype t, MPI_Op o) { return MPI_Reduce(s, r, n, t, o, root, comm); },
        where);
}

void mpi_comm::allreduce(const backend::send_view& mine, const backend::recv_buffer& given, const reduce_op& op,
                             backend::location where) {
    // The short path: MPI's own operation into a fixed buffer that holds the result, one
    // MPI_Allreduce. A resizable result, a user operation, --profile or a deferred receive take
    // reduction() below, which the errors take too.
    const mpi_reduction& native = native_reduction(op, mine.type);
    if (native.op != MPI_OP_NULL && !given.resizable() && mine.count <= given.count &&
        mine.count <= static_cast<std::size_t>(INT_MAX) && short_path()) [[likely]] {
        short_args.comm = this;
        short_args.buffer = &mine;
        short_args.op = &op;
        const short_call in_call("allreduce", where);
        const void* from = backend::in_place(mine, given) ? MPI_IN_PLACE : mine.data;
        const int code =
            MPI_Allreduce(from, given.data, static_cast<int>(mine.count), native.type, native.op, handle_);
        if (code != MPI_SUCCESS) [[unlikely]]
            short_allreduce_failed(code);
        return;
    }
    allreduce_general(mine, given, op, where);
}

void mpi_comm::short_allreduce_failed(int code) {
    const backend::location where = note.where.load(std::memory_order_relaxed);
    short_args.comm->reduction_failed("allreduce", code, *static_cast<const backend::send_view*>(short_args.buffer),
                                      *short_args.op, where);
}

void mpi_comm::allreduce_general(const backend::send_view& mine, const backend::recv_buffer& given,
                                 const reduce_op& op, backend::location where) {
    backend::recv_buffer result = given;  // a copy here, not in allreduce's frame: reduction() may resize it
    const current_call in_call("allreduce", where);
    profile_bytes("allreduce", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    reduction(
        "allreduce", mine, result, mine.count, op, result_at::this_rank,
        [&](const void* s, void* r, int n, MPI_Datatype t, MPI_Op o) { return MPI_Allreduce(s, r, n, t, o, comm); },
        where);
}

void mpi_comm::scan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, backend::location where) {
    const current_call in_call("scan", where);
    profile_bytes("scan", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    reduction(
        "scan", mine, result, mine.count, op, result_at::this_rank,
        [&](const void* s, void* r, int n, MPI_Datatype t, MPI_Op o) { return MPI_Scan(s, r, n, t, o, comm); },
        where);
}

void mpi_comm::exscan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                      backend::location where) {
    const current_call in_call("exscan", where);
    profile_bytes("exscan", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    reduction(
        "exscan", mine, result, mine.count, op, comm_->rank != 0 ? result_at::this_rank : result_at::scratch,
        [&](const void* s, void* r, int n, MPI_Datatype t, MPI_Op o) { return MPI_Exscan(s, r, n, t, o, comm); },
        where);
}

void mpi_comm::reduce_scatter_block(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                                    backend::location where) {
    const current_call in_call("reduce_scatter_block", where);
    profile_bytes("reduce_scatter_block", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const std::size_t block = mine.count / static_cast<std::size_t>(comm_->size);
    reduction(
        "reduce_scatter_block", mine, result, block, op, result_at::this_rank,
        [&](const void* s, void* r, int, MPI_Datatype t, MPI_Op o) {
            return MPI_Reduce_scatter_block(s, r, static_cast<int>(block), t, o, comm);
        },
        where);
}

void mpi_comm::reduce_scatter(backend::send_view mine, std::span<const std::size_t> counts,
                              backend::recv_buffer result, const reduce_op& op, backend::location where) {
    const current_call in_call("reduce_scatter", where);
    profile_bytes("reduce_scatter", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    std::vector<int> sizes;
    sizes.reserve(counts.size());
    for (const std::size_t count : counts) sizes.push_back(to_int(count, *comm_, "reduce_scatter", where));
    reduction(
        "reduce_scatter", mine, result, counts[static_cast<std::size_t>(comm_->rank)], op, result_at::this_rank,
        [&](const void* s, void* r, int, MPI_Datatype t, MPI_Op o) {
            return MPI_Reduce_scatter(s, r, sizes.data(), t, o, comm);
        },
        where);
}

// ---- Variable-size collectives --------------------------------------------------------------

void mpi_comm::gatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                       int root, backend::location where) {
    const current_call in_call("gatherv", where);
    profile_bytes("gatherv", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const bool is_root = comm_->rank == root;
    auto call = [&] { return described("gatherv", fmt::format("root={}, {}", root, amount(mine.count, mine.type))); };
    int n = to_int(mine.count, *comm_, "gatherv", where);
    std::vector<int> sizes(is_root ? static_cast<std::size_t>(comm_->size) : 0);
    check(collective([&] { return MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, comm); }),
          *comm_, where, call);
    std::size_t total = 0;
    std::vector<int> starts;
    void* to = nullptr;
    bool fits = true;
    if (is_root) {
        starts = displacements(sizes, total);
        to_int(total, *comm_, "gatherv", where);
        const room_for target = room(all, total);
        to = target.data;
        fits = target.fits;
    }
    check(collective(
              [&] { return MPI_Gatherv(mine.data, n, type, to, sizes.data(), starts.data(), type, root, comm); }),
          *comm_, where, call);
    if (!fits) too_small("gatherv", total, all, where);
    if (is_root && counts) counts->assign(sizes.begin(), sizes.end());
}

void mpi_comm::allgatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                          backend::location where) {
    const current_call in_call("allgatherv", where);
    profile_bytes("allgatherv", where, mine.count * mine.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    auto call = [&] { return described("allgatherv", amount(mine.count, mine.type)); };
    int n = to_int(mine.count, *comm_, "allgatherv", where);
    std::vector<int> sizes(static_cast<std::size_t>(comm_->size));
    check(collective([&] { return MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, comm); }),
          *comm_, where, call);
    std::size_t total = 0;
    const std::vector<int> starts = displacements(sizes, total);
    to_int(total, *comm_, "allgatherv", where);
    const room_for target = room(all, total);
    void* to = target.data;
    const bool fits = target.fits;
    check(collective([&] { return MPI_Allgatherv(mine.data, n, type, to, sizes.data(), starts.data(), type, comm); }),
          *comm_, where, call);
    if (!fits) too_small("allgatherv", total, all, where);
    if (counts) counts->assign(sizes.begin(), sizes.end());
}

void mpi_comm::scatterv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                        int root, backend::location where) {
    const current_call in_call("scatterv", where);
    profile_bytes("scatterv", where, comm_->rank == root ? all.count * all.type.size : 0, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(mine.type);
    const bool is_root = comm_->rank == root;
    auto call = [&] { return described("scatterv", fmt::format("root={}, {}", root, std::string(mine.type.name))); };
    std::vector<int> sizes, starts;
    if (is_root) {
        sizes.reserve(counts.size());
        for (const std::size_t count : counts) sizes.push_back(to_int(count, *comm_, "scatterv", where));
        std::size_t total = 0;
        starts = displacements(sizes, total);
        to_int(total, *comm_, "scatterv", where);
    }
    int n = 0;
    check(collective([&] { return MPI_Scatter(sizes.data(), 1, MPI_INT, &n, 1, MPI_INT, root, comm); }),
          *comm_, where, call);
    const std::size_t block = static_cast<std::size_t>(n);
    const room_for target = room(mine, block);
    void* to = target.data;
    const bool fits = target.fits;
    check(collective([&] { return MPI_Scatterv(all.data, sizes.data(), starts.data(), type, to, n, type, root, comm); }),
          *comm_, where, call);
    if (!fits) too_small("scatterv", block, mine, where);
}

// Each rank's counts go to their receivers first (an MPI_Alltoall of one int each), so that every
// receive buffer is sized before the MPI_Alltoallv.
void mpi_comm::alltoallv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                         std::vector<std::size_t>* counts_out, backend::location where) {
    const current_call in_call("alltoallv", where);
    profile_bytes("alltoallv", where, all.count * all.type.size, 0);
    const MPI_Comm comm = comm_->handle;
    const MPI_Datatype type = transfer_type(all.type);
    auto call = [&] { return described("alltoallv", amount(all.count, all.type)); };
    std::vector<int> send_sizes;
    send_sizes.reserve(counts.size());
    for (const std::size_t count : counts) send_sizes.push_back(to_int(count, *comm_, "alltoallv", where));
    std::size_t sent = 0, total = 0;
    const std::vector<int> send_starts = displacements(send_sizes, sent);
    to_int(sent, *comm_, "alltoallv", where);
    std::vector<int> sizes(static_cast<std::size_t>(comm_->size));
    check(collective([&] { return MPI_Alltoall(send_sizes.data(), 1, MPI_INT, sizes.data(), 1, MPI_INT, comm); }),
          *comm_, where, call);
    const std::vector<int> starts = displacements(sizes, total);
    to_int(total, *comm_, "alltoallv", where);
    const room_for target = room(mine, total);
    void* to = target.data;
    const bool fits = target.fits;
    check(collective([&] {
              return MPI_Alltoallv(all.data, send_sizes.data(), send_starts.data(), type, to, sizes.data(),
                                   starts.data(), type, comm);
          }),
          *comm_, where, call);
    if (!fits) too_small("alltoallv", total, mine, where);
    if (counts_out) counts_out->assign(sizes.begin(), sizes.end());
}

}  // namespace baton::mpi::detail
