// What the differential test's program generator and its step runners share: deterministic
// randomness, the element types a step sends and their values, the reductions tried on each.
#pragma once

#include <complex>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "harness.hpp"
#include "program.hpp"

namespace differential {

using baton::communicator;
using harness::record;
using harness::text;

// ---- Deterministic randomness -----------------------------------------------------------------

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
inline std::uint64_t hash(std::uint64_t salt, std::uint64_t a, std::uint64_t b = 0) {
    return mix(salt ^ mix(a * 0x100000001b3ULL + 17) ^ mix(b + 0x51ed27ULL));
}

class generator {
public:
    explicit generator(std::uint64_t seed) : state_(mix(seed)) {}
    std::uint64_t next() { return state_ = mix(state_); }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }

private:
    std::uint64_t state_;
};

// ---- Element types and their values ------------------------------------------------------------

struct pod {
    std::int32_t a;
    double b;
    char c;
    friend pod operator+(const pod& x, const pod& y) { return {x.a + y.a, x.b + y.b, static_cast<char>(x.c ^ y.c)}; }
};
inline std::string text(const pod& p) { return fmt::format("pod({},{},{})", p.a, p.b, static_cast<int>(p.c)); }

struct affine {  // x -> m*x + c modulo a prime; composition is associative, not commutative
    std::int64_t m, c;
};
inline std::string text(const affine& f) { return fmt::format("affine({},{})", f.m, f.c); }
constexpr auto compose = [](const affine& f, const affine& g) {  // f (lower ranks) first, then g
    constexpr std::int64_t p = 1000003;
    return affine{(g.m * f.m) % p, (g.m * f.c + g.c) % p};
};

using loc = baton::value_index<double>;
struct text_tag {};   // std::string payloads
struct table_tag {};  // std::map<int, std::string> payloads

// Small values, so that sums and products are exact and never overflow.
template <class T>
T element(std::uint64_t h) {
    if constexpr (std::is_same_v<T, bool>) return (h & 1) != 0;
    else if constexpr (std::is_same_v<T, char>) return static_cast<char>('a' + h % 26);
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return static_cast<T>(static_cast<int>(h % 9) - 4);
    else if constexpr (std::is_integral_v<T>) return static_cast<T>(h % 9);
    else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(static_cast<int>(h % 17) - 8) + static_cast<T>((h >> 8) % 2) / 2;
    else if constexpr (std::is_same_v<T, std::complex<double>>)
        return {static_cast<double>(static_cast<int>(h % 5) - 2), static_cast<double>(static_cast<int>((h >> 8) % 5) - 2)};
    else if constexpr (std::is_same_v<T, pod>)
        return {static_cast<std::int32_t>(h % 100), static_cast<double>((h >> 8) % 7) * 0.5, static_cast<char>('a' + (h >> 16) % 26)};
    else if constexpr (std::is_same_v<T, affine>)
        return {static_cast<std::int64_t>(1 + h % 5), static_cast<std::int64_t>((h >> 8) % 7)};
    else if constexpr (std::is_same_v<T, loc>)
        return {static_cast<double>(static_cast<int>(h % 5) - 2), static_cast<int>((h >> 8) % 4)};
}
// Reductions on chars use small numbers too (a sum of letters would overflow a char).
template <class T>
T reduction_element(std::uint64_t h) {
    if constexpr (std::is_same_v<T, char>) return static_cast<char>(static_cast<int>(h % 9) - 4);
    else return element<T>(h);
}

