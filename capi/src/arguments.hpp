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
#include <string>
#include <string_view>

#include <baton/backend.hpp>
#include <baton/detail/validate.hpp>
#include <baton/status.hpp>

#include <mpi.h>

#include "errors.hpp"
#include "rank_state.hpp"
#include "types.hpp"
#include "where.hpp"

namespace baton::capi {

// The common arguments, which every call checks inline (a few compares) and the direct path of
// the blocking point-to-point calls takes straight to the backend (point_to_point.cpp); anything
// else is checked, and reported, out of line.
// A rank of the communicator or MPI_PROC_NULL; MPI_ANY_SOURCE too where `wildcard`.
inline bool common_peer(int peer, int size, bool wildcard) {
    return (peer >= 0 && peer < size) || peer == proc_null || (wildcard && peer == any_source);
}
// A tag MPI defines; MPI_ANY_TAG too where `wildcard`.
inline bool common_tag(int tag, bool wildcard) { return (tag >= 0 && tag <= max_tag) || (wildcard && tag == any_tag); }
// A buffer of the program's (not MPI_IN_PLACE) of 0 or more elements of a predefined datatype:
// that datatype's element type, or null.
inline const type_desc* common_buffer(const void* buffer, int n, MPI_Datatype datatype) {
    const type_desc* basic = predefined_type(datatype);
    return basic && n >= 0 && buffer != MPI_IN_PLACE ? basic : nullptr;
}

// One call's context: its name, its line, its rank and communicator.
struct call {
    call(std::string_view name, const baton_mpi_where* site, MPI_Comm handle)
        : name(name), where(location_of(site)), rank(current(name, where)), comm(comm_of(rank, handle, name, where)),
          handle(handle) {}

    std::string_view name;
    std::source_location where;
    rank_state& rank;
    backend::comm_impl& comm;
    MPI_Comm handle;

    ~call() {
        if (!staged_.empty()) unpack_staged();
    }
    call(const call&) = delete;
    call& operator=(const call&) = delete;

    std::size_t count(int n) const {
        if (n < 0) fail(MPI_ERR_COUNT, comm, name, "a negative count (" + std::to_string(n) + ")", where);
        return static_cast<std::size_t>(n);
    }
    // This call, as what made an object (handle_table's origin).
    origin made_here() const { return {name, where}; }
    // A communicator this call made, kept under a new handle with its parent's error handler
    // (MPI-3.1 §8.3.1: a new communicator inherits it); MPI_COMM_NULL for none (split's MPI_UNDEFINED).
    MPI_Comm keep_comm(std::unique_ptr<backend::comm_impl> made) const;
    // A message's buffer as the backend takes it: the program's own for a predefined datatype, or
    // staged (datatypes.hpp) for a derived one. A collective's receive is unpacked whole when the
    // call returns; a point-to-point receive's, by received(), as far as its status says.
    // Each buffer is the program's (never MPI_IN_PLACE, which the calls that allow it turn into
    // their receive buffer first), and a call's send and receive buffers share no byte (MPI-3.1
    // §2.6.3 forbids aliased arguments: a reduction given one pointer twice wants MPI_IN_PLACE).
    backend::send_view send_view(const void* buffer, int n, MPI_Datatype datatype) const {
        if (const type_desc* basic = plain_buffer(buffer, n, datatype, sent_, received_)) [[likely]]
            return {buffer, static_cast<std::size_t>(n), *basic};
        checked_buffer(buffer, n, datatype, sent_, received_);
        return data_to_send(buffer, n, datatype);
    }
    // A reduction's input: MPI_IN_PLACE stands for the receive buffer's own data, read as the
    // send buffer (so not a second buffer overlapping it).
    backend::send_view reduction_input(const void* sendbuf, void* recvbuf, int n, MPI_Datatype datatype) const {
        return sendbuf == MPI_IN_PLACE ? data_to_send(recvbuf, n, datatype) : send_view(sendbuf, n, datatype);
    }
    backend::recv_buffer recv_buffer(void* buffer, int n, MPI_Datatype datatype) const {
        if (const type_desc* basic = plain_buffer(buffer, n, datatype, received_, sent_)) [[likely]]
            return {buffer, static_cast<std::size_t>(n), *basic};
        checked_buffer(buffer, n, datatype, received_, sent_);
        if (datatype >= first_derived_type) return staged_receive(buffer, count(n), datatype, true);
        return {buffer, count(n), predefined_or_fail(datatype)};
    }
    backend::recv_buffer p2p_recv_buffer(void* buffer, int n, MPI_Datatype datatype) const {
        if (const type_desc* basic = plain_buffer(buffer, n, datatype, received_, sent_)) [[likely]]
            return {buffer, static_cast<std::size_t>(n), *basic};
        checked_buffer(buffer, n, datatype, received_, sent_);
        if (datatype >= first_derived_type) return staged_receive(buffer, count(n), datatype, false);
        return {buffer, count(n), predefined_or_fail(datatype)};
    }
    // A point-to-point receive's status, once its staged message is unpacked.
    baton::status received(const baton::status& result) const {
        if (!staged_.empty()) unpack_received(result);
        return result;
    }
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
    // dest, source (any_source where `wildcard`) and root; MPI_PROC_NULL for point-to-point. The
    // common case is checked here, inline in every call; the rest (and each report) out of line,
    // so that a call's own checks stay a few compares (peer_checks.cpp).
    void check_peer(int peer, std::string_view role, bool wildcard) const {
        if (common_peer(peer, size(), wildcard)) [[likely]]
            return;
        checked_peer(peer, role, wildcard);
    }
    void check_root(int root) const;
    void check_tag(int tag, bool wildcard) const {
        if (common_tag(tag, wildcard)) [[likely]]
            return;
        checked_tag(tag, wildcard);
    }
    int size() const { return size_of(rank, handle, comm); }
    // `op` on elements of `datatype`: a predefined reduction or one of the rank's MPI_Op_create.
    reduce_op reduction(MPI_Op op, MPI_Datatype datatype) const;

private:
    [[gnu::noinline]] void checked_peer(int peer, std::string_view role, bool wildcard) const;
    [[gnu::noinline]] void checked_tag(int tag, bool wildcard) const;
    // The bytes a buffer of `n` elements of `datatype` spans (as far as its handle says: an
    // unknown one is reported by the checks after).
    struct byte_span {
        const void* data = nullptr;
        std::size_t bytes = 0;
    };
    // The common buffer, checked and resolved in one step: a predefined datatype's, a count of 0
    // or more, and no overlap with the call's other buffer. Its element type, with `mine` (sent_
    // or received_) recorded; null for any other, which checked_buffer and the conversions after it
    // check (and report) one by one.
    const type_desc* plain_buffer(const void* buffer, int n, MPI_Datatype datatype, byte_span& mine,
                                  const byte_span& other) const {
        const type_desc* basic = common_buffer(buffer, n, datatype);
        if (!basic) return nullptr;
        mine = {buffer, static_cast<std::size_t>(n) * basic->size};
        return detail::overlap(mine.data, mine.bytes, other.data, other.bytes) ? nullptr : basic;
    }
    // Checks one buffer that plain_buffer did not take (`mine`: sent_ or received_) against the
    // call's other one, and reports what is wrong with it (buffer_checks.cpp).
    void checked_buffer(const void* buffer, int n, MPI_Datatype datatype, byte_span& mine, const byte_span& other) const;
    // The predefined datatype's element type, or the call's error for a handle that is none.
    type_desc predefined_or_fail(MPI_Datatype datatype) const {
        if (const type_desc* basic = predefined_type(datatype)) [[likely]]
            return *basic;
        return type_of(comm, datatype, name, where);  // throws
    }
    backend::send_view data_to_send(const void* buffer, int n, MPI_Datatype datatype) const {
        if (datatype >= first_derived_type) return staged_send(buffer, count(n), datatype);
        return {buffer, count(n), predefined_or_fail(datatype)};
    }
    backend::send_view staged_send(const void* buffer, std::size_t n, MPI_Datatype datatype) const;
    backend::recv_buffer staged_receive(void* buffer, std::size_t n, MPI_Datatype datatype, bool whole) const;
    type_desc packed_type(const derived_type& type, std::size_t count, std::size_t& elements) const;

