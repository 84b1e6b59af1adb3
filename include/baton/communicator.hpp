// communicator: a group of ranks and a message space of their own. Every operation of MPI's
// divide -> compute -> combine programs is a method here; the semantics are MPI's.
//
// Values are passed as themselves (see datatype.hpp for what can be sent):
//     world.send(std::vector<double>{...}, 1, /*tag=*/7);
//     auto v = world.recv<std::vector<double>>(0, 7);
//     double total = world.allreduce(local, baton::op::sum);
//
// Every method takes the caller's source location as a defaulted last argument; the simulator
// names it in its reports. Leave it out.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <source_location>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <baton/at_most.hpp>
#include <baton/backend.hpp>
#include <baton/datatype.hpp>
#include <baton/detail/buffers.hpp>
#include <baton/detail/serialize.hpp>
#include <baton/detail/validate.hpp>
#include <baton/ops.hpp>
#include <baton/ragged.hpp>
#include <baton/request.hpp>
#include <baton/status.hpp>

namespace baton {

class cart_communicator;  // cartesian.hpp, included at the end

// The room each buffered send takes in the attached buffer beyond its bytes (MPI_BSEND_OVERHEAD
// of Open MPI; the MPI backend checks that its MPI needs no more): attach_buffer(n * (bytes +
// bsend_overhead)) holds n messages of `bytes` each.
inline constexpr std::size_t bsend_overhead = 128;

class communicator {
public:
    using location = std::source_location;

    // A null communicator (what split gives a rank whose color is baton::undefined).
    communicator() = default;
    explicit communicator(std::unique_ptr<backend::comm_impl> impl)
        : impl_(std::move(impl)), rank_(impl_ ? impl_->rank() : -1), size_(impl_ ? impl_->size() : 0) {}

    explicit operator bool() const { return impl_ != nullptr; }
    // A null communicator has neither rank nor size nor name: asking is a usage_error naming the
    // line, as for every other method.
    int rank(location where = location::current()) const {
        impl("rank", where);
        return rank_;
    }
    int size(location where = location::current()) const {
        impl("size", where);
        return size_;
    }
    const std::string& name(location where = location::current()) const { return impl("name", where).name(); }

    // ---- Point-to-point -----------------------------------------------------------------------

    // Sends `value` to `dest`. Returns once the value may be reused (on the simulator: at once,
    // unless sends are synchronous; then once the receive has matched).
    template <sendable T>
    void send(const T& value, int dest, int tag = 0, location where = location::current()) {
        blocking_send(value, dest, tag, mode::standard, where);
    }

    // Receives into `into`: a std::vector or std::string is resized to what arrives; a fixed
    // buffer (std::span, std::array, a scalar) must be large enough or a truncation_error is thrown.
    template <sendable T>
    status recv(T& into, int source, int tag, location where = location::current()) {
        check_source(source, tag, "recv", where);
        if constexpr (serializable_sendable<T>) {
            std::vector<std::byte> bytes;
            const status result = impl().recv(detail::serialized_buffer<T>(bytes), source, tag, where);
            if (result.source != proc_null) detail::deserialize_from(bytes, into);  // else nothing came
            return result;
        } else {
            return impl().recv(detail::recv_buffer_of(into), source, tag, where);
        }
    }

    // Receives and returns a T: `auto v = comm.recv<std::vector<int>>(0, 7);`
    template <sendable T>
    T recv(int source = any_source, int tag = any_tag, location where = location::current()) {
        T value{};
        recv(value, source, tag, where);
        return value;
    }

    // Receives a message of at most `bound.count` elements into a std::vector or std::string and
    // resizes it to what arrived (at_most.hpp): one receive with that count, where the form above
    // must first learn the message's length (on MPI a matched probe). The container is resized to
    // the bound first (elements beyond its size are value-initialized, so a bound near the
    // messages' size costs least), the receive is the one into a fixed buffer of that many
    // elements on every backend, with its errors (a longer message is a truncation_error; the
    // container's contents are then unspecified), and the container is then cut to the count.
    template <sendable T>
        requires detail::resizable_range<T>
    status recv(T& into, int source, int tag, at_most bound, location where = location::current()) {
        check_source(source, tag, "recv", where);
        into.resize(bound.count);
        std::span<element_t<T>> room(std::ranges::data(into), bound.count);
        const status result = impl().recv(detail::recv_buffer_of(room), source, tag, where);
        into.resize(result.bytes / sizeof(element_t<T>));  // a whole number: the receive checked it
        return result;
    }

    // Receives and returns a T of at most `bound.count` elements:
    // `auto v = comm.recv<std::vector<int>>(0, 7, baton::at_most(64));`
    template <sendable T>
        requires detail::resizable_range<T>
    T recv(int source, int tag, at_most bound, location where = location::current()) {
        T value{};
        recv(value, source, tag, bound, where);
        return value;
    }

    // Starts a send. An lvalue must stay alive and unchanged until the request completes; an
    // rvalue is moved into the request.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request isend(T&& value, int dest, int tag = 0, location where = location::current()) {
        return start_send(std::forward<T>(value), dest, tag, mode::standard, where);
    }

    // ---- Point-to-point: per-call send modes ----------------------------------------------------

    // A synchronous send (MPI_Ssend): returns once the receive has matched, whatever the run's
    // --sends; a program that relies on buffering deadlocks here on every backend.
    template <sendable T>
    void ssend(const T& value, int dest, int tag = 0, location where = location::current()) {
        blocking_send(value, dest, tag, mode::synchronous, where);
    }

