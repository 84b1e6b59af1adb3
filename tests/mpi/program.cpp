#include "program.hpp"

#include <algorithm>
#include <array>
#include <complex>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "harness.hpp"

namespace differential {

namespace {

using baton::communicator;
using harness::record;
using harness::text;

// ---- Deterministic randomness -----------------------------------------------------------------

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
std::uint64_t hash(std::uint64_t salt, std::uint64_t a, std::uint64_t b = 0) {
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
std::string text(const pod& p) { return fmt::format("pod({},{},{})", p.a, p.b, static_cast<int>(p.c)); }

struct affine {  // x -> m*x + c modulo a prime; composition is associative, not commutative
    std::int64_t m, c;
};
std::string text(const affine& f) { return fmt::format("affine({},{})", f.m, f.c); }
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

constexpr std::string_view type_names[] = {"i32", "i64", "i16", "u8", "char", "bool", "f32", "f64", "long double",
                                           "complex", "pod", "affine", "minloc", "text", "table"};
constexpr std::string_view kind_names[] = {
    "pair", "shift", "to_root_any", "burst", "barrier", "bcast", "scatter", "gather", "allgather", "alltoall",
    "reduce", "allreduce", "scan", "exscan", "gatherv", "allgatherv", "scatterv", "split", "dup", "halo",
    "alltoallv", "reduce_scatter", "reduce_scatter_block", "in_place", "cartesian", "nonblocking"};

// Whether the non-blocking reductions take `Op` on T (MPI's own reductions).
template <class T, class Op>
constexpr bool nonblocking_reduction = baton::detail::nonblocking_reduction_v<T, std::remove_cvref_t<Op>>;

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

// ---- Non-blocking collectives ------------------------------------------------------------------

// One under way: its request, and what it gave once complete (its buffers live in the captures).
struct started_collective {
    baton::request request;
    std::function<std::string()> result;
};

template <class T>
started_collective start_ibarrier(const step&, communicator& c) {
    return {c.ibarrier(), [] { return std::string("done"); }};
}

// Into a buffer of the root's size on every rank (ibcast does not resize).
template <class T>
started_collective start_ibcast(const step& s, communicator& c) {
    const int root = s.a % c.size();
    auto data = std::make_shared<std::vector<T>>(c.rank() == root ? make_payload<T>(s.salt, root, s.size)
                                                                  : std::vector<T>(s.size));
    return {c.ibcast(*data, root), [data] { return text(*data); }};
}

// ireduce (a root) or iallreduce (none) of a scalar or a vector, as the step's mode says.
template <class T>
started_collective start_reduction(const step& s, communicator& c, std::optional<int> root) {
    const auto me = static_cast<std::uint64_t>(c.rank());
    started_collective started;
    auto reduce = [&](auto mine) {
        using V = decltype(mine);
        auto kept = std::make_shared<std::pair<V, V>>(std::move(mine), V{});  // the input, the result
        with_builtin_op<T>(s.op, [&](const auto& op) {
            started.request = root ? c.ireduce(kept->first, kept->second, op, *root)
                                   : c.iallreduce(kept->first, kept->second, op);
        });
        started.result = [kept] { return text(kept->second); };
    };
    if ((s.mode / 16) % 2 == 0) {
        reduce(reduction_element<T>(hash(s.salt, me)));
    } else {
        std::vector<T> mine;
        for (std::size_t i = 0; i < 1 + s.size % 9; ++i) mine.push_back(reduction_element<T>(hash(s.salt, me, i)));
        reduce(std::move(mine));
    }
    return started;
}
template <class T>
started_collective start_ireduce(const step& s, communicator& c) {
    return start_reduction<T>(s, c, s.a % c.size());
}
template <class T>
started_collective start_iallreduce(const step& s, communicator& c) {
    return start_reduction<T>(s, c, std::nullopt);
}

// The non-blocking collectives a step may run, one line each: the step's mode picks one.
template <class T>
constexpr started_collective (*nonblocking_starts[])(const step&, communicator&) = {
    &start_ibarrier<T>,
    &start_ibcast<T>,
    &start_ireduce<T>,
    &start_iallreduce<T>,
};

// ---- Running a program -----------------------------------------------------------------------

class runner {
public:
    // Communicator names are shown relative to `base`, the name of the program's world.
    runner(record& out, std::string base) : out_(out), base_(std::move(base)) {}

    void steps(const std::vector<step>& list, communicator& c, const std::string& where) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string here = where + std::to_string(i);
            out_("step {} ({}) on {}:", here, kind_names[static_cast<int>(list[i].kind)], shown(c));
            one(list[i], c, here + ".");
        }
    }

private:
    void one(const step& s, communicator& c, const std::string& where) {
        switch (s.kind) {
            case step_kind::pair: return with_type(s.type, [&](auto t) { pair(s, c, t); });
            case step_kind::shift: return with_type(s.type, [&](auto t) { shift(s, c, t); });
            case step_kind::to_root_any: return with_type(s.type, [&](auto t) { to_root_any(s, c, t); });
            case step_kind::burst: return with_type(s.type, [&](auto t) { burst(s, c, t); });
            case step_kind::halo: return with_type(s.type, [&](auto t) { halo(s, c, t); });
            case step_kind::barrier: c.barrier(); return;
            case step_kind::bcast: return with_type(s.type, [&](auto t) { bcast(s, c, t); });
            case step_kind::scatter: return with_type(s.type, [&](auto t) { scatter(s, c, t); });
            case step_kind::gather:
            case step_kind::allgather: return with_type(s.type, [&](auto t) { gather(s, c, t); });
            case step_kind::alltoall: return with_type(s.type, [&](auto t) { alltoall(s, c, t); });
            case step_kind::reduce:
            case step_kind::allreduce:
            case step_kind::scan:
            case step_kind::exscan: return with_type(s.type, [&](auto t) { reduction(s, c, t); });
            case step_kind::gatherv:
            case step_kind::allgatherv: return with_type(s.type, [&](auto t) { gatherv(s, c, t); });
            case step_kind::scatterv: return with_type(s.type, [&](auto t) { scatterv(s, c, t); });
            case step_kind::alltoallv: return with_type(s.type, [&](auto t) { alltoallv(s, c, t); });
            case step_kind::reduce_scatter:
            case step_kind::reduce_scatter_block: return with_type(s.type, [&](auto t) { reduce_scatter(s, c, t); });
            case step_kind::in_place: return with_type(s.type, [&](auto t) { in_place(s, c, t); });
            case step_kind::cartesian: return with_type(s.type, [&](auto t) { cartesian(s, c, t); });
            case step_kind::nonblocking: return with_type(s.type, [&](auto t) { nonblocking(s, c, t); });
            case step_kind::split: {
                const auto me = static_cast<std::uint64_t>(c.rank());
                const int colors = 1 + s.k % 3;
                const bool out_of_it = hash(s.salt, me, 1) % 6 == 0;
                const int color = out_of_it ? baton::undefined : static_cast<int>(hash(s.salt, me) % static_cast<std::uint64_t>(colors));
                const int key = static_cast<int>(hash(s.salt, me, 2) % 5) - 2;
                communicator part = c.split(color, key);
                if (!part) {
                    out_("  not in any part");
                    return;
                }
                out_("  {} rank {} of {}", shown(part), part.rank(), part.size());
                steps(s.inner, part, where);
                return;
            }
            case step_kind::dup: {
                communicator copy = c.dup();
                out_("  {} rank {} of {}", shown(copy), copy.rank(), copy.size());
                steps(s.inner, copy, where);
                return;
            }
        }
    }