// std::vector<bool> is not contiguous, so bools travel in a small contiguous container of bools.
class bool_vector {
public:
    bool_vector() = default;
    bool_vector(const bool_vector& other) { *this = other; }
    bool_vector& operator=(const bool_vector& other) {
        if (this != &other) {
            resize(other.size_);
            std::copy(other.begin(), other.end(), begin());
        }
        return *this;
    }
    bool* data() { return items_.get(); }
    const bool* data() const { return items_.get(); }
    std::size_t size() const { return size_; }
    bool* begin() { return data(); }
    bool* end() { return data() + size_; }
    const bool* begin() const { return data(); }
    const bool* end() const { return data() + size_; }
    void resize(std::size_t n) {
        auto fresh = std::make_unique<bool[]>(n + 1);
        std::copy(begin(), begin() + std::min(n, size_), fresh.get());
        items_ = std::move(fresh);
        size_ = n;
    }
    void push_back(bool b) {
        resize(size_ + 1);
        items_[size_ - 1] = b;
    }

private:
    std::unique_ptr<bool[]> items_ = std::make_unique<bool[]>(1);
    std::size_t size_ = 0;
};

template <class T> struct payload_of { using type = std::vector<T>; };
template <> struct payload_of<bool> { using type = bool_vector; };
template <> struct payload_of<text_tag> { using type = std::string; };
template <> struct payload_of<table_tag> { using type = std::map<int, std::string>; };
template <class T> using payload_t = typename payload_of<T>::type;

template <class T>
constexpr bool trivial = !std::is_same_v<T, text_tag> && !std::is_same_v<T, table_tag>;
// Element types whose std::vector is contiguous (not bool): those gathers and scatters can give.
template <class T>
constexpr bool gatherable = !std::is_same_v<T, bool>;
// The element a fixed receive buffer holds: T, or char for text.
template <class T> struct fixed_element { using type = T; };
template <> struct fixed_element<text_tag> { using type = char; };
template <class T> using fixed_t = typename fixed_element<T>::type;

// What `rank` contributes: n elements (n letters; n % 6 table entries).
template <class T>
payload_t<T> make_payload(std::uint64_t salt, int rank, std::size_t n) {
    payload_t<T> p;
    if constexpr (std::is_same_v<T, table_tag>) {
        for (std::size_t i = 0; i < n % 6; ++i) {
            const auto h = hash(salt, static_cast<std::uint64_t>(rank), i);
            p[static_cast<int>(h % 100)] = std::string(h % 5, static_cast<char>('k' + i));
        }
    } else if constexpr (std::is_same_v<T, text_tag>) {
        for (std::size_t i = 0; i < n; ++i)
            p.push_back(static_cast<char>('a' + hash(salt, static_cast<std::uint64_t>(rank), i) % 26));
    } else {
        for (std::size_t i = 0; i < n; ++i) p.push_back(element<T>(hash(salt, static_cast<std::uint64_t>(rank), i)));
    }
    return p;
}

template <class F>
void with_type(value_type t, F&& f) {
    switch (t) {
        case value_type::i32: return f(std::type_identity<std::int32_t>{});
        case value_type::i64: return f(std::type_identity<std::int64_t>{});
        case value_type::i16: return f(std::type_identity<std::int16_t>{});
        case value_type::u8: return f(std::type_identity<std::uint8_t>{});
        case value_type::chr: return f(std::type_identity<char>{});
        case value_type::boolean: return f(std::type_identity<bool>{});
        case value_type::f32: return f(std::type_identity<float>{});
        case value_type::f64: return f(std::type_identity<double>{});
        case value_type::ld: return f(std::type_identity<long double>{});
        case value_type::cplx: return f(std::type_identity<std::complex<double>>{});
        case value_type::pod: return f(std::type_identity<pod>{});
        case value_type::affine: return f(std::type_identity<affine>{});
        case value_type::loc: return f(std::type_identity<loc>{});
        case value_type::text: return f(std::type_identity<text_tag>{});
        case value_type::table: return f(std::type_identity<table_tag>{});
    }
}