    // A synchronous isend (MPI_Issend): its request completes only once the receive has matched.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request issend(T&& value, int dest, int tag = 0, location where = location::current()) {
        return start_send(std::forward<T>(value), dest, tag, mode::synchronous, where);
    }

    // A buffered send (MPI_Bsend): returns at once, whatever the run's --sends, the message held
    // in the rank's attached buffer (attach_buffer) until received; it takes the message's bytes
    // plus baton::bsend_overhead, and one that does not fit is a usage_error naming the sizes.
    template <sendable T>
    void bsend(const T& value, int dest, int tag = 0, location where = location::current()) {
        blocking_send(value, dest, tag, mode::buffered, where);
    }

    // A buffered isend (MPI_Ibsend): its request is complete at once; wait or test it all the same.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request ibsend(T&& value, int dest, int tag = 0, location where = location::current()) {
        return start_send(std::forward<T>(value), dest, tag, mode::buffered, where);
    }

    // Gives this rank a buffer of `bytes` for bsend and ibsend (MPI_Buffer_attach). One per rank,
    // whichever communicator it is attached through, as MPI's is per process; baton allocates
    // and owns it, so a size is all it takes. Attaching while one is attached is a usage_error.
    void attach_buffer(std::size_t bytes, location where = location::current()) {
        impl("attach_buffer", where).attach_buffer(bytes, where);
    }
    // Waits until every message in the attached buffer has been received, then detaches it and
    // returns its size (MPI_Buffer_detach). Without one attached, a usage_error.
    std::size_t detach_buffer(location where = location::current()) {
        return impl("detach_buffer", where).detach_buffer(where);
    }

    // A ready send (MPI_Rsend): allowed only when the matching receive is already posted (the
    // receiver's irecv, made known to this rank by some message or collective since). Else MPI
    // may lose the message or fail: the simulator reports it (ready-send-without-receive).
    template <sendable T>
    void rsend(const T& value, int dest, int tag = 0, location where = location::current()) {
        blocking_send(value, dest, tag, mode::ready, where);
    }

    // A ready isend (MPI_Irsend), with the same rule.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request irsend(T&& value, int dest, int tag = 0, location where = location::current()) {
        return start_send(std::forward<T>(value), dest, tag, mode::ready, where);
    }

    // Starts a receive into `into`, which must stay alive until the request completes.
    template <sendable T>
    request irecv(T& into, int source, int tag, location where = location::current()) {
        check_source(source, tag, "irecv", where);
        if constexpr (serializable_sendable<T>) {
            auto bytes = std::make_shared<std::vector<std::byte>>();
            auto impl_request = impl().irecv(detail::serialized_buffer_into<T>(*bytes, into), source, tag, where);
            auto deserialize = [bytes, &into] { detail::deserialize_from(*bytes, into); };
            // From proc_null nothing comes, and `into` keeps its value.
            if (source == proc_null) return request(std::move(impl_request), bytes, {});
            return request(std::move(impl_request), bytes, deserialize);
        } else {
            return request(impl().irecv(detail::recv_buffer_of(into), source, tag, where), nullptr, {});
        }
    }

    // ---- Persistent requests (MPI_Send_init, MPI_Ssend_init, MPI_Recv_init) ---------------------

    // Persistent requests must not outlive the communicator that made them.
    //
    // A persistent send of `value`, inactive until request::start(). `value` is taken by reference
    // and read at each start, so it must outlive the request and may change between activations
    // (not while one is pending); its memory and size are those at send_init, as MPI's buffer is
    // fixed at init: a std::vector resized or reallocated since is a usage_error at start. Plain
    // data only: a serialized value has no fixed buffer.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request send_init(T&& value, int dest, int tag = 0, location where = location::current()) {
        return persistent_send(std::forward<T>(value), dest, tag, false, "send_init", where);
    }
    // The same, each activation a synchronous send (MPI_Ssend_init).
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request ssend_init(T&& value, int dest, int tag = 0, location where = location::current()) {
        return persistent_send(std::forward<T>(value), dest, tag, true, "ssend_init", where);
    }
    // A persistent receive into `into` as it is now: each activation receives into its memory, a
    // fixed buffer, so a std::vector or std::string takes at most its present size in elements and
    // is not resized (a longer message is a truncation_error; status::count says how many came).
    template <sendable T>
    request recv_init(T& into, int source, int tag, location where = location::current()) {
        static_assert(!serializable_sendable<T>,
                      "baton: recv_init receives into a fixed buffer of plain data; a serialized value has "
                      "none (use irecv)");
        check_source(source, tag, "recv_init", where);
        auto state = make_persistent("recv_init", where);
        state->impl = impl().recv_init(detail::fixed_buffer_of(into), source, tag, where);
        check_at_start(*state, into, [](T& now) { return detail::fixed_buffer_of(now); });
        return request(std::move(state));
    }

    // Sends and receives at once, so that two ranks exchanging never wait on each other.
    template <sendable S, sendable R>
    status sendrecv(const S& out, int dest, int send_tag, R& in, int source, int recv_tag,
                    location where = location::current()) {
        // Checked here too, so that an error names the call the user made, not its parts.
        check_destination(dest, send_tag, "sendrecv", where);
        check_source(source, recv_tag, "sendrecv", where);
        // MPI_Sendrecv needs disjoint buffers: receiving into the data being sent overwrites it while
        // the send may still read it (a serialized value is sent from a copy).
        if constexpr (!serializable_sendable<S> && !serializable_sendable<R>)
            detail::check_disjoint(impl(), detail::view_of(out), detail::recv_buffer_of(in), "sendrecv", where);
        request sending = isend(out, dest, send_tag, where);
        const status received = recv(in, source, recv_tag, where);
        sending.wait(where);
        return received;
    }

    // Sends `value` to `dest` and receives into it from `source`, as MPI_Sendrecv_replace: the
    // shift of a ring or a halo in one buffer. What is sent is copied first (MPI keeps a copy
    // too), as the receive overwrites it while the send may still read it; a std::vector or
    // std::string takes the size of what arrives, a fixed buffer must hold it.
    template <sendable T>
    status sendrecv_replace(T& value, int dest, int send_tag, int source, int recv_tag,
                            location where = location::current()) {
        check_destination(dest, send_tag, "sendrecv_replace", where);
        check_source(source, recv_tag, "sendrecv_replace", where);
        request sending;
        if constexpr (serializable_sendable<T>) {
            sending = isend(value, dest, send_tag, where);  // serialized: from a copy already
        } else {
            const backend::send_view view = detail::view_of(value);
            const auto* first = static_cast<const std::byte*>(view.data);
            auto copy = std::make_shared<std::vector<std::byte>>(first, first + view.count * view.type.size);
            auto impl_request = impl().isend({copy->data(), view.count, view.type}, dest, send_tag, where);
            sending = request(std::move(impl_request), std::move(copy), {});
        }
        const status received = recv(value, source, recv_tag, where);
        sending.wait(where);
        return received;
    }

    // Waits for a matching message without receiving it.
    status probe(int source = any_source, int tag = any_tag, location where = location::current()) {
        check_source(source, tag, "probe", where);
        return impl().probe(source, tag, where);
    }

    // The status of a matching message if one has arrived.
    std::optional<status> iprobe(int source = any_source, int tag = any_tag,
                                 location where = location::current()) {
        check_source(source, tag, "iprobe", where);
        return impl().iprobe(source, tag, where);
    }

    // ---- Collectives ---------------------------------------------------------------------------

    void barrier(location where = location::current()) { impl("barrier", where).barrier(where); }

    // The root's `value` is copied into every rank's `value`. A std::vector or std::string is
    // resized to the root's size; a fixed buffer must have the root's size.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    void bcast(T&& value, int root, location where = location::current()) {
        using V = std::remove_cvref_t<T>;
        // Every rank but the root receives into `value`: a temporary (`x + 0`, a function's result)
        // would take the root's value and be thrown away at the semicolon. A view (std::span) of the
        // program's own memory is a receive buffer all the same, even as a temporary or const.
        static_assert(std::is_lvalue_reference_v<T> || std::ranges::borrowed_range<V>,
                      "baton: bcast receives into its argument on every rank but the root: pass a variable (an "
                      "lvalue) or a std::span of one, not a temporary, whose value the other ranks would lose");
        static_assert(!std::is_const_v<std::remove_reference_t<T>> || std::ranges::borrowed_range<V>,
                      "baton: bcast receives into its argument on every rank but the root: it cannot be const");
        check_root(root, "bcast", where);
        if constexpr (serializable_sendable<V>) {
            std::vector<std::byte> bytes;
            if (rank() == root) detail::serialize_into(bytes, value);
            impl().bcast(detail::serialized_buffer<V>(bytes), root, where);
            if (rank() != root) detail::deserialize_from(bytes, value);
        } else {
            impl().bcast(detail::recv_buffer_of(value), root, where);
        }
    }

    // The root's `all` is cut into size() equal blocks; rank r gets block r. `all` is read only
    // at the root. Blocks of elements that are not trivially copyable travel serialized, as
    // std::vector<E>, where E is the range's own element (not element_t<R>: for such a range,
    // which is not contiguous_sendable, that is the whole range).
    template <class R>
        requires contiguous_sendable<R> ||
                 (std::ranges::random_access_range<R> && std::ranges::sized_range<R> &&
                  serializable_sendable<std::vector<std::ranges::range_value_t<R>>>)
    std::vector<std::ranges::range_value_t<R>> scatter(const R& all, int root,
                                                       location where = location::current()) {
        using E = std::ranges::range_value_t<R>;
        check_root(root, "scatter", where);
        if (rank() == root) detail::check_divisible(impl(), std::ranges::size(all), "scatter", where);
        std::vector<E> mine;
        if constexpr (contiguous_sendable<R>) {
            impl().scatter(detail::view_of(all), detail::recv_buffer_of_vector(mine), root, where);
        } else {
            scatter_serialized(all, mine, root, where);
        }
        return mine;
    }

    // The root gets every rank's value, in rank order; other ranks get an empty vector.
    template <sendable T>
    std::vector<element_t<T>> gather(const T& mine, int root, location where = location::current()) {
        check_root(root, "gather", where);
        std::vector<element_t<T>> all;
        if constexpr (serializable_sendable<T>) {
            gather_serialized(mine, all, root, where);
        } else {
            impl().gather(detail::view_of(mine), detail::recv_buffer_of_vector(all), root, where);
        }
        return all;
    }

    // Every rank gets every rank's value, in rank order.
    template <sendable T>
    std::vector<element_t<T>> allgather(const T& mine, location where = location::current()) {
        std::vector<element_t<T>> all;
        if constexpr (serializable_sendable<T>) {
            impl("allgather", where);
            gather_serialized(mine, all, any_source, where);
        } else {
            impl("allgather", where).allgather(detail::view_of(mine), detail::recv_buffer_of_vector(all), where);
        }
        return all;
    }

    // `all` holds size() equal blocks; block r goes to rank r. Returns the blocks received,
    // in the senders' rank order.
    template <contiguous_sendable R>
    std::vector<element_t<R>> alltoall(const R& all, location where = location::current()) {
        detail::check_divisible(impl("alltoall", where), std::ranges::size(all), "alltoall", where);
        std::vector<element_t<R>> mine;
        impl().alltoall(detail::view_of(all), detail::recv_buffer_of_vector(mine), where);
        return mine;
    }

    // Combines every rank's value with `op`, element-wise. The root gets the result; other ranks
    // get a value-initialized result.
    template <sendable T, class Op>
    detail::owning_t<T> reduce(const T& mine, const Op& op, int root, location where = location::current()) {
        check_root(root, "reduce", where);
        detail::owning_t<T> result{};
        impl().reduce(detail::view_of(mine), detail::recv_buffer_of(result),
                      detail::reduce_op_for<element_t<T>>(op), root, where);
        return result;
    }

    template <sendable T, class Op>
    detail::owning_t<T> allreduce(const T& mine, const Op& op, location where = location::current()) {
        detail::owning_t<T> result{};
        impl("allreduce", where).allreduce(detail::view_of(mine), detail::recv_buffer_of(result),
                         detail::reduce_op_for<element_t<T>>(op), where);
        return result;
    }

    // Rank r gets the combination of ranks 0..r.
    template <sendable T, class Op>
    detail::owning_t<T> scan(const T& mine, const Op& op, location where = location::current()) {
        detail::owning_t<T> result{};
        impl("scan", where).scan(detail::view_of(mine), detail::recv_buffer_of(result),
                    detail::reduce_op_for<element_t<T>>(op), where);
        return result;
    }

    // Rank r gets the combination of ranks 0..r-1; rank 0 gets a value-initialized result.
    template <sendable T, class Op>
    detail::owning_t<T> exscan(const T& mine, const Op& op, location where = location::current()) {
        detail::owning_t<T> result{};
        impl("exscan", where).exscan(detail::view_of(mine), detail::recv_buffer_of(result),
                      detail::reduce_op_for<element_t<T>>(op), where);
        return result;
    }

    // ---- In place (MPI_IN_PLACE): `data` holds this rank's values and gets its result ---------
    // `data` is a std::span (or a vector, array, ... lvalue) of the caller's memory.

    template <class R, class Op>
        requires detail::in_place_range<R>
    void allreduce_in_place(R&& data, const Op& op, location where = location::current()) {
        impl("allreduce_in_place", where)
            .allreduce(detail::view_of(data), detail::in_place_buffer(data),
                       detail::reduce_op_for<element_t<R>>(op), where);
    }

    // Only the root's `data` gets the result; the other ranks' only give.
    template <class R, class Op>
        requires detail::in_place_range<R>
    void reduce_in_place(R&& data, const Op& op, int root, location where = location::current()) {
        check_root(root, "reduce_in_place", where);
        const backend::recv_buffer nothing{nullptr, 0, type_of<element_t<R>>()};
        impl().reduce(detail::view_of(data), rank() == root ? detail::in_place_buffer(data) : nothing,
                      detail::reduce_op_for<element_t<R>>(op), root, where);
    }

    template <class R, class Op>
        requires detail::in_place_range<R>
    void scan_in_place(R&& data, const Op& op, location where = location::current()) {
        impl("scan_in_place", where)
            .scan(detail::view_of(data), detail::in_place_buffer(data), detail::reduce_op_for<element_t<R>>(op), where);
    }

    // Rank 0's `data` is left as it was.
    template <class R, class Op>
        requires detail::in_place_range<R>
    void exscan_in_place(R&& data, const Op& op, location where = location::current()) {
        impl("exscan_in_place", where)
            .exscan(detail::view_of(data), detail::in_place_buffer(data), detail::reduce_op_for<element_t<R>>(op),
                    where);
    }

    // In place without a reduction (MPI_IN_PLACE in MPI_Gather, MPI_Allgather, MPI_Alltoall).

    // At the root, `data` holds size() equal blocks, its own already at block `root`, and gets
    // every other rank's block; at the other ranks `data` is the rank's block, which it gives.
    template <class R>
        requires detail::in_place_range<R>
    void gather_in_place(R&& data, int root, location where = location::current()) {
        const auto [give, into] = gather_in_place_buffers(data, root, "gather_in_place", where);
        impl().gather(give, into, root, where);
    }

    // `data` holds size() equal blocks, this rank's already at block rank(); every rank gets every
    // rank's block at its place.
    template <class R>
        requires detail::in_place_range<R>
    void allgather_in_place(R&& data, location where = location::current()) {
        detail::check_divisible(impl("allgather_in_place", where), std::ranges::size(data), "allgather_in_place",
                                where);
        impl().allgather(detail::block_of(data, rank(), size()), detail::in_place_buffer(data), where);
    }

    // `data` holds size() equal blocks, block r for rank r; then block r is what rank r sent here.
    template <class R>
        requires detail::in_place_range<R>
    void alltoall_in_place(R&& data, location where = location::current()) {
        detail::check_divisible(impl("alltoall_in_place", where), std::ranges::size(data), "alltoall_in_place",
                                where);
        impl().alltoall(detail::view_of(data), detail::in_place_buffer(data), where);
    }

    // ---- Reduce-scatter ------------------------------------------------------------------------

    // Every rank's `mine` (size() equal blocks) combined element-wise with `op`; rank r gets
    // block r of the result.
    template <contiguous_sendable R, class Op>
    std::vector<element_t<R>> reduce_scatter_block(const R& mine, const Op& op, location where = location::current()) {
        detail::check_divisible(impl("reduce_scatter_block", where), std::ranges::size(mine), "reduce_scatter_block",
                                where);
        std::vector<element_t<R>> result;
        impl().reduce_scatter_block(detail::view_of(mine), detail::recv_buffer_of_vector(result),
                                    detail::reduce_op_for<element_t<R>>(op), where);
        return result;
    }

    // The same with blocks of `counts[r]` elements for rank r; every rank names the same counts.
    template <contiguous_sendable R, class Op>
    std::vector<element_t<R>> reduce_scatter(const R& mine, std::span<const std::size_t> counts, const Op& op,
                                             location where = location::current()) {
        detail::check_counts(impl("reduce_scatter", where), counts, std::ranges::size(mine), "reduce_scatter", where);
        std::vector<element_t<R>> result;
        impl().reduce_scatter(detail::view_of(mine), counts, detail::recv_buffer_of_vector(result),
                              detail::reduce_op_for<element_t<R>>(op), where);
        return result;
    }

    // Like gather, but each rank may contribute a different number of elements.
    template <class T>
        requires contiguous_sendable<T> || trivially_sendable<T>
    ragged<element_t<T>> gatherv(const T& mine, int root, location where = location::current()) {
        check_root(root, "gatherv", where);
        std::vector<element_t<T>> all;
        std::vector<std::size_t> counts;
        impl().gatherv(detail::view_of(mine), detail::recv_buffer_of_vector(all), &counts, root, where);
        return ragged<element_t<T>>(std::move(all), counts);
    }

    template <class T>
        requires contiguous_sendable<T> || trivially_sendable<T>
    ragged<element_t<T>> allgatherv(const T& mine, location where = location::current()) {
        std::vector<element_t<T>> all;
        std::vector<std::size_t> counts;
        impl("allgatherv", where).allgatherv(detail::view_of(mine), detail::recv_buffer_of_vector(all), &counts, where);
        return ragged<element_t<T>>(std::move(all), counts);
    }

    // Rank r gets block r of the root's `parts`, which must have one block per rank.
    template <trivially_sendable E>
    std::vector<E> scatterv(const ragged<E>& parts, int root, location where = location::current()) {
        check_root(root, "scatterv", where);
        std::vector<std::size_t> counts;
        if (rank() == root) {
            counts = parts.counts();
            detail::check_counts(impl(), counts, parts.data().size(), "scatterv", where);
        }
        std::vector<E> mine;
        impl().scatterv(detail::view_of(parts.data()), counts, detail::recv_buffer_of_vector(mine), root, where);
        return mine;
    }

    // Block r of `all` goes to rank r (blocks of any sizes, one per rank); returns the block every
    // rank sent this one, in the senders' rank order.
    template <trivially_sendable E>
    ragged<E> alltoallv(const ragged<E>& all, location where = location::current()) {
        const std::vector<std::size_t> sizes = all.counts();
        detail::check_counts(impl("alltoallv", where), sizes, all.data().size(), "alltoallv", where);
        std::vector<E> mine;
        std::vector<std::size_t> counts;
        impl().alltoallv(detail::view_of(all.data()), sizes, detail::recv_buffer_of_vector(mine), &counts, where);
        return ragged<E>(std::move(mine), counts);
    }

    // ---- New communicators ---------------------------------------------------------------------

    // Ranks with the same color form a new communicator, ordered by key (then by rank here).
    // A rank whose color is baton::undefined gets a null communicator.
    communicator split(int color, int key, location where = location::current());
    communicator dup(location where = location::current()) { return communicator(impl("dup", where).dup(where)); }

    // A communicator with the ranks laid out on a grid of `dims` (cartesian.hpp), `periods` saying
    // which dimensions wrap around (MPI_Cart_create; collective). The first product(dims) ranks
    // take part, in rank order; the others get a null communicator. `reorder` lets MPI renumber
    // the ranks; the simulator does not (MPI allows either).
    cart_communicator cart_create(const std::vector<int>& dims, const std::vector<bool>& periods,
                                  bool reorder = false, location where = location::current());

    // ---- Non-blocking collectives (MPI_Ibarrier, MPI_Ibcast, MPI_Ireduce, MPI_Iallreduce) -------
    // Each is its blocking collective without the wait: matched with the other ranks' calls by the
    // order each rank calls its collectives (a non-blocking one matches only the same non-blocking
    // one), completed by wait, test, wait_any, ... as any request. A reduction's result lands in
    // `result`, a variable of the type the blocking call returns, once the request completes (a
    // temporary is refused at compile time); ireduce writes it at the root only. Until then the
    // buffers must stay alive and untouched; a `mine` given as a temporary is kept by the request,
    // and so is the reduction. Elements must be trivially copyable: these do not serialize. A
    // reduction is any the blocking form takes, a callable of the program's own too: on MPI it is
    // called from whichever later call makes progress (wait, test, another baton call), and what it
    // throws is thrown by the call that completes the request.

    request ibarrier(location where = location::current()) {
        return request(impl("ibarrier", where).ibarrier(where), nullptr, {});
    }

    // The root's `value` is copied into every rank's `value` (a variable, not const), which has the
    // root's size already: a std::vector is not resized; another size is a collective mismatch.
    template <class T>
        requires sendable<std::remove_cvref_t<T>>
    request ibcast(T&& value, int root, location where = location::current()) {
        static_assert(std::is_lvalue_reference_v<T>,
                      "baton: ibcast receives into its argument on every rank but the root until the request "
                      "completes: pass a variable, not a temporary");
        static_assert(!std::is_const_v<std::remove_reference_t<T>>,
                      "baton: ibcast receives into its argument on every rank but the root: it cannot be const");
        static_assert(!serializable_sendable<std::remove_cvref_t<T>>,
                      "baton: ibcast moves trivially copyable elements only (use bcast)");
        check_root(root, "ibcast", where);
        // A fixed buffer, even a std::vector: a rank cannot learn the root's size without waiting,
        // so every rank's `value` must have the root's size already (as in MPI_Ibcast).
        return request(impl().ibcast(detail::fixed_buffer_of(value), root, where), nullptr, {});
    }

    template <class T, class R, class Op>
    request ireduce(T&& mine, R&& result, const Op& op, int root, location where = location::current()) {
        check_root(root, "ireduce", where);
        return start_reduction<detail::owning_t<std::remove_cvref_t<T>>>(
            "ireduce", where, std::forward<T>(mine), std::forward<R>(result), op,
            [&](const backend::send_view& view, const backend::recv_buffer& into, const reduce_op& reduction) {
                return impl().ireduce(view, into, reduction, root, where);
            });
    }

    template <class T, class R, class Op>
    request iallreduce(T&& mine, R&& result, const Op& op, location where = location::current()) {
        return start_reduction<detail::owning_t<std::remove_cvref_t<T>>>(
            "iallreduce", where, std::forward<T>(mine), std::forward<R>(result), op,
            [&](const backend::send_view& view, const backend::recv_buffer& into, const reduce_op& reduction) {
                return impl("iallreduce", where).iallreduce(view, into, reduction, where);
            });
    }

    // ---- Non-blocking scans and reduce-scatter (MPI_Iscan, MPI_Iexscan, MPI_Ireduce_scatter_block,
    // MPI_Ireduce_scatter) ------------------------------------------------------------------------
    // As the reductions above: `result` is a variable of the type the blocking call returns,
    // written when the request completes.

    // Rank r's `result` gets the combination of ranks 0..r.
    template <class T, class R, class Op>
    request iscan(T&& mine, R&& result, const Op& op, location where = location::current()) {
        return start_reduction<detail::owning_t<std::remove_cvref_t<T>>>(
            "iscan", where, std::forward<T>(mine), std::forward<R>(result), op,
            [&](const backend::send_view& view, const backend::recv_buffer& into, const reduce_op& reduction) {
                return impl("iscan", where).iscan(view, into, reduction, where);
            });
    }

    // Rank r's `result` gets the combination of ranks 0..r-1; rank 0's is left as it was (MPI
    // leaves it undefined).
    template <class T, class R, class Op>
    request iexscan(T&& mine, R&& result, const Op& op, location where = location::current()) {
        return start_reduction<detail::owning_t<std::remove_cvref_t<T>>>(
            "iexscan", where, std::forward<T>(mine), std::forward<R>(result), op,
            [&](const backend::send_view& view, const backend::recv_buffer& into, const reduce_op& reduction) {
                return impl("iexscan", where).iexscan(view, into, reduction, where);
            });
    }

    // Every rank's `mine` (size() equal blocks) combined element-wise; rank r's `result` (a
    // std::vector) gets block r.
    template <class M, class R, class Op>
        requires contiguous_sendable<std::remove_cvref_t<M>>
    request ireduce_scatter_block(M&& mine, R&& result, const Op& op, location where = location::current()) {
        detail::check_divisible(impl("ireduce_scatter_block", where), std::ranges::size(mine),
                                "ireduce_scatter_block", where);
        return start_reduction<std::vector<element_t<std::remove_cvref_t<M>>>>(
            "ireduce_scatter_block", where, std::forward<M>(mine), std::forward<R>(result), op,
            [&](const backend::send_view& view, const backend::recv_buffer& into, const reduce_op& reduction) {
                return impl().ireduce_scatter_block(view, into, reduction, where);
            });
    }

    // The same with blocks of `counts[r]` elements for rank r; every rank names the same counts
    // (the backend keeps a copy of them).
    template <class M, class R, class Op>
        requires contiguous_sendable<std::remove_cvref_t<M>>
    request ireduce_scatter(M&& mine, std::span<const std::size_t> counts, R&& result, const Op& op,
                            location where = location::current()) {
        detail::check_counts(impl("ireduce_scatter", where), counts, std::ranges::size(mine), "ireduce_scatter",
                             where);
        return start_reduction<std::vector<element_t<std::remove_cvref_t<M>>>>(
            "ireduce_scatter", where, std::forward<M>(mine), std::forward<R>(result), op,
            [&](const backend::send_view& view, const backend::recv_buffer& into, const reduce_op& reduction) {
                return impl().ireduce_scatter(view, counts, into, reduction, where);
            });
    }

    // ---- Non-blocking in place (MPI_IN_PLACE in MPI_Iallreduce ... MPI_Ialltoall) --------------
    // The blocking in-place forms above without the wait: `data` (a std::span, or a vector, array,
    // ... lvalue: the caller's memory) holds this rank's values and gets its result when the
    // request completes; until then it must stay alive and untouched (it is both what the
    // collective reads and where it writes). The request keeps the reduction.

    template <class R, class Op>
        requires detail::in_place_range<R>
    request iallreduce_in_place(R&& data, const Op& op, location where = location::current()) {
        return start_in_place_reduction(data, op, [&](const backend::send_view& view, const backend::recv_buffer& into,
                                                      const reduce_op& reduction) {
            return impl("iallreduce_in_place", where).iallreduce(view, into, reduction, where);
        });
    }

    // Only the root's `data` gets the result; the other ranks' only give.
    template <class R, class Op>
        requires detail::in_place_range<R>
    request ireduce_in_place(R&& data, const Op& op, int root, location where = location::current()) {
        check_root(root, "ireduce_in_place", where);
        return start_in_place_reduction(data, op, [&](const backend::send_view& view, const backend::recv_buffer& into,
                                                      const reduce_op& reduction) {
            const backend::recv_buffer nothing{nullptr, 0, into.type};
            return impl().ireduce(view, rank() == root ? into : nothing, reduction, root, where);
        });
    }

    template <class R, class Op>
        requires detail::in_place_range<R>
    request iscan_in_place(R&& data, const Op& op, location where = location::current()) {
        return start_in_place_reduction(data, op, [&](const backend::send_view& view, const backend::recv_buffer& into,
                                                      const reduce_op& reduction) {
            return impl("iscan_in_place", where).iscan(view, into, reduction, where);
        });
    }

    // Rank 0's `data` is left as it was.
    template <class R, class Op>
        requires detail::in_place_range<R>
    request iexscan_in_place(R&& data, const Op& op, location where = location::current()) {
        return start_in_place_reduction(data, op, [&](const backend::send_view& view, const backend::recv_buffer& into,
                                                      const reduce_op& reduction) {
            return impl("iexscan_in_place", where).iexscan(view, into, reduction, where);
        });
    }

    // As gather_in_place: the root's `data` holds size() equal blocks, its own at block `root`;
    // the other ranks' is the block they give.
    template <class R>
        requires detail::in_place_range<R>
    request igather_in_place(R&& data, int root, location where = location::current()) {
        const auto [give, into] = gather_in_place_buffers(data, root, "igather_in_place", where);
        return request(impl().igather(give, into, root, where), nullptr, {});
    }

    // As allgather_in_place: `data` holds size() equal blocks, this rank's at block rank().
    template <class R>
        requires detail::in_place_range<R>
    request iallgather_in_place(R&& data, location where = location::current()) {
        detail::check_divisible(impl("iallgather_in_place", where), std::ranges::size(data), "iallgather_in_place",
                                where);
        return request(impl().iallgather(detail::block_of(data, rank(), size()), detail::in_place_buffer(data), where),
                       nullptr, {});
    }

    // As alltoall_in_place: block r of `data` goes to rank r, and becomes what rank r sent here.
    template <class R>
        requires detail::in_place_range<R>
    request ialltoall_in_place(R&& data, location where = location::current()) {
        detail::check_divisible(impl("ialltoall_in_place", where), std::ranges::size(data), "ialltoall_in_place",
                                where);
        return request(impl().ialltoall(detail::view_of(data), detail::in_place_buffer(data), where), nullptr, {});
    }

    // ---- Non-blocking gathers, scatters and all-to-alls (MPI_Igather ... MPI_Ialltoallv) -------
    // The blocking forms without the wait: matched, completed and checked as the ones above. The
    // result lands in a variable the caller names (a temporary or a const one does not compile)
    // once the request completes. Where MPI wants a receiver's counts before anything arrives, the
    // receiver has them already: iscatter's and iscatterv's `mine` has its block's size (a
    // std::vector is not resized), and igatherv's root, iallgatherv and ialltoallv receive into a
    // ragged shaped beforehand, one block per rank of the size that rank sends
    // (`baton::ragged<E>(counts)`); another size is a collective mismatch on the simulator.
    // Elements are trivially copyable; an input given as a temporary is kept by the request.

    // The root's `all`, a std::vector, gets every rank's `mine` in rank order; the others' is left
    // as it is.
    template <class T, class R>
    request igather(T&& mine, R&& all, int root, location where = location::current()) {
        check_root(root, "igather", where);
        auto held = hold_gathering<R>(std::forward<T>(mine));
        static_assert(std::is_same_v<std::remove_cvref_t<R>, std::vector<element_t<std::remove_cvref_t<T>>>>,
                      "baton: igather's result is a std::vector of the elements given, as gather returns");
        auto started = impl().igather(detail::view_of(*held->input), detail::recv_buffer_of(all), root, where);
        return request(std::move(started), std::move(held), {});
    }

    template <class T, class R>
    request iallgather(T&& mine, R&& all, location where = location::current()) {
        auto held = hold_gathering<R>(std::forward<T>(mine));
        static_assert(std::is_same_v<std::remove_cvref_t<R>, std::vector<element_t<std::remove_cvref_t<T>>>>,
                      "baton: iallgather's result is a std::vector of the elements given, as allgather returns");
        auto started = impl("iallgather", where).iallgather(detail::view_of(*held->input), detail::recv_buffer_of(all),
                                                            where);
        return request(std::move(started), std::move(held), {});
    }

    // Block r of the root's `all` (size() equal blocks) into rank r's `mine`: a variable (a
    // std::vector, array, span or single element) that already has the block's size.
    template <class A, class M>
    request iscatter(A&& all, M&& mine, int root, location where = location::current()) {
        check_root(root, "iscatter", where);
        if (rank() == root) detail::check_divisible(impl(), std::ranges::size(all), "iscatter", where);
        auto held = hold_gathering<M>(std::forward<A>(all));
        static_assert(std::is_same_v<element_t<std::remove_cvref_t<M>>, element_t<std::remove_cvref_t<A>>>,
                      "baton: iscatter's `mine` holds elements of the type `all` has");
        auto started = impl().iscatter(detail::view_of(*held->input), detail::fixed_buffer_of(mine), root, where);
        return request(std::move(started), std::move(held), {});
    }

    // `all` holds size() equal blocks, block r for rank r; `mine`, a std::vector, gets the block
    // every rank sent this one, in rank order.
    template <class A, class R>
    request ialltoall(A&& all, R&& mine, location where = location::current()) {
        detail::check_divisible(impl("ialltoall", where), std::ranges::size(all), "ialltoall", where);
        auto held = hold_gathering<R>(std::forward<A>(all));
        static_assert(std::is_same_v<std::remove_cvref_t<R>, std::vector<element_t<std::remove_cvref_t<A>>>>,
                      "baton: ialltoall's result is a std::vector of the elements given, as alltoall returns");
        auto started = impl().ialltoall(detail::view_of(*held->input), detail::recv_buffer_of(mine), where);
        return request(std::move(started), std::move(held), {});
    }

    // The root's `all`, a ragged shaped with one block per rank of that rank's count, gets every
    // rank's `mine`; the others' is left as it is.
    template <class T, class R>
    request igatherv(T&& mine, R&& all, int root, location where = location::current()) {
        check_root(root, "igatherv", where);
        auto held = hold_gathering<R>(std::forward<T>(mine));
        static_assert(std::is_same_v<std::remove_cvref_t<R>, ragged<element_t<std::remove_cvref_t<T>>>>,
                      "baton: igatherv's result is a baton::ragged of the elements given, as gatherv returns");
        const backend::recv_buffer into = rank() == root ? shaped_result(all, *held, "igatherv", where)
                                                         : backend::recv_buffer{nullptr, 0, held->input_type};
        auto started = impl().igatherv(detail::view_of(*held->input), into, held->expected, root, where);
        return request(std::move(started), std::move(held), {});
    }

    template <class T, class R>
    request iallgatherv(T&& mine, R&& all, location where = location::current()) {
        impl("iallgatherv", where);
        auto held = hold_gathering<R>(std::forward<T>(mine));
        static_assert(std::is_same_v<std::remove_cvref_t<R>, ragged<element_t<std::remove_cvref_t<T>>>>,
                      "baton: iallgatherv's result is a baton::ragged of the elements given, as allgatherv returns");
        const backend::recv_buffer into = shaped_result(all, *held, "iallgatherv", where);
        auto started = impl().iallgatherv(detail::view_of(*held->input), into, held->expected, where);
        return request(std::move(started), std::move(held), {});
    }

    // Block r of the root's `parts` into rank r's `mine`, which already has that block's size.
    template <class P, class M>
    request iscatterv(P&& parts, M&& mine, int root, location where = location::current()) {
        check_root(root, "iscatterv", where);
        auto held = hold_gathering<M>(std::forward<P>(parts));
        static_assert(std::is_same_v<std::remove_cvref_t<P>, ragged<element_t<std::remove_cvref_t<M>>>>,
                      "baton: iscatterv scatters a baton::ragged of the elements `mine` holds, as scatterv does");
        if (rank() == root) held->counts = given_blocks(held->input->counts(), held->input->data(), "iscatterv", where);
        auto started = impl().iscatterv(detail::view_of(held->input->data()), held->counts,
                                        detail::fixed_buffer_of(mine), root, where);
        return request(std::move(started), std::move(held), {});
    }

    // Block r of `all` goes to rank r; `mine`, a ragged shaped with one block per rank of the size
    // that rank sends this one, gets them.
    template <class P, class R>
    request ialltoallv(P&& all, R&& mine, location where = location::current()) {
        impl("ialltoallv", where);
        auto held = hold_gathering<R>(std::forward<P>(all));
        static_assert(std::is_same_v<std::remove_cvref_t<P>, std::remove_cvref_t<R>>,
                      "baton: ialltoallv sends a baton::ragged and receives into one of the same elements");
        held->counts = given_blocks(held->input->counts(), held->input->data(), "ialltoallv", where);
        const backend::recv_buffer into = shaped_result(mine, *held, "ialltoallv", where);
        auto started = impl().ialltoallv(detail::view_of(held->input->data()), held->counts, into, held->expected,
                                         where);
        return request(std::move(started), std::move(held), {});
    }

    // ---- Ending the run ---------------------------------------------------------------------------

    // Ends the whole run (or MPI job) at once, every rank, with exit status `code` (0..255), and
    // says on stderr which rank called it and where (MPI_Abort). Whatever the communicator, as
    // Open MPI does: the simulator has no part of a run that could go on without the others. In
    // sim::run it throws baton::aborted (errors.hpp).
    [[noreturn]] void abort(int code, location where = location::current());

    // The backend's object, for backend-specific extensions.
    backend::comm_impl& impl(location where = location::current()) const { return impl("impl", where); }