    // A receive of one message from `source` (a rank or any_source) with `tag` (or any_tag),
    // in the way `mode` says. `capacity`: room for a fixed buffer.
    template <class T>
    void receive(communicator& c, int source, int tag, int mode, std::size_t capacity) {
        using P = payload_t<T>;
        constexpr bool fixed_ok = !std::is_same_v<T, table_tag>;
        if (mode == 1 || mode == 3) {
            if constexpr (fixed_ok) {
                P storage;
                storage.resize(capacity);
                std::span<fixed_t<T>> room(storage.data(), storage.size());
                baton::status st;
                if (mode == 1) {
                    st = c.recv(room, source, tag);
                } else {
                    auto r = c.irecv(room, source, tag);
                    std::optional<baton::status> done;
                    while (!(done = r.test())) {
                    }
                    st = *done;
                }
                storage.resize(std::min(st.count<fixed_t<T>>(), storage.size()));
                out_("  fixed {} {}", text(storage), text(st));
                return;
            }
        }
        P got;
        baton::status st;
        switch (mode) {
            case 2: st = c.irecv(got, source, tag).wait(); break;
            case 4: {
                const auto probed = c.probe(source, tag);
                // A probe counts bytes on every backend (it once counted elements on the simulator).
                out_("  probed source {} tag {} bytes {}", probed.source, probed.tag, probed.bytes);
                st = c.recv(got, probed.source, probed.tag);
                break;
            }
            case 7: {
                baton::request one[] = {c.irecv(got, source, tag)};
                st = baton::wait_any(one)->status;
                break;
            }
            default: st = c.recv(got, source, tag); break;
        }
        out_("  got {} {}", text(got), text(st));
    }