    // A new staged message, kept until the call ends (or take_staged).
    staged_message& stage() const;
    // What ~call and received() do when there are staged messages (datatypes.cpp).
    void unpack_staged();
    void unpack_received(const baton::status& result) const;

    mutable std::vector<std::unique_ptr<staged_message>> staged_;
    mutable byte_span sent_, received_;
    mutable int exceptions_ = 0;  // std::uncaught_exceptions() when the first message was staged
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
// from the result (the reduce-scatters, the non-blocking v-forms: the backends' in-place
// convention has no form for them).
inline backend::send_view copied(std::vector<std::byte>& scratch, const backend::send_view& input) {
    const auto* bytes = static_cast<const std::byte*>(input.data);
    scratch.assign(bytes, bytes + input.count * input.type.size);
    return {scratch.data(), input.count, input.type};
}

// A reduction's input of `count` elements: in place, a copy of the receive buffer's in `scratch`
// (the reduce-scatters, whose backends have no in-place form).
inline backend::send_view input_or_copy(const call& c, const void* sendbuf, void* recvbuf, std::size_t count,
                                        MPI_Datatype datatype, std::vector<std::byte>& scratch) {
    if (sendbuf != MPI_IN_PLACE) return c.send_view(sendbuf, static_cast<int>(count), datatype);
    return copied(scratch, c.reduction_input(MPI_IN_PLACE, recvbuf, static_cast<int>(count), datatype));
}

// `out`, a call's pointer for a result, or MPI_ERR_ARG naming `what` when it is NULL.
template <class T>
T* checked_output(const call& c, T* out, std::string_view what) {
    if (!out) fail(MPI_ERR_ARG, c.comm, c.name, "the pointer for " + std::string(what) + " is NULL", c.where);
    return out;
}

// The counts of every rank (a reduce-scatter's blocks), checked.
inline std::vector<std::size_t> counts_of(const call& c, const int counts[]) {
    if (!counts) fail(MPI_ERR_ARG, c.comm, c.name, "the receive counts are NULL", c.where);
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

// Every MPI function is written as its body, BATON_MPI_BODY(MPI_X)(const baton_mpi_where* site,
// params...) { ... }, followed by BATON_MPI_WITHOUT_SITE(MPI_X, (params), (args)), which makes its
// two entry points: baton_MPI_X_at(site, params...) (what a call MPI_X(...) becomes), the body
// with the errors MPI returns given to the communicator's error handler (errors.hpp), and
// baton_MPI_X(params...) (what &MPI_X names), the same without a call site.
#define BATON_MPI_BODY(name) static int name##_body
#define BATON_MPI_WITHOUT_SITE(name, params, args)                                                            \
    extern "C" int baton_##name##_at(const baton_mpi_where* site, BATON_MPI_UNPAREN params) {                \
        return ::baton::capi::returning_errors([&] { return name##_body(site, BATON_MPI_UNPAREN args); });    \
    }                                                                                                          \
    extern "C" int(baton_##name) params { return baton_##name##_at(nullptr, BATON_MPI_UNPAREN args); }
#define BATON_MPI_UNPAREN(...) __VA_ARGS__
