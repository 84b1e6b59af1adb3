// Adapters from typed C++ values to the backends' untyped send views and receive buffers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include <baton/backend.hpp>
#include <baton/datatype.hpp>
#include <baton/detail/serialize.hpp>

namespace baton::detail {

// A contiguous container that a receive can resize to fit the message (std::vector, std::string).
template <class T>
concept resizable_range = contiguous_sendable<T> && requires(T& t, std::size_t n) { t.resize(n); };

template <class T> struct is_span : std::false_type {};
template <class E, std::size_t N> struct is_span<std::span<E, N>> : std::true_type {};

// What a reduction of a T gives back: T itself, except that a span's result needs an owner.
template <class T>
using owning_t = std::conditional_t<is_span<T>::value, std::vector<element_t<T>>, T>;

template <class Container>
void* resize_container(void* container, std::size_t n) {
    auto& c = *static_cast<Container*>(container);
    c.resize(n);
    return std::ranges::data(c);
}

template <class Container>
backend::container_shape shape_of_container(const void* container) {
    const auto& c = *static_cast<const Container*>(container);
    if constexpr (requires { c.capacity(); })
        return {std::ranges::data(c), std::ranges::size(c), c.capacity()};
    else
        return {std::ranges::data(c), std::ranges::size(c), std::ranges::size(c)};
}

// The elements of a contiguous or trivially copyable value, in place (an array whole).
template <class T>
backend::send_view view_of(const T& value) {
    if constexpr (resizable_range<T>) {
        return {std::ranges::data(value), std::ranges::size(value), type_of<element_t<T>>(), nullptr, &value,
                &shape_of_container<T>};
    } else if constexpr (contiguous_sendable<T>) {
        return {std::ranges::data(value), std::ranges::size(value), type_of<element_t<T>>()};
    } else {
        return {&value, 1, type_of<T>()};
    }
}

// What a point-to-point send of `value` sends: view_of's, but an array of characters is text, the
// characters before its first NUL (all of them if it has none). A string literal holds its text
// and a terminating NUL, and C++ reads it as the text alone (std::string s = "hello" has 5
// characters): send("hello") must send what send(std::string("hello")) sends, which a
// recv<std::string> receives as "hello", not "hello\0". Binary data belongs in unsigned char,
// std::byte or std::array, which are sent whole. Collectives take arrays whole: every rank gives
// the same count (gathering char host[64] from each rank), as MPI wants.
template <class T>
backend::send_view message_view_of(const T& value) {
    if constexpr (std::is_array_v<T> && character<std::remove_extent_t<T>>) {
        using C = std::remove_cv_t<std::remove_extent_t<T>>;
        const std::basic_string_view<C> all(value, std::extent_v<T>);
        return {value, std::min(all.find(C{}), all.size()), type_of<C>()};
    } else {
        return view_of(value);
    }
}

// What a value sends: a view of its own memory, or of the bytes it serializes to.
struct payload {
    backend::send_view view;
    std::vector<std::byte> bytes;  // owns the serialized form (moving a vector keeps its data)
};

template <class T>
payload payload_of(const T& value) {
    payload p;
    if constexpr (serializable_sendable<T>) {
        serialize_into(p.bytes, value);
        p.view = {p.bytes.data(), p.bytes.size(), type_of<T>()};
    } else {
        p.view = view_of(value);
    }
    return p;
}

// Where a received T goes: into `out` itself for contiguous and trivially copyable values.
template <class T>
backend::recv_buffer recv_buffer_of(T& out) {
    if constexpr (resizable_range<T>) {
        return {std::ranges::data(out), std::ranges::size(out), type_of<element_t<T>>(),
                &resize_container<T>, &out, &shape_of_container<T>};
    } else if constexpr (contiguous_sendable<T>) {
        static_assert(!std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<T>>>,
                      "baton: cannot receive into a range of const elements");
        return {std::ranges::data(out), std::ranges::size(out), type_of<element_t<T>>()};
    } else {
        return {&out, 1, type_of<T>()};
    }
}

// `out` as a fixed buffer whatever its type: its present size is its capacity, and a std::vector
// or std::string is not resized (recv_init's buffer, read at every start; ibcast's, whose size
// every rank must know before the root's data comes).
template <class T>
backend::recv_buffer fixed_buffer_of(T& out) {
    backend::recv_buffer buffer = recv_buffer_of(out);
    buffer.resize = nullptr;
    buffer.container = nullptr;
    buffer.shape = nullptr;
    return buffer;
}

// A range a reduction can work in place (MPI_IN_PLACE) on: contiguous, of mutable elements, and
// not a temporary that would take the result with it (a std::span of the caller's memory is fine).
template <class R>
concept in_place_range = contiguous_sendable<std::remove_cvref_t<R>> &&
                         !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<R>>> &&
                         (std::is_lvalue_reference_v<R> || std::ranges::borrowed_range<R>);

// The same memory as the send view, so that the backend sees the call is in place (backend.hpp);
// fixed, whatever the range: its size is the input's.
template <class R>
backend::recv_buffer in_place_buffer(R& data) {
    return {std::ranges::data(data), std::ranges::size(data), type_of<element_t<R>>()};
}

// Block `index` of `data` cut into `blocks` equal ones, as a send view: what a rank gives in a
// gather or allgather in place.
template <class R>
backend::send_view block_of(R& data, int index, int blocks) {
    backend::send_view block = view_of(data);
    block.count /= static_cast<std::size_t>(blocks);
    block.data = static_cast<const std::byte*>(block.data) + static_cast<std::size_t>(index) * block.count * block.type.size;
    return block;
}

// A resizable vector of E as a receive buffer (the result of gathers).
template <class E>
backend::recv_buffer recv_buffer_of_vector(std::vector<E>& out) {
    return {out.data(), out.size(), type_of<E>(), &resize_container<std::vector<E>>, &out,
            &shape_of_container<std::vector<E>>};
}

// Bytes that will be deserialized into a T once they have arrived.
template <class T>
backend::recv_buffer serialized_buffer(std::vector<std::byte>& bytes) {
    return {bytes.data(), bytes.size(), type_of<T>(), &resize_container<std::vector<std::byte>>, &bytes,
            &shape_of_container<std::vector<std::byte>>};
}

// FNV-1a of a serializable value's serialized form: what the simulator compares to notice that an
// irecv's target object changed before the irecv completed.
template <class T>
std::uint64_t fingerprint_of(const void* target) {
    std::vector<std::byte> bytes;
    serialize_into(bytes, *static_cast<const T*>(target));
    std::uint64_t hash = 14695981039346656037ull;
    for (const std::byte b : bytes) hash = (hash ^ static_cast<unsigned char>(b)) * 1099511628211ull;
    return hash ^ bytes.size();
}

// A serialized irecv's buffer: its bytes, and the object they will be deserialized into.
template <class T>
backend::recv_buffer serialized_buffer_into(std::vector<std::byte>& bytes, const T& target) {
    backend::recv_buffer buffer = serialized_buffer<T>(bytes);
    buffer.target = &target;
    buffer.fingerprint = &fingerprint_of<T>;
    return buffer;
}

}  // namespace baton::detail