    template <class T>
    void pair(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank();
        const int source = s.a % n, dest = s.b % n;
        // Send modes: send, isend of an lvalue, isend of an rvalue, ssend, issend, bsend (from a
        // buffer attached for the step, detached once the receive is done).
        const int send_mode = s.mode % 6, recv_mode = (s.mode / 5) % 8;
        auto value = make_payload<T>(s.salt, source, s.size);
        std::optional<baton::request> sending;
        const bool buffered = send_mode == 5 && me == source;
        if (buffered) c.attach_buffer(std::size_t{16} << 20);  // the largest payloads are a few MiB
        if (me == source) {
            if (buffered) c.bsend(value, dest, s.tag);
            else if (send_mode == 2) sending = c.isend(make_payload<T>(s.salt, source, s.size), dest, s.tag);
            else if (send_mode >= 3 && (send_mode == 4 || source == dest)) sending = c.issend(value, dest, s.tag);
            else if (send_mode == 3) c.ssend(value, dest, s.tag);
            else if (send_mode == 1 || source == dest) sending = c.isend(value, dest, s.tag);
            else c.send(value, dest, s.tag);
        }
        if (me == dest) {
            const int source_asked = recv_mode == 6 ? baton::any_source : source;
            const int tag_asked = recv_mode == 5 ? baton::any_tag : s.tag;
            receive<T>(c, source_asked, tag_asked, recv_mode, s.size + s.salt % 3);
        }
        if (sending) out_("  sent {}", text(sending->wait()));
        if (buffered) out_("  detached {}", c.detach_buffer());
    }

    template <class T>
    void shift(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank();
        const int d = s.k % n, to = (me + d) % n, from = (me - d + n) % n;
        const auto size_of = [&](int rank) { return s.size + static_cast<std::size_t>(rank % 3); };
        auto value = make_payload<T>(s.salt, me, size_of(me));
        payload_t<T> got;
        switch (s.mode % 4) {
            case 0: {
                const auto st = c.sendrecv(value, to, s.tag, got, from, s.tag);
                out_("  got {} {}", text(got), text(st));
                return;
            }
            case 2:
                if constexpr (!std::is_same_v<T, table_tag>) {
                    payload_t<T> storage;
                    storage.resize(size_of(from) + 1);
                    std::span<fixed_t<T>> room(storage.data(), storage.size());
                    baton::request both[] = {c.irecv(room, from, s.tag), c.isend(value, to, s.tag)};
                    std::vector<std::string> seen;
                    while (auto done = baton::wait_any(both)) seen.push_back(fmt::format("{} {}", done->index, text(done->status)));
                    std::sort(seen.begin(), seen.end());
                    storage.resize(storage.size() - 1);
                    out_("  fixed {} {} | {}", text(storage), seen[0], seen[1]);
                    return;
                }
                [[fallthrough]];
            case 1: {
                baton::request both[] = {c.irecv(got, from, s.tag), c.isend(value, to, s.tag)};
                const auto statuses = baton::wait_all(both);
                out_("  got {} {} sent {}", text(got), text(statuses[0]), text(statuses[1]));
                return;
            }
            default: {
                // Posted early, then a collective, then blocking sends: the receive must make
                // progress while its rank is blocked elsewhere.
                auto receiving = c.irecv(got, from, s.tag);
                c.barrier();
                c.send(value, to, s.tag);
                const auto st = receiving.wait();
                out_("  got {} {}", text(got), text(st));
                return;
            }
        }
    }

