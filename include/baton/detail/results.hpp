// What a rank function returns, when the rank runs in a process of its own
// (sim::rank_context::process): the rank hands the value back as bytes over its socket, and the
// process that started the run puts it where the other contexts put it directly.
#pragma once

#include <cstddef>
#include <cstring>
#include <array>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <functional>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <baton/datatype.hpp>
#include <baton/detail/buffers.hpp>
#include <baton/errors.hpp>

namespace baton::sim::detail {

// ---- The compiled side (backends/sim/process_child.cpp, process_ranks.cpp) ---------------------

// Whether the calling code runs in a process rank (a child forked by the engine).
bool in_process_rank() noexcept;
// From a process rank: what its rank function returned, as bytes, for the engine.
void hand_back(std::vector<std::byte> bytes);

// In the process that runs the engine: who takes the bytes a process rank handed back, for runs
// started on this thread while it exists (runs may nest: the previous taker comes back after).
using result_taker = std::function<void(int rank, std::span<const std::byte> bytes)>;
class result_taker_scope {
public:
    explicit result_taker_scope(result_taker take);
    ~result_taker_scope();
    result_taker_scope(const result_taker_scope&) = delete;
    result_taker_scope& operator=(const result_taker_scope&) = delete;

private:
    result_taker take_;
    const result_taker* previous_;
};
// The taker of the innermost scope on this thread, or null.
const result_taker* current_result_taker() noexcept;

// ---- The typed side -----------------------------------------------------------------------------

// Whether cereal can serialize all of a T, not only its outside: cereal's own traits look one level
// deep, and a std::pair of a type it cannot serialize would fail to compile.
template <class T> struct deeply_serializable;
template <class T>
inline constexpr bool deeply_serializable_v = deeply_serializable<std::remove_cv_t<T>>::value;
template <class T>
struct deeply_serializable
    : std::bool_constant<std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                         (std::is_class_v<T> && cereal::traits::is_output_serializable<T, cereal::BinaryOutputArchive>::value &&
                          cereal::traits::is_input_serializable<T, cereal::BinaryInputArchive>::value &&
                          !std::is_trivially_copyable_v<T>)> {};
template <class C, class Tr, class A> struct deeply_serializable<std::basic_string<C, Tr, A>> : std::true_type {};
template <class E, class A> struct deeply_serializable<std::vector<E, A>> : deeply_serializable<E> {};
template <class E, class A> struct deeply_serializable<std::deque<E, A>> : deeply_serializable<E> {};
template <class E, class A> struct deeply_serializable<std::list<E, A>> : deeply_serializable<E> {};
template <class K, class C, class A> struct deeply_serializable<std::set<K, C, A>> : deeply_serializable<K> {};
template <class K, class H, class Eq, class A>
struct deeply_serializable<std::unordered_set<K, H, Eq, A>> : deeply_serializable<K> {};
template <class K, class V, class C, class A>
struct deeply_serializable<std::map<K, V, C, A>> : std::bool_constant<deeply_serializable_v<K> && deeply_serializable_v<V>> {};
template <class K, class V, class H, class Eq, class A>
struct deeply_serializable<std::unordered_map<K, V, H, Eq, A>>
    : std::bool_constant<deeply_serializable_v<K> && deeply_serializable_v<V>> {};
template <class A, class B>
struct deeply_serializable<std::pair<A, B>> : std::bool_constant<deeply_serializable_v<A> && deeply_serializable_v<B>> {};
template <class... Ts> struct deeply_serializable<std::tuple<Ts...>> : std::bool_constant<(deeply_serializable_v<Ts> && ...)> {};
template <class... Ts> struct deeply_serializable<std::variant<Ts...>> : std::bool_constant<(deeply_serializable_v<Ts> && ...)> {};
template <class E> struct deeply_serializable<std::optional<E>> : deeply_serializable<E> {};
template <class E, std::size_t N> struct deeply_serializable<std::array<E, N>> : deeply_serializable<E> {};

// How a returned R travels back: as its bytes, or serialized.
template <class R>
inline constexpr bool returned_as_bytes =
    contiguous_sendable<R> || trivially_sendable<R> ||
    (!deeply_serializable_v<R> && std::is_trivially_copy_constructible_v<R> && std::is_trivially_destructible_v<R>);
template <class R>
inline constexpr bool returnable = std::is_default_constructible_v<R> && (returned_as_bytes<R> || deeply_serializable_v<R>);

template <class R>
std::vector<std::byte> bytes_of_result(const R& value) {
    if constexpr (contiguous_sendable<R>) {
        const auto* begin = reinterpret_cast<const std::byte*>(std::ranges::data(value));
        return {begin, begin + std::ranges::size(value) * sizeof(element_t<R>)};
    } else if constexpr (returned_as_bytes<R>) {
        const auto* begin = reinterpret_cast<const std::byte*>(&value);
        return {begin, begin + sizeof(R)};
    } else {
        std::vector<std::byte> bytes;
        baton::detail::serialize_into(bytes, value);
        return bytes;
    }
}

template <class R>
R result_from_bytes(std::span<const std::byte> bytes) {
    auto wrong_size = [&] {
        return usage_error("sim::run: a process rank handed back " + std::to_string(bytes.size()) +
                           " bytes for a " + std::string(baton::detail::type_name_v<R>) +
                           ", which does not hold that many");
    };
    if constexpr (contiguous_sendable<R>) {
        R value{};
        using E = element_t<R>;
        if (bytes.size() % sizeof(E) != 0) throw wrong_size();
        if constexpr (baton::detail::resizable_range<R>) {
            value.resize(bytes.size() / sizeof(E));
        } else if (std::ranges::size(value) * sizeof(E) != bytes.size()) {
            throw wrong_size();
        }
        if (!bytes.empty()) std::memcpy(std::ranges::data(value), bytes.data(), bytes.size());
        return value;
    } else if constexpr (returned_as_bytes<R>) {
        if (bytes.size() != sizeof(R)) throw wrong_size();
        // A trivial copy is a copy of the bytes: copy from bytes that hold an R.
        alignas(R) std::byte storage[sizeof(R)];
        std::memcpy(storage, bytes.data(), sizeof(R));
        return *std::launder(reinterpret_cast<const R*>(storage));
    } else {
        R value{};
        baton::detail::deserialize_from(bytes, value);
        return value;
    }
}

// Called by every rank after its function returned `value`: in a process rank, sends it to the
// engine (which gives it to the results_taken_into of the run); elsewhere nothing.
template <class R>
void hand_back_if_process_rank(const R& value) {
    if (!in_process_rank()) return;
    if constexpr (returnable<R>) {
        hand_back(bytes_of_result(value));
    } else {
        throw usage_error("sim::run: the rank function returns a " + std::string(baton::detail::type_name_v<R>) +
                          ", which cannot travel back from a process rank (--context process): return a "
                          "default-constructible value that is plain data or that cereal serializes, or nothing");
    }
}

// For the duration of a run: what process ranks hand back goes into `slots[rank]`.
template <class R>
class results_taken_into {
public:
    explicit results_taken_into(std::vector<std::optional<R>>& slots)
        : scope_([&slots](int rank, std::span<const std::byte> bytes) {
              if constexpr (returnable<R>)
                  slots[static_cast<std::size_t>(rank)].emplace(result_from_bytes<R>(bytes));
          }) {}

private:
    result_taker_scope scope_;
};

}  // namespace baton::sim::detail