// The reductions tried on elements of type T; f is called with the chosen one.
template <class T, class F>
void with_op(int choice, F&& f) {
    const auto first = [](const T& a, const T&) { return a; };
    const auto last = [](const T&, const T& b) { return b; };
    if constexpr (std::is_same_v<T, bool>) {
        switch (choice % 6) {
            case 0: return f(baton::op::logical_and);
            case 1: return f(baton::op::logical_or);
            case 2: return f(baton::op::logical_xor);
            case 3: return f(baton::op::min);  // not sum: a sum of bools is refused (ops.hpp)
            case 4: return f(baton::op::max);
            default: return f(first);
        }
    } else if constexpr (std::is_same_v<T, char>) {
        // Builtins refuse text (ops.hpp); a callable of the program's own still combines chars.
        const auto add = [](char a, char b) { return static_cast<char>(a + b); };
        switch (choice % 3) {
            case 0: return f(add);
            case 1: return f(last);
            default: return f(first);
        }
    } else if constexpr (std::is_integral_v<T>) {
        switch (choice % 12) {
            case 0: return f(baton::op::sum);
            case 1: return f(baton::op::prod);
            case 2: return f(baton::op::min);
            case 3: return f(baton::op::max);
            case 4: return f(baton::op::logical_and);
            case 5: return f(baton::op::logical_or);
            case 6: return f(baton::op::logical_xor);
            case 7: return f(baton::op::bit_and);
            case 8: return f(baton::op::bit_or);
            case 9: return f(baton::op::bit_xor);
            case 10: return f(std::plus<T>{});
            default: return f(first);
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        switch (choice % 8) {
            case 0: return f(baton::op::sum);
            case 1: return f(baton::op::prod);
            case 2: return f(baton::op::min);
            case 3: return f(baton::op::max);
            case 4: return f(baton::op::logical_and);  // not an MPI builtin on floats: a user op there
            case 5: return f(std::multiplies<T>{});
            case 6: return f(last);
            default: return f(first);
        }
    } else if constexpr (std::is_same_v<T, std::complex<double>>) {
        switch (choice % 3) {
            case 0: return f(baton::op::sum);
            case 1: return f(baton::op::prod);
            default: return f(last);
        }
    } else if constexpr (std::is_same_v<T, pod>) {
        if (choice % 2 == 0) return f(baton::op::sum);  // a builtin on a struct: a user op on MPI
        return f(first);
    } else if constexpr (std::is_same_v<T, affine>) {
        if (choice % 3 == 0) return f(last);
        return f(compose);
    } else if constexpr (std::is_same_v<T, loc>) {
        if (choice % 2 == 0) return f(baton::op::minloc);
        return f(baton::op::maxloc);
    }
}

// The element types a non-blocking step takes: its reductions accept only MPI's builtin operations
// on arithmetic elements other than bool and char (communicator::ireduce).
constexpr value_type nonblocking_types[] = {value_type::i32, value_type::i64, value_type::i16,
                                            value_type::u8,  value_type::f32, value_type::f64};
template <class T>
constexpr bool nonblocking_type = std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>;

// The element types of the persistent and cancel steps: fixed buffers of plain data, which
// recv_init takes (not text or tables), in a std::vector (not bool's).
constexpr value_type persistent_types[] = {value_type::i32, value_type::i64, value_type::u8,
                                           value_type::f64, value_type::cplx, value_type::pod};
template <class T>
constexpr bool persistent_type = trivial<T> && gatherable<T>;

// The builtin reductions tried in non-blocking steps; f is called with the chosen one.
template <class T, class F>
void with_builtin_op(int choice, F&& f) {
    if constexpr (std::is_integral_v<T>) {
        switch (choice % 7) {
            case 4: return f(baton::op::bit_and);
            case 5: return f(baton::op::bit_or);
            case 6: return f(baton::op::bit_xor);
            default: break;
        }
    }
    switch (choice % 4) {
        case 0: return f(baton::op::sum);
        case 1: return f(baton::op::prod);
        case 2: return f(baton::op::min);
        default: return f(baton::op::max);
    }
}

}  // namespace differential