    template <class T>
    void to_root_any(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank(), root = s.a % n;
        const auto size_of = [&](int rank) { return s.size + static_cast<std::size_t>(rank % 2); };
        if (me != root) {
            c.send(make_payload<T>(s.salt, me, size_of(me)), root, s.tag);
            return;
        }
        std::vector<std::string> arrived;
        const int mode = s.mode % 4;
        if (mode >= 2) {
            std::vector<payload_t<T>> got(static_cast<std::size_t>(n - 1));
            std::vector<baton::request> requests;
            for (auto& g : got) requests.push_back(c.irecv(g, baton::any_source, s.tag));
            if (mode == 2) {
                const auto statuses = baton::wait_all(requests);
                for (std::size_t i = 0; i < got.size(); ++i)
                    arrived.push_back(fmt::format("{} {}", statuses[i].source, text(got[i])));
            } else {
                auto take = [&](const baton::completion& done) {
                    arrived.push_back(fmt::format("{} {}", done.status.source, text(got[done.index])));
                };
                // Completed one at a time, several at a time, or by polling (issue 14: completion).
                switch (s.salt % 3) {
                    case 0:
                        while (auto done = baton::wait_any(requests)) take(*done);
                        break;
                    case 1:
                        for (auto some = baton::wait_some(requests); !some.empty(); some = baton::wait_some(requests))
                            for (const auto& done : some) take(done);
                        break;
                    default:
                        while (std::ranges::any_of(requests, &baton::request::pending)) {
                            if (auto done = baton::test_any(requests)) take(*done);
                            for (const auto& done : baton::test_some(requests)) take(done);
                        }
                }
            }
        } else {
            for (int i = 1; i < n; ++i) {
                payload_t<T> got;
                baton::status st;
                if (mode == 0) {
                    st = c.recv(got, baton::any_source, s.tag);
                } else {
                    const auto probed = c.probe(baton::any_source, s.tag);
                    st = c.recv(got, probed.source, s.tag);
                }
                arrived.push_back(fmt::format("{} {}", st.source, text(got)));
            }
        }
        std::sort(arrived.begin(), arrived.end());
        for (const auto& a : arrived) out_("  from {}", a);
    }

