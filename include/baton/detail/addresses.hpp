// Whether a trivially copyable type holds an address: a pointer, a reference, or a member that is
// one, at any depth. Such a value copied as plain bytes arrives holding an address of the sender's
// memory, which means nothing to the receiver: on the simulator's threads it even "works" (the
// ranks share one address space), and under mpiexec it reads garbage or crashes. datatype.hpp
// refuses these types where they would be sent as bytes.
//
// An aggregate's members are found without naming them: the aggregate is initialized, in an
// unevaluated requires-expression, from a row of "fields" that convert to anything; the longest row
// that compiles has one field per member (brace elision spreads sub-aggregates and arrays over their
// own members, so these are looked into too). Then the same row is made of fields that convert to
// anything *but* an address: if that does not compile, a member is one. Classes with private
// members or constructors cannot be looked into; the known standard ones are listed below, and a
// program specializes baton::holds_addresses for its own:
//     template <> struct baton::holds_addresses<my_handle> : std::true_type {};
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

namespace baton {

template <class T>
struct holds_addresses;

namespace detail {

template <class U>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};

// An aggregate class member is looked into (brace elision) rather than converted to, so that its
// own members are checked; an empty one has nothing to look into. A std::array is converted to and
// judged by its element type (below): looked into, it would take one field per element, and the
// compiler's time grows with them (a C array member does take them: some 1.5 s of compilation for
// a thousand elements, once per type and translation unit).
template <class U>
concept looked_into = std::is_aggregate_v<U> && (std::is_class_v<U> || std::is_union_v<U>) && !std::is_empty_v<U> &&
                      !is_std_array<U>::value;

// Initializes any member but an aggregate: counts the members. The two conversions cover lvalue and
// rvalue reference members. Declared only, for unevaluated use.
struct any_field {
    template <class U> requires(!looked_into<U>) operator U&() const;
    template <class U> requires(!looked_into<U>) operator U&&() const;
};

template <class U>
concept address_free_field = !looked_into<U> && !holds_addresses<std::remove_cv_t<U>>::value;

// Initializes any member that holds no address, by value: a `T&` member cannot bind the value.
struct value_field {
    template <class U> requires address_free_field<U> operator U() const;
};
// The same as an lvalue: a `T&&` member cannot bind it, and a `const T&` member binds directly
// (with U deduced const), which the deleted conversion refuses. A plain `const T` member deduces U
// without the const and is accepted.
struct lvalue_field {
    template <class U> requires(address_free_field<U> && !std::is_const_v<U>) operator U&() const;
    template <class U> requires(!looked_into<U> && std::is_const_v<U>) operator U&() const = delete;
};

template <class T, class Field, std::size_t N>
constexpr bool initializable() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return requires { T{(static_cast<void>(I), Field{})...}; };
    }(std::make_index_sequence<N>{});
}

inline constexpr std::size_t uncountable = static_cast<std::size_t>(-1);

// The fewest fields that initialize T: 0 unless reference members without default initializers
// must be given. Past the first few, T is not an aggregate this can look into.
template <class T, std::size_t N = 0>
constexpr std::size_t fewest_fields() {
    if constexpr (initializable<T, any_field, N>()) return N;
    else if constexpr (N >= 16) return uncountable;
    else return fewest_fields<T, N + 1>();
}

// The most fields that initialize T, from `Known` that do: steps double while they fit and halve
// once they do not, so a struct with a thousand-element array takes some twenty tries.
template <class T, std::size_t Known, std::size_t Step, bool Grow = true>
constexpr std::size_t most_fields() {
    if constexpr (Step == 0) return Known;
    else if constexpr (initializable<T, any_field, Known + Step>())
        return most_fields<T, Known + Step, Grow ? Step * 2 : Step / 2, Grow>();
    else return most_fields<T, Known, Step / 2, false>();
}

template <class T>
constexpr bool aggregate_holds_addresses() {
    constexpr std::size_t fewest = fewest_fields<T>();
    if constexpr (fewest == uncountable) {
        return false;
    } else {
        constexpr std::size_t fields = most_fields<T, fewest, 1>();
        return !initializable<T, value_field, fields>() || !initializable<T, lvalue_field, fields>();
    }
}

template <class T>
constexpr bool addresses_in() {
    if constexpr (std::is_pointer_v<T> || std::is_member_pointer_v<T> || std::is_reference_v<T>)
        return true;
    else if constexpr (std::is_array_v<T>)
        return holds_addresses<std::remove_cv_t<std::remove_all_extents_t<T>>>::value;
    else if constexpr (std::is_aggregate_v<T> && (std::is_class_v<T> || std::is_union_v<T>))
        return aggregate_holds_addresses<T>();
    else
        return false;
}

}  // namespace detail

// True when T's bytes hold an address. Specialize it (as true) for a class of your own whose
// members are private or that has constructors, when it holds one.
template <class T>
struct holds_addresses : std::bool_constant<detail::addresses_in<T>()> {};

// Standard classes that hold an address (or may) and cannot be looked into.
template <class E, std::size_t N>
struct holds_addresses<std::span<E, N>> : std::true_type {};
template <class C, class Traits>
struct holds_addresses<std::basic_string_view<C, Traits>> : std::true_type {};
template <class T>
struct holds_addresses<std::reference_wrapper<T>> : std::true_type {};
template <class T>
struct holds_addresses<std::optional<T>> : holds_addresses<std::remove_cv_t<T>> {};
// Looked into like any aggregate, but without counting a large array's elements.
template <class T, std::size_t N>
struct holds_addresses<std::array<T, N>> : holds_addresses<std::remove_cv_t<T>> {};

}  // namespace baton
