// What every MPI call checks and converts: its communicator, counts, ranks and tags, buffers and
// statuses, with the errors a baton program would get for the same mistake.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>
#include <source_location>
#include <string_view>

#include <baton/backend.hpp>
#include <baton/detail/validate.hpp>
#include <baton/status.hpp>

#include <mpi.h>

#include "rank_state.hpp"
#include "types.hpp"
#include "where.hpp"

namespace baton::capi {

// One call's context: its name, its line, its rank and communicator.
struct call {
    call(std::string_view name, const baton_mpi_where* site, MPI_Comm handle)
        : name(name), where(location_of(site)), rank(current(name, where)), comm(comm_of(rank, handle, name, where)) {}

    std::string_view name;
    std::source_location where;
    rank_state& rank;
    backend::comm_impl& comm;

    ~call();
    call(const call&) = delete;
    call& operator=(const call&) = delete;

    std::size_t count(int n) const {
        if (n < 0) detail::throw_usage(comm, name, "a negative count (" + std::to_string(n) + ")", where);
        return static_cast<std::size_t>(n);
    }
    // A message's buffer as the backend takes it: the program's own for a predefined datatype, or
    // staged (datatypes.hpp) for a derived one. A collective's receive is unpacked whole when the
    // call returns; a point-to-point receive's, by received(), as far as its status says.
    backend::send_view send_view(const void* buffer, int n, MPI_Datatype datatype) const {
        if (datatype >= first_derived_type) return staged_send(buffer, count(n), datatype);
        return {buffer, count(n), type_of(comm, datatype, name, where)};
    }
    backend::recv_buffer recv_buffer(void* buffer, int n, MPI_Datatype datatype) const {
        if (datatype >= first_derived_type) return staged_receive(buffer, count(n), datatype, true);
        return {buffer, count(n), type_of(comm, datatype, name, where)};
    }
    backend::recv_buffer p2p_recv_buffer(void* buffer, int n, MPI_Datatype datatype) const {
        if (datatype >= first_derived_type) return staged_receive(buffer, count(n), datatype, false);
        return {buffer, count(n), type_of(comm, datatype, name, where)};
    }
    // A point-to-point receive's status, once its staged message is unpacked.
    baton::status received(const baton::status& result) const;
    // The staged messages, for the request that goes on using them after the call.
    std::vector<std::unique_ptr<staged_message>> take_staged() const;
    // The map of a committed datatype the program made, or a usage_error.
    std::shared_ptr<const derived_type> committed_type(MPI_Datatype datatype) const;
    // How elements of a datatype travel (datatypes.hpp): its type map, the backend's element type,
    // and how many of those one element of the datatype makes (1 for a predefined type).
    struct wire_form {
        std::shared_ptr<const derived_type> map;
        type_desc element;
        std::size_t per = 1;
    };
    wire_form wire(MPI_Datatype datatype) const;
    // dest, source (any_source where `wildcard`) and root; MPI_PROC_NULL for point-to-point.
    void check_peer(int peer, std::string_view role, bool wildcard) const {
        if (peer != proc_null) detail::check_rank(comm, peer, name, role, wildcard, where);
    }
    void check_root(int root) const { detail::check_rank(comm, root, name, "root", false, where); }
    void check_tag(int tag, bool wildcard) const { detail::check_tag(comm, tag, name, wildcard, where); }
    // `op` on elements of `datatype`: a predefined reduction or one of the rank's MPI_Op_create.
    reduce_op reduction(MPI_Op op, MPI_Datatype datatype) const;

private:
    backend::send_view staged_send(const void* buffer, std::size_t n, MPI_Datatype datatype) const;
    backend::recv_buffer staged_receive(void* buffer, std::size_t n, MPI_Datatype datatype, bool whole) const;
    type_desc packed_type(const derived_type& type, std::size_t count, std::size_t& elements) const;

    mutable std::vector<std::unique_ptr<staged_message>> staged_;
    int exceptions_ = std::uncaught_exceptions();
};

// Block r of a receive buffer holding one block per rank, as a send view: what an in-place root or
// allgather sends from (the backends' in-place convention, backend.hpp).
inline backend::send_view block_of(const call& c, const backend::recv_buffer& all, int r) {
    const std::size_t n = all.count / static_cast<std::size_t>(c.comm.size());
    return {static_cast<const std::byte*>(all.data) + static_cast<std::size_t>(r) * n * all.type.size, n, all.type};
}

// Room in `scratch` for one block of `all` (one block per rank): where an in-place scatter's root
// receives the block it keeps where it is.
inline backend::recv_buffer room_for_block(const call& c, const backend::send_view& all, std::vector<std::byte>& scratch) {
    const std::size_t n = all.count / static_cast<std::size_t>(c.comm.size());
    scratch.assign(n * all.type.size, std::byte{});
    return {scratch.data(), n, all.type};
}

// A copy of `input` in `scratch`, sent from instead: an in-place input the backend takes only apart
// from the result (the non-blocking collectives, whose backends have no in-place form yet: issue
// 14; the reduce-scatters).
inline backend::send_view copied(std::vector<std::byte>& scratch, const backend::send_view& input) {
    const auto* bytes = static_cast<const std::byte*>(input.data);
    scratch.assign(bytes, bytes + input.count * input.type.size);
    return {scratch.data(), input.count, input.type};
}

// A reduction's input of `count` elements: in place, a copy of the receive buffer's in `scratch`
// (the non-blocking reductions and the reduce-scatters, whose backends have no in-place form).
inline backend::send_view input_or_copy(const call& c, const void* sendbuf, void* recvbuf, std::size_t count,
                                        MPI_Datatype datatype, std::vector<std::byte>& scratch) {
    if (sendbuf != MPI_IN_PLACE) return c.send_view(sendbuf, static_cast<int>(count), datatype);
    return copied(scratch, c.send_view(recvbuf, static_cast<int>(count), datatype));
}

// The counts of every rank (a reduce-scatter's blocks), checked.
inline std::vector<std::size_t> counts_of(const call& c, const int counts[]) {
    if (!counts) detail::throw_usage(c.comm, c.name, "the receive counts are NULL", c.where);
    std::vector<std::size_t> made;
    for (int r = 0; r < c.comm.size(); ++r) made.push_back(c.count(counts[r]));
    return made;
}

inline std::size_t sum_of(const std::vector<std::size_t>& counts) {
    std::size_t sum = 0;
    for (const std::size_t n : counts) sum += n;
    return sum;
}

// Copies `text` into an MPI output string of `room` bytes (its NUL included), and its length.
inline void put_text(std::string_view text, char* into, int* length, std::size_t room) {
    const std::size_t n = std::min(text.size(), room - 1);
    std::memcpy(into, text.data(), n);
    into[n] = '\0';
    if (length) *length = static_cast<int>(n);
}

// A status as MPI_Status; MPI_STATUS_IGNORE takes nothing.
inline void put_status(MPI_Status* into, const status& s) {
    if (!into) return;
    into->MPI_SOURCE = s.source;
    into->MPI_TAG = s.tag;
    into->MPI_ERROR = MPI_SUCCESS;
    into->baton_cancelled = s.cancelled;
    into->baton_bytes = s.bytes;
}

}  // namespace baton::capi

// The form of each function without a call site (what &MPI_X names): the same call, with none.
#define BATON_MPI_WITHOUT_SITE(name, params, args) \
    extern "C" int(baton_##name) params { return baton_##name##_at(nullptr, BATON_MPI_UNPAREN args); }
#define BATON_MPI_UNPAREN(...) __VA_ARGS__