    template <class T>
    void burst(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank();
        if (n == 1) return;
        const int source = s.a % n;
        int dest = s.b % n;
        if (dest == source) dest = (source + 1) % n;
        const int count = 2 + s.k % 4;
        std::vector<std::size_t> sizes;
        for (int i = 0; i < count; ++i) sizes.push_back(hash(s.salt, 1000, static_cast<std::uint64_t>(i)) % (s.size + 1));
        if (me == source) {
            std::vector<baton::request> sends;
            for (int i = 0; i < count; ++i)
                sends.push_back(c.isend(make_payload<T>(s.salt, i, sizes[static_cast<std::size_t>(i)]), dest, s.tag + i));
            for (const auto& st : baton::wait_all(sends)) out_("  sent {}", text(st));
        }
        if (me != dest) return;
        // Some messages by their tag first (in a shuffled order), then the rest with any_tag: with
        // one sender, which receive gets which message does not depend on timing.
        std::vector<int> order(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
        for (int i = count - 1; i > 0; --i)
            std::swap(order[static_cast<std::size_t>(i)], order[hash(s.salt, 2000, static_cast<std::uint64_t>(i)) % static_cast<std::uint64_t>(i + 1)]);
        const int by_tag = static_cast<int>(hash(s.salt, 3000) % static_cast<std::uint64_t>(count + 1));
        const std::size_t capacity = *std::max_element(sizes.begin(), sizes.end()) + 1;
        std::vector<payload_t<T>> resizable(static_cast<std::size_t>(count));
        std::vector<payload_t<T>> fixed(static_cast<std::size_t>(count));
        if constexpr (!std::is_same_v<T, table_tag>)
            for (auto& f : fixed) f.resize(capacity);
        std::vector<baton::request> requests(static_cast<std::size_t>(count));
        std::vector<baton::status> statuses(static_cast<std::size_t>(count));
        std::vector<int> how(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            const auto slot = static_cast<std::size_t>(i);
            const int tag = i < by_tag ? s.tag + order[slot] : baton::any_tag;
            int kind = static_cast<int>(hash(s.salt, 4000, slot) % 4);
            if (std::is_same_v<T, table_tag>) kind &= 1;  // no fixed buffers for serialized values
            how[slot] = kind;
            if constexpr (!std::is_same_v<T, table_tag>) {
                std::span<fixed_t<T>> room(fixed[slot].data(), fixed[slot].size());
                if (kind == 2) requests[slot] = c.irecv(room, source, tag);
                if (kind == 3) statuses[slot] = c.recv(room, source, tag);
            }
            if (kind == 0) statuses[slot] = c.recv(resizable[slot], source, tag);
            if (kind == 1) requests[slot] = c.irecv(resizable[slot], source, tag);
        }
        const auto waited = baton::wait_all(requests);
        for (std::size_t i = 0; i < how.size(); ++i) {
            const baton::status st = how[i] == 1 || how[i] == 2 ? waited[i] : statuses[i];
            if constexpr (!std::is_same_v<T, table_tag>) {
                if (how[i] >= 2) {
                    fixed[i].resize(std::min(st.count<fixed_t<T>>(), fixed[i].size()));
                    out_("  receive {} (fixed): {} {}", i, text(fixed[i]), text(st));
                    continue;
                }
            }
            out_("  receive {}: {} {}", i, text(resizable[i]), text(st));
        }
    }

    // Every rank sends to the rank d places to its right and receives from the one d places to
    // its left, on a line: past its ends the peer is proc_null, whose receive moves nothing.
    template <class T>
    void halo(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank(), d = 1 + s.k % 2;
        const int to = me + d < n ? me + d : baton::proc_null, from = me >= d ? me - d : baton::proc_null;
        const auto size_of = [&](int rank) { return s.size + static_cast<std::size_t>(rank % 3); };
        auto value = make_payload<T>(s.salt, me, size_of(me));
        // What a receive buffer holds before: left as it is (a fixed one) where nothing comes.
        auto before = make_payload<T>(s.salt, 1000, 2);
        switch (s.mode % 4) {
            case 1: {
                const auto st = c.sendrecv_replace(value, to, s.tag, from, s.tag);
                out_("  replaced {} {}", text(value), text(st));
                return;
            }
            case 2: {
                baton::request both[] = {c.irecv(before, from, s.tag), c.isend(value, to, s.tag)};
                const auto statuses = baton::wait_all(both);
                out_("  got {} {} sent {}", text(before), text(statuses[0]), text(statuses[1]));
                return;
            }
            case 3:
                if constexpr (!std::is_same_v<T, table_tag>) {
                    payload_t<T> storage = make_payload<T>(s.salt, 2000, s.size + 3);
                    std::span<fixed_t<T>> room(storage.data(), storage.size());
                    const auto st = c.sendrecv(value, to, s.tag, room, from, s.tag);
                    out_("  fixed {} {}", text(storage), text(st));
                    return;
                }
                [[fallthrough]];
            default: {
                const auto st = c.sendrecv(value, to, s.tag, before, from, s.tag);
                out_("  got {} {}", text(before), text(st));
                return;
            }
        }
    }

    template <class T>
    void bcast(const step& s, communicator& c, std::type_identity<T>) {
        const int root = s.a % c.size();
        const bool at_root = c.rank() == root;
        const int mode = s.mode % 3;
        if constexpr (!std::is_same_v<T, table_tag>) {
            if (mode == 1) {
                payload_t<T> storage;
                storage.resize(s.size);
                if (at_root) {
                    const auto p = make_payload<T>(s.salt, root, s.size);
                    std::copy(p.begin(), p.end(), storage.begin());
                }
                c.bcast(std::span<fixed_t<T>>(storage.data(), storage.size()), root);
                out_("  fixed {}", text(storage));
                return;
            }
        }
        if constexpr (trivial<T>) {
            if (mode == 2) {
                T value = at_root ? element<T>(hash(s.salt, 5)) : T{};
                c.bcast(value, root);
                out_("  scalar {}", text(value));
                return;
            }
        }
        payload_t<T> value;
        if (at_root) value = make_payload<T>(s.salt, root, s.size);
        c.bcast(value, root);
        out_("  {}", text(value));
    }

    template <class T>
    void scatter(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (gatherable<T>) scatter_of<T>(s, c);
    }
    template <class T>
    void scatter_of(const step& s, communicator& c) {
        const int n = c.size(), root = s.a % n;
        const auto count = s.size % 50;  // per rank
        if constexpr (std::is_same_v<T, table_tag>) {
            std::vector<std::map<int, std::string>> all;
            if (c.rank() == root)
                for (std::size_t i = 0; i < count * static_cast<std::size_t>(n); ++i) all.push_back(make_payload<T>(s.salt, static_cast<int>(i), i));
            out_("  {}", text(c.scatter(all, root)));
        } else {
            payload_t<T> all;
            if (c.rank() == root) all = make_payload<T>(s.salt, root, count * static_cast<std::size_t>(n));
            out_("  {}", text(c.scatter(all, root)));
        }
    }

    template <class T>
    void gather(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (gatherable<T>) gather_of<T>(s, c);
    }
    template <class T>
    void gather_of(const step& s, communicator& c) {
        const int root = s.a % c.size();
        const bool all = s.kind == step_kind::allgather;
        auto go = [&](const auto& mine) {
            if (all) out_("  {}", text(c.allgather(mine)));
            else out_("  {}", text(c.gather(mine, root)));
        };
        if constexpr (trivial<T>) {
            if (s.mode % 2 == 1) return go(element<T>(hash(s.salt, static_cast<std::uint64_t>(c.rank()))));
        }
        if constexpr (std::is_same_v<T, table_tag>) {
            return go(make_payload<T>(s.salt, c.rank(), s.size + static_cast<std::size_t>(c.rank())));
        } else {
            return go(make_payload<T>(s.salt, c.rank(), s.size));  // equal counts on every rank
        }
    }

    template <class T>
    void alltoall(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const auto mine = make_payload<T>(s.salt, c.rank(), (s.size % 40) * static_cast<std::size_t>(c.size()));
            out_("  {}", text(c.alltoall(mine)));
        }
    }