private:
    friend class cart_communicator;  // names its calls in the errors of a null communicator

    // The non-blocking reductions (ireduce, iallreduce, iscan, ...): what the request keeps alive
    // until it is done, the reduction's function object and a temporary `mine`, then the
    // backend's call, `start(view, result buffer, reduce_op)`. `Result` is the type the blocking
    // call returns, which `result` must be.
    template <class Result, class T, class R, class Op, class Start>
    request start_reduction(std::string_view operation, const location& where, T&& mine, R&& result, const Op& op,
                            Start&& start) {
        using V = std::remove_cvref_t<T>;
        static_assert(std::is_lvalue_reference_v<R> && !std::is_const_v<std::remove_reference_t<R>>,
                      "baton: non-blocking reductions (ireduce, iallreduce, iscan, ...) write their result when the "
                      "request completes: pass a variable (not a temporary, not const) to receive it");
        static_assert(sendable<V> && !serializable_sendable<V>,
                      "baton: non-blocking reductions (ireduce, iallreduce, iscan, ...) combine trivially copyable "
                      "elements only");
        static_assert(std::is_same_v<std::remove_cvref_t<R>, Result>,
                      "baton: the result of a non-blocking reduction is a variable of the type its blocking form "
                      "returns (a std::vector for a span, and for ireduce_scatter(_block))");
        constexpr bool owned = !std::is_lvalue_reference_v<T>;
        struct kept {
            std::conditional_t<owned, V, const V*> mine;
            Op op;
        };
        std::shared_ptr<kept> keep;
        if constexpr (owned) keep = std::make_shared<kept>(kept{std::move(mine), op});
        else keep = std::make_shared<kept>(kept{&mine, op});
        const V& given = [&]() -> const V& {
            if constexpr (owned) return keep->mine;
            else return *keep->mine;
        }();
        const backend::send_view view = detail::view_of(given);
        const backend::recv_buffer into = detail::recv_buffer_of(result);
        // Refused on every rank, not only where the result is written: the same code runs on all.
        if (backend::in_place(view, into))
            detail::throw_aliased_reduction(impl().world_rank(), operation, where);
        const auto reduction = detail::make_reduce_op<element_t<V>>(keep->op);
        auto started = start(view, into, reduction);
        return request(std::move(started), std::move(keep), {});
    }

    // What gather_in_place and igather_in_place give and get: at the root its own block of `data`,
    // into `data` whole; elsewhere `data`, into nothing.
    template <class R>
    std::pair<backend::send_view, backend::recv_buffer> gather_in_place_buffers(R& data, int root,
                                                                                std::string_view operation,
                                                                                const location& where) {
        check_root(root, operation, where);
        if (rank() != root) return {detail::view_of(data), backend::recv_buffer{nullptr, 0, type_of<element_t<R>>()}};
        detail::check_divisible(impl(), std::ranges::size(data), operation, where);
        return {detail::block_of(data, root, size()), detail::in_place_buffer(data)};
    }

    // iallreduce_in_place ... iexscan_in_place: `data` is both the send view and the receive
    // buffer (the backends' in-place convention), then the backend's call, `start(view, buffer,
    // reduce_op)`; the request keeps a copy of the reduction's function object.
    template <class R, class Op, class Start>
    request start_in_place_reduction(R& data, const Op& op, Start&& start) {
        using E = element_t<std::remove_cvref_t<R>>;
        auto kept = std::make_shared<Op>(op);
        auto started = start(detail::view_of(data), detail::in_place_buffer(data), detail::make_reduce_op<E>(*kept));
        return request(std::move(started), std::move(kept), {});
    }

    // What a non-blocking gather, scatter or all-to-all keeps alive until it completes: its input
    // (a temporary moved in; a variable is read where it is) and the counts its backend call names.
    template <class V>
    struct gathering {
        std::optional<V> owned;
        const V* input = nullptr;
        type_desc input_type;
        std::vector<std::size_t> counts, expected;
    };

    // The input of igather ... ialltoallv held, once `R`, where the result goes, is known to be a
    // variable: the result is written at completion.
    template <class R, class T>
    static std::shared_ptr<gathering<std::remove_cvref_t<T>>> hold_gathering(T&& input) {
        using V = std::remove_cvref_t<T>;
        static_assert(std::is_lvalue_reference_v<R> && !std::is_const_v<std::remove_reference_t<R>>,
                      "baton: a non-blocking gather, scatter or all-to-all writes its result when the request "
                      "completes: pass a variable (not a temporary, not const) to receive it");
        constexpr bool is_ragged = requires(const V& v) { v.counts(); v.data(); v.blocks(); };
        if constexpr (is_ragged) {
            static_assert(trivially_sendable<typename V::value_type>,
                          "baton: the non-blocking v-collectives move trivially copyable elements only (use the "
                          "blocking form)");
        } else {
            static_assert(sendable<V> && !serializable_sendable<V>,
                          "baton: non-blocking gathers, scatters and all-to-alls move trivially copyable elements "
                          "only (use the blocking form)");
        }
        auto held = std::make_shared<gathering<V>>();
        if constexpr (std::is_lvalue_reference_v<T>) {
            held->input = &input;
        } else {
            held->owned.emplace(std::move(input));
            held->input = &*held->owned;
        }
        if constexpr (is_ragged) held->input_type = type_of<typename V::value_type>();
        else held->input_type = type_of<element_t<V>>();
        return held;
    }

    // The blocks a rank gives (iscatterv's root, ialltoallv): one per rank, adding up to its data.
    template <class E>
    std::vector<std::size_t> given_blocks(std::vector<std::size_t> counts, const std::vector<E>& data,
                                          std::string_view operation, const location& where) const {
        detail::check_counts(impl(), counts, data.size(), operation, where);
        return counts;
    }

    // A ragged result shaped beforehand (one block per rank), as a fixed buffer; its block sizes
    // are what this rank expects from each.
    template <class E, class V>
    backend::recv_buffer shaped_result(ragged<E>& result, gathering<V>& held, std::string_view operation,
                                       const location& where) const {
        held.expected = result.counts();
        detail::check_result_shape(impl(), held.expected, result.data().size(), operation, where);
        std::span<E> elements = result.elements();
        return detail::fixed_buffer_of(elements);
    }

    // MPI's send modes: a send's own (standard), ssend, bsend, rsend.
    enum class mode { standard, synchronous, buffered, ready };

    // send, ssend, bsend and rsend: from the value's memory, or from its serialized bytes.
    template <class T>
    void blocking_send(const T& value, int dest, int tag, mode m, const location& where) {
        static constexpr const char* names[] = {"send", "ssend", "bsend", "rsend"};
        check_destination(dest, tag, names[static_cast<int>(m)], where);
        auto post = [&](const backend::send_view& view) {
            switch (m) {
                case mode::standard: return impl().send(view, dest, tag, where);
                case mode::synchronous: return impl().ssend(view, dest, tag, where);
                case mode::buffered: return impl().bsend(view, dest, tag, where);
                case mode::ready: return impl().rsend(view, dest, tag, where);
            }
        };
        if constexpr (serializable_sendable<T>) {
            post(detail::payload_of(value).view);
        } else {
            post(detail::message_view_of(value));
        }
    }

    // isend, issend, ibsend and irsend: an lvalue is sent from its memory, an rvalue or a
    // serialized value from a copy the request owns.
    template <class T>
    request start_send(T&& value, int dest, int tag, mode m, const location& where) {
        using V = std::remove_cvref_t<T>;
        static constexpr const char* names[] = {"isend", "issend", "ibsend", "irsend"};
        check_destination(dest, tag, names[static_cast<int>(m)], where);
        auto post = [&](const backend::send_view& view) -> std::unique_ptr<backend::request_impl> {
            switch (m) {
                case mode::standard: return impl().isend(view, dest, tag, where);
                case mode::synchronous: return impl().issend(view, dest, tag, where);
                case mode::buffered: return impl().ibsend(view, dest, tag, where);
                case mode::ready: return impl().irsend(view, dest, tag, where);
            }
            return nullptr;
        };
        if constexpr (serializable_sendable<V>) {
            auto owned = std::make_shared<detail::payload>(detail::payload_of(value));
            auto impl_request = post(owned->view);
            return request(std::move(impl_request), std::move(owned), {});
        } else if constexpr (std::is_lvalue_reference_v<T>) {
            return request(post(detail::message_view_of(value)), nullptr, {});
        } else {
            auto owned = std::make_shared<V>(std::move(value));
            auto impl_request = post(detail::message_view_of(*owned));
            return request(std::move(impl_request), std::move(owned), {});
        }
    }

    std::unique_ptr<detail::persistent_state> make_persistent(const char* operation, const location& where) {
        auto state = std::make_unique<detail::persistent_state>();
        state->operation = operation;
        state->world_rank = impl(operation, where).world_rank();
        state->made_at = where;
        return state;
    }

    // send_init and ssend_init: a view of the value's memory at init, checked at each start.
    template <class R>
    request persistent_send(R&& value, int dest, int tag, bool synchronous, const char* operation,
                            const location& where) {
        using T = std::remove_cvref_t<R>;
        // Read at each start, so it must outlive the request: a temporary would be gone by then.
        static_assert(std::is_lvalue_reference_v<R>,
                      "baton: a persistent send reads its value at each start: pass a variable (an lvalue) that "
                      "outlives the request, not a temporary");
        static_assert(!serializable_sendable<T>,
                      "baton: a persistent send reads a fixed buffer of plain data at each start; a serialized "
                      "value has none (use isend)");
        check_destination(dest, tag, operation, where);
        auto state = make_persistent(operation, where);
        state->impl = impl().send_init(detail::message_view_of(value), dest, tag, synchronous, where);
        check_at_start(*state, value, [](const T& now) { return detail::message_view_of(now); });
        return request(std::move(state));
    }

    // A persistent request's check at each start that `value`'s memory (`buffer_of(value)`: a
    // send view or a receive buffer) is still where and as long as at init: MPI's buffer is fixed
    // then, and a std::vector resized or reallocated since has moved.
    template <class V, class BufferOf>
    static void check_at_start(detail::persistent_state& state, V& value, BufferOf buffer_of) {
        const auto at_init = buffer_of(value);
        state.check = [&value, buffer_of, data = at_init.data, count = at_init.count, &state](const location& at) {
            const auto now = buffer_of(value);
            if (now.data != data || now.count != count) detail::throw_persistent_buffer_changed(state, at);
        };
    }

    // The backend's object; on a null communicator, a usage_error naming the operation and line.
    backend::comm_impl& impl(std::string_view operation, const location& where) const {
        if (!impl_) [[unlikely]]
            detail::throw_null_communicator(operation, where);
        return *impl_;
    }

    // The checks run on every message: valid arguments pass inline, at the cost of a comparison or
    // two (on MPI a message takes a few hundred nanoseconds); the others get their report.
    void check_destination(int dest, int tag, std::string_view operation, const location& where) const {
        if (dest >= 0 && tag >= 0 && tag <= max_tag && dest < size_) [[likely]]
            return;
        if (dest != proc_null) detail::check_rank(impl(operation, where), dest, operation, "dest", false, where);
        detail::check_tag(impl(operation, where), tag, operation, false, where);
    }
    void check_source(int source, int tag, std::string_view operation, const location& where) const {
        if (source >= any_source && tag >= any_tag && tag <= max_tag && source < size_) [[likely]]
            return;
        if (source != proc_null)
            detail::check_rank(impl(operation, where), source, operation, "source", true, where);
        detail::check_tag(impl(operation, where), tag, operation, true, where);
    }
    void check_root(int root, std::string_view operation, const location& where) const {
        detail::check_rank(impl(operation, where), root, operation, "root", false, where);
    }

    // Serialized values travel as per-rank byte blocks through the variable-size collectives.
    template <class T>
    void gather_serialized(const T& mine, std::vector<T>& all, int root, const location& where) {
        std::vector<std::byte> bytes;
        detail::serialize_into(bytes, mine);
        const backend::send_view view{bytes.data(), bytes.size(), type_of<T>()};
        std::vector<std::byte> gathered;
        std::vector<std::size_t> counts;
        if (root == any_source)
            impl().allgatherv(view, detail::serialized_buffer<T>(gathered), &counts, where);
        else
            impl().gatherv(view, detail::serialized_buffer<T>(gathered), &counts, root, where);
        std::size_t offset = 0;
        for (const std::size_t count : counts) {
            detail::deserialize_from(std::span<const std::byte>(gathered).subspan(offset, count),
                                     all.emplace_back());
            offset += count;
        }
    }

    template <class R, class E>
    void scatter_serialized(const R& all, std::vector<E>& mine, int root, const location& where) {
        std::vector<std::byte> bytes;
        std::vector<std::size_t> counts;
        if (rank() == root) {
            const std::size_t block = std::ranges::size(all) / static_cast<std::size_t>(size());
            for (int r = 0; r < size(); ++r) {
                const auto first = std::ranges::begin(all) + static_cast<std::ptrdiff_t>(block * r);
                const std::vector<E> part(first, first + static_cast<std::ptrdiff_t>(block));
                const std::size_t before = bytes.size();
                detail::serialize_into(bytes, part);
                counts.push_back(bytes.size() - before);
            }
        }
        std::vector<std::byte> received;
        impl().scatterv({bytes.data(), bytes.size(), type_of<E>()}, counts,
                        detail::serialized_buffer<E>(received), root, where);
        detail::deserialize_from(received, mine);
    }

    std::unique_ptr<backend::comm_impl> impl_;
    // A communicator's rank and size never change: kept here, they cost no virtual call, and the
    // checks every message goes through stay inline.
    int rank_ = -1;
    int size_ = 0;
};

}  // namespace baton

// cart_create returns one: a program that includes this header has it whole.
#include <baton/cartesian.hpp>
