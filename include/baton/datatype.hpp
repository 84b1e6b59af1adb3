// How C++ values map to message elements.
//
// Three kinds of value can be sent, and the kind is decided by the type alone, never at run time:
//  - a *contiguous range* of trivially copyable elements (std::vector, std::array, std::span,
//    std::string, ...): sent as its elements, straight from its memory, never serialized;
//  - a *trivially copyable* value (arithmetic types, plain structs): sent as one element, unless it
//    holds an address (a pointer, a reference, a std::span member: detail/addresses.hpp), which is
//    refused where it would be sent (type_of) with a message saying what to send instead;
//  - anything else (std::map, nested vectors, user classes) that cereal can serialize: sent as bytes.
//    This is the one customization point for custom types: give the type a cereal `serialize`
//    function (see README, "Custom datatypes").
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <string_view>
#include <type_traits>

#include <baton/detail/addresses.hpp>
#include <baton/detail/serialize.hpp>

namespace baton {

// The element types the backends know natively; `bytes` is any other trivially copyable type,
// `serialized` is a cereal byte stream.
enum class element_kind : std::uint8_t {
    bytes,
    serialized,
    boolean,
    character,  // char
    int8, uint8, int16, uint16, int32, uint32, int64, uint64,
    float32, float64, long_double,
    complex_float32, complex_float64,
};

// Identifies a message's element type, for matching checks and for native mapping (MPI).
struct type_desc {
    element_kind kind = element_kind::bytes;
    std::size_t size = 1;    // bytes per element
    std::string_view name;   // human-readable C++ type name, also compared for `bytes` types

    friend bool operator==(const type_desc& a, const type_desc& b) {
        return a.kind == b.kind && a.size == b.size && a.name == b.name;
    }
};

namespace detail {

// The compiler's spelling of T, taken from the signature of this function.
template <class T>
constexpr std::string_view type_name() {
    std::string_view sig = __PRETTY_FUNCTION__;
#if defined(__clang__)
    constexpr std::string_view open = "T = ", close = "]";
#else
    constexpr std::string_view open = "T = ", close = ";";
#endif
    const auto start = sig.find(open) + open.size();
    const auto stop = sig.find(close, start);
    return sig.substr(start, stop - start);
}

// type_name<T>() computed once, at compile time (called at run time it would search the
// signature on every message).
template <class T>
inline constexpr std::string_view type_name_v = type_name<T>();

template <class T>
constexpr element_kind native_kind() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, bool>) return element_kind::boolean;
    else if constexpr (std::is_same_v<U, char>) return element_kind::character;
    else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
        switch (sizeof(U)) {
            case 1: return element_kind::int8;
            case 2: return element_kind::int16;
            case 4: return element_kind::int32;
            default: return element_kind::int64;
        }
    } else if constexpr (std::is_integral_v<U>) {
        switch (sizeof(U)) {
            case 1: return element_kind::uint8;
            case 2: return element_kind::uint16;
            case 4: return element_kind::uint32;
            default: return element_kind::uint64;
        }
    } else if constexpr (std::is_same_v<U, float>) return element_kind::float32;
    else if constexpr (std::is_same_v<U, double>) return element_kind::float64;
    else if constexpr (std::is_same_v<U, long double>) return element_kind::long_double;
    else if constexpr (std::is_same_v<U, std::complex<float>>) return element_kind::complex_float32;
    else if constexpr (std::is_same_v<U, std::complex<double>>) return element_kind::complex_float64;
    else return element_kind::bytes;
}

}  // namespace detail

namespace detail {

// A class that holds an address but says how to serialize itself (saving what it points to): it
// travels serialized, as the refusal below suggests. Pointers themselves never do.
template <class T>
concept serialized_for_addresses =
    std::is_class_v<T> && holds_addresses<std::remove_cv_t<T>>::value &&
    cereal::traits::is_output_serializable<T, cereal::BinaryOutputArchive>::value &&
    cereal::traits::is_input_serializable<T, cereal::BinaryInputArchive>::value;

// A value whose bytes would carry an address to another rank. It satisfies the concepts below, so
// that the call compiles as far as type_of, whose static_assert says why it is refused and what to
// send instead (a constraint failure could only say that no overload matched).
template <class T>
concept address_in_bytes = std::is_trivially_copyable_v<T> && holds_addresses<std::remove_cv_t<T>>::value &&
                           !serialized_for_addresses<T>;

template <class T>
concept character = std::is_same_v<std::remove_cv_t<T>, char> || std::is_same_v<std::remove_cv_t<T>, wchar_t> ||
                    std::is_same_v<std::remove_cv_t<T>, char8_t> || std::is_same_v<std::remove_cv_t<T>, char16_t> ||
                    std::is_same_v<std::remove_cv_t<T>, char32_t>;

}  // namespace detail

// A trivially copyable value sent as one element (one that holds an address is accepted here and
// refused by type_of, with its reason).
template <class T>
concept trivially_sendable = std::is_trivially_copyable_v<T> && !std::is_array_v<T> &&
                             !detail::serialized_for_addresses<T>;

// A range sent as its elements without copying them one by one.
template <class R>
concept contiguous_sendable = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
                              trivially_sendable<std::ranges::range_value_t<R>>;

// Anything else that cereal can serialize is sent as bytes.
template <class T>
concept serializable_sendable =
    !contiguous_sendable<T> && !trivially_sendable<T> &&
    cereal::traits::is_output_serializable<T, cereal::BinaryOutputArchive>::value &&
    cereal::traits::is_input_serializable<T, cereal::BinaryInputArchive>::value;

template <class T>
concept sendable = contiguous_sendable<T> || trivially_sendable<T> || serializable_sendable<T>;

// The element type a value of T contributes to a message: the range's element for contiguous
// ranges, T itself otherwise. Gathers return std::vector<element_t<T>>.
template <class T>
struct element_of {
    using type = T;
};
template <contiguous_sendable R>
struct element_of<R> {
    using type = std::remove_cv_t<std::ranges::range_value_t<R>>;
};
template <class T>
using element_t = typename element_of<std::remove_cvref_t<T>>::type;

// The type_desc of one element of type E.
template <class E>
constexpr type_desc type_of() {
    static_assert(!(detail::address_in_bytes<E> && std::is_pointer_v<E> && detail::character<std::remove_pointer_t<E>>),
                  "baton: a character pointer is an address, not the text it points to, and means nothing in "
                  "another rank's memory: send std::string_view(s) or a std::string");
    static_assert(!detail::address_in_bytes<E> || (std::is_pointer_v<E> && detail::character<std::remove_pointer_t<E>>),
                  "baton: this type holds an address (a pointer, or a pointer, reference, std::span or "
                  "std::string_view member), which means nothing in another rank's memory (under mpiexec, another "
                  "process): send the pointee instead (the value, or a std::vector or std::span of what it points "
                  "to), or serialize the type: give it a cereal serialize function that saves what it points to "
                  "(see baton::holds_addresses)");
    if constexpr (trivially_sendable<E>)
        return {detail::native_kind<E>(), sizeof(E), detail::type_name_v<std::remove_cv_t<E>>};
    else
        return {element_kind::serialized, 1, detail::type_name_v<std::remove_cv_t<E>>};
}

}  // namespace baton