    template <class T>
    void reduction(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            with_op<T>(s.op, [&](const auto& op) {
                auto apply = [&](const auto& mine) {
                    // A scan or exscan with one of MPI's own reductions, every other time its
                    // non-blocking form (issue 14: iscan): the same result (exscan's rank 0's stays
                    // value-initialized, as the blocking form returns it).
                    if constexpr (nonblocking_reduction<T, decltype(op)>) {
                        if ((s.kind == step_kind::scan || s.kind == step_kind::exscan) && (s.mode / 3) % 2 == 1) {
                            baton::detail::owning_t<std::remove_cvref_t<decltype(mine)>> result{};
                            if (s.kind == step_kind::scan) c.iscan(mine, result, op).wait();
                            else c.iexscan(mine, result, op).wait();
                            out_("  {}", text(result));
                            return;
                        }
                    }
                    switch (s.kind) {
                        case step_kind::reduce: out_("  {}", text(c.reduce(mine, op, s.a % c.size()))); break;
                        case step_kind::allreduce: out_("  {}", text(c.allreduce(mine, op))); break;
                        case step_kind::scan: out_("  {}", text(c.scan(mine, op))); break;
                        default: out_("  {}", text(c.exscan(mine, op))); break;
                    }
                };
                switch (s.mode % 3) {
                    case 0: return apply(reduction_element<T>(hash(s.salt, me)));
                    case 1: {
                        std::array<T, 3> a;
                        for (std::size_t i = 0; i < a.size(); ++i) a[i] = reduction_element<T>(hash(s.salt, me, i));
                        return apply(a);
                    }
                    default: {
                        payload_t<T> v;
                        for (std::size_t i = 0; i < s.size; ++i) v.push_back(reduction_element<T>(hash(s.salt, me, i)));
                        return apply(v);
                    }
                }
            });
        }
    }

    template <class T>
    void gatherv(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const int root = s.a % c.size();
            const bool all = s.kind == step_kind::allgatherv;
            auto go = [&](const auto& mine) {
                const auto got = all ? c.allgatherv(mine) : c.gatherv(mine, root);
                out_("  {} counts {}", text(got.data()), text(got.counts()));
            };
            if (s.mode % 3 == 2) return go(element<T>(hash(s.salt, static_cast<std::uint64_t>(c.rank()))));
            const auto count = hash(s.salt, static_cast<std::uint64_t>(c.rank()), 7) % (s.size + 2);
            go(make_payload<T>(s.salt, c.rank(), count));
        }
    }

    template <class T>
    void scatterv(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const int n = c.size(), root = s.a % n;
            baton::ragged<T> parts;
            if (c.rank() == root) {
                std::vector<std::vector<T>> blocks;
                for (int r = 0; r < n; ++r)
                    blocks.push_back(make_payload<T>(s.salt, r, hash(s.salt, static_cast<std::uint64_t>(r), 9) % (s.size + 2)));
                parts = baton::ragged<T>::from_blocks(blocks);
            }
            out_("  {}", text(c.scatterv(parts, root)));
        }
    }

    template <class T>
    void alltoallv(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            std::vector<std::vector<T>> blocks;
            for (int d = 0; d < c.size(); ++d)
                blocks.push_back(make_payload<T>(s.salt + static_cast<std::uint64_t>(d), c.rank(),
                                                 hash(s.salt, me, static_cast<std::uint64_t>(d)) % (s.size + 2)));
            const auto got = c.alltoallv(baton::ragged<T>::from_blocks(blocks));
            out_("  {} counts {}", text(got.data()), text(got.counts()));
        }
    }

    template <class T>
    void reduce_scatter(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            const bool equal = s.kind == step_kind::reduce_scatter_block;
            std::vector<std::size_t> counts;  // alike on every rank: made of the step alone
            for (int r = 0; r < c.size(); ++r)
                counts.push_back(equal ? s.size % 5 : hash(s.salt, static_cast<std::uint64_t>(r), 11) % (s.size % 7 + 2));
            std::vector<T> mine;
            for (std::size_t i = 0; i < std::accumulate(counts.begin(), counts.end(), std::size_t{0}); ++i)
                mine.push_back(reduction_element<T>(hash(s.salt, me, i)));
            with_op<T>(s.op, [&](const auto& op) {
                if constexpr (nonblocking_reduction<T, decltype(op)>) {
                    if (s.mode % 2 == 1) {  // the non-blocking form, every other time (issue 14: iscan)
                        std::vector<T> result;
                        if (equal) c.ireduce_scatter_block(mine, result, op).wait();
                        else c.ireduce_scatter(mine, counts, result, op).wait();
                        out_("  {}", text(result));
                        return;
                    }
                }
                if (equal) out_("  {}", text(c.reduce_scatter_block(mine, op)));
                else out_("  {}", text(c.reduce_scatter(mine, counts, op)));
            });
        }
    }

    // allreduce, reduce, scan or exscan in place (s.mode % 4); every other time, for the types a
    // gather takes, gather (at the root s.a), allgather or alltoall in place instead.
    template <class T>
    void in_place(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            if ((s.mode / 4) % 2 == 1) return gathered_in_place(s, c, std::type_identity<T>{});
        }
        if constexpr (trivial<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            payload_t<T> data;
            for (std::size_t i = 0; i < 1 + s.size % 9; ++i) data.push_back(reduction_element<T>(hash(s.salt, me, i)));
            with_op<T>(s.op, [&](const auto& op) {
                switch (s.mode % 4) {
                    case 0: c.allreduce_in_place(data, op); break;
                    case 1: c.reduce_in_place(data, op, s.a % c.size()); break;
                    case 2: c.scan_in_place(data, op); break;
                    default: c.exscan_in_place(data, op); break;
                }
            });
            out_("  {}", text(data));
        }
    }

    // A non-blocking collective (nonblocking_starts), a shift around the ranks while it is under
    // way, then its completion by wait, by a test loop, or by wait_all with the shift's requests
    // (the step's k says which); what it gave, and what came from the left.
    template <class T>
    void nonblocking(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (nonblocking_type<T>) {
            const auto& starts = nonblocking_starts<T>;
            started_collective started = starts[static_cast<std::size_t>(s.mode) % std::size(starts)](s, c);
            const int n = c.size(), right = (c.rank() + 1) % n, left = (c.rank() + n - 1) % n;
            int from_left = -1;
            std::array<baton::request, 3> all{std::move(started.request), c.isend(c.rank(), right, s.tag),
                                              c.irecv(from_left, left, s.tag)};
            switch (s.k % 3) {
                case 0: all[0].wait(); break;
                case 1:
                    while (!all[0].test()) {
                    }
                    break;
                default: break;
            }
            baton::wait_all(all);
            out_("  {}; from the left {}", started.result(), from_left);
        }
    }

    // Blocks of 1 + s.size % 5 elements: a gather's root and allgather start with their own block
    // at its place (the rest value-initialized), alltoall with one block for each rank.
    template <class T>
    void gathered_in_place(const step& s, communicator& c, std::type_identity<T>) {
        const std::size_t block = 1 + s.size % 5, ranks = static_cast<std::size_t>(c.size()),
                          me = static_cast<std::size_t>(c.rank());
        const int root = s.a % c.size();
        const auto mine = make_payload<T>(s.salt, c.rank(), ranks * block);
        std::vector<T> data(ranks * block);
        switch ((s.mode / 8) % 3) {
            case 0:
                if (c.rank() != root) data.assign(mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(block));
                else std::copy_n(mine.begin(), block, data.begin() + static_cast<std::ptrdiff_t>(me * block));
                c.gather_in_place(data, root);
                break;
            case 1:
                std::copy_n(mine.begin(), block, data.begin() + static_cast<std::ptrdiff_t>(me * block));
                c.allgather_in_place(data);
                break;
            default:
                data.assign(mine.begin(), mine.end());
                c.alltoall_in_place(data);
                break;
        }
        out_("  {}", text(data));
    }

    // A grid of 1 to 3 dimensions over the communicator (periodic ones from the step's mode), a
    // rank's coordinates and a shift on it, then a neighbour collective of equal blocks.
    template <class T>
    void cartesian(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const int ndims = 1 + s.k % 3;
            std::vector<bool> periods;
            for (int d = 0; d < ndims; ++d) periods.push_back(((s.mode >> d) & 1) != 0);
            baton::cart_communicator grid = c.cart_create(baton::dims_create(c.size(), ndims), periods);
            const auto [source, dest] = grid.shift(s.a % ndims, 1 + s.b % 2);
            out_("  {} at {}, shift {} {}", shown(grid), text(grid.coords()), source, dest);
            const std::size_t count = s.size % 5;
            if ((s.mode & 8) != 0) {
                payload_t<T> blocks;
                for (int i = 0; i < 2 * ndims; ++i) {
                    const auto part = make_payload<T>(s.salt + static_cast<std::uint64_t>(i), c.rank(), count);
                    blocks.insert(blocks.end(), part.begin(), part.end());
                }
                out_("  {}", text(grid.neighbor_alltoall(blocks)));
            } else {
                out_("  {}", text(grid.neighbor_allgather(make_payload<T>(s.salt, c.rank(), count))));
            }
        }
    }

    std::string shown(const communicator& c) const {
        const std::string& name = c.name();
        return name.starts_with(base_) ? "W" + name.substr(base_.size()) : name;
    }

    record& out_;
    std::string base_;
};

// ---- Generating a program --------------------------------------------------------------------

std::size_t random_size(generator& g) {
    const int r = g.below(100);
    if (r < 45) return static_cast<std::size_t>(g.below(4));
    if (r < 85) return static_cast<std::size_t>(4 + g.below(12));
    if (r < 98) return static_cast<std::size_t>(50 + g.below(500));
    return static_cast<std::size_t>(20000 + g.below(80000));  // large: MPI's rendezvous protocol
}

step random_step(generator& g, int depth, int& next_tag) {
    // Weights: point-to-point and collectives about equally, splits and dups now and then.
    static constexpr int weights[] = {8, 6, 4, 5, 1, 4, 3, 3, 3, 2, 3, 4, 2, 2, 2, 2, 2, 2, 2, 4, 2, 2, 2, 2, 2, 4};
    static_assert(std::size(weights) == std::size(kind_names), "a weight per kind of step");
    int total = 0;
    for (const int w : weights) total += w;
    int pick = g.below(total), kind = 0;
    while (pick >= weights[kind]) pick -= weights[kind++];
    step s;
    s.kind = static_cast<step_kind>(kind);
    if (depth >= 2 && (s.kind == step_kind::split || s.kind == step_kind::dup)) s.kind = step_kind::allreduce;
    const bool any_type = s.kind <= step_kind::burst || s.kind == step_kind::bcast || s.kind == step_kind::scatter ||
                          s.kind == step_kind::gather || s.kind == step_kind::allgather || s.kind == step_kind::halo;
    s.type = static_cast<value_type>(g.below(any_type ? 15 : 13));
    // Gathers, scatters and alltoall give std::vector<E>, which for bool is not contiguous: baton
    // cannot receive into it, so bools take part only in point-to-point, bcast and reductions.
    const bool vector_result = (s.kind >= step_kind::scatter && s.kind <= step_kind::alltoall) ||
                               s.kind == step_kind::reduce_scatter || s.kind == step_kind::reduce_scatter_block ||
                               s.kind == step_kind::cartesian;
    const bool ragged_result = (s.kind >= step_kind::gatherv && s.kind <= step_kind::scatterv) ||
                               s.kind == step_kind::alltoallv;
    if (s.type == value_type::boolean && (vector_result || ragged_result)) s.type = value_type::u8;
    if (s.kind == step_kind::nonblocking)
        s.type = nonblocking_types[static_cast<std::size_t>(s.type) % std::size(nonblocking_types)];
    s.a = g.below(8);
    s.b = g.below(8);
    s.k = g.below(8);
    s.size = random_size(g);
    s.tag = next_tag;
    next_tag += 8;
    s.mode = g.below(64);
    s.op = g.below(64);
    s.salt = g.next();
    if (s.kind == step_kind::split || s.kind == step_kind::dup) {
        const int inner = 1 + g.below(3);
        for (int i = 0; i < inner; ++i) s.inner.push_back(random_step(g, depth + 1, next_tag));
    }
    return s;
}

void describe_steps(const std::vector<step>& steps, const std::string& indent, std::string& out) {
    for (const auto& s : steps) {
        out += fmt::format("{}{} type={} a={} b={} k={} size={} tag={} mode={} op={} salt={}\n", indent,
                           kind_names[static_cast<int>(s.kind)], type_names[static_cast<int>(s.type)], s.a, s.b, s.k,
                           s.size, s.tag, s.mode, s.op, s.salt);
        describe_steps(s.inner, indent + "    ", out);
    }
}

}  // namespace

program generate(std::uint64_t seed) {
    generator g(seed);
    program p;
    p.seed = seed;
    int next_tag = 0;
    const int steps = 1 + g.below(10);
    for (int i = 0; i < steps; ++i) p.steps.push_back(random_step(g, 0, next_tag));
    return p;
}

std::string describe(const program& p) {
    std::string out = fmt::format("program {}:\n", p.seed);
    describe_steps(p.steps, "  ", out);
    return out;
}

std::string run(const program& p, communicator& world) {
    // A communicator of the program's own, so that the names of those it makes (world.dup3.split1...)
    // do not depend on what ran before it.
    communicator own = world.dup();
    record out;
    runner(out, own.name()).steps(p.steps, own, "");
    return out.text();
}

}  // namespace differential
