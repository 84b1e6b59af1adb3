// Reduction operations: baton's named ones, the matching std:: function objects, and user callables.
//
// A reduction is element-wise: reducing std::vector<double>s of length n gives n results. Any
// callable `E(const E&, const E&)` that is associative works as a user operation; baton combines
// contributions in rank order, so it need not be commutative.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>

#include <baton/datatype.hpp>

namespace baton {

enum class builtin_op : std::uint8_t {
    user, sum, prod, min, max, logical_and, logical_or, logical_xor,
    bit_and, bit_or, bit_xor, minloc, maxloc,
};

// The element type of minloc/maxloc: a value and where it came from (usually a rank). Ties go to
// the smaller index, as in MPI.
template <class T>
struct value_index {
    T value{};
    int index = 0;
    friend bool operator==(const value_index&, const value_index&) = default;
};

namespace op {

#define BATON_DEFINE_OP(type_name, object, id_value, expression)                \
    struct type_name {                                                          \
        static constexpr builtin_op id = builtin_op::id_value;                  \
        template <class T>                                                      \
        constexpr T operator()(const T& a, const T& b) const { return expression; } \
    };                                                                          \
    inline constexpr type_name object{};

BATON_DEFINE_OP(sum_t, sum, sum, a + b)
BATON_DEFINE_OP(prod_t, prod, prod, a * b)
BATON_DEFINE_OP(min_t, min, min, b < a ? b : a)
BATON_DEFINE_OP(max_t, max, max, a < b ? b : a)
BATON_DEFINE_OP(logical_and_t, logical_and, logical_and, static_cast<T>(a && b))
BATON_DEFINE_OP(logical_or_t, logical_or, logical_or, static_cast<T>(a || b))
BATON_DEFINE_OP(logical_xor_t, logical_xor, logical_xor, static_cast<T>(!a != !b))
BATON_DEFINE_OP(bit_and_t, bit_and, bit_and, static_cast<T>(a & b))
BATON_DEFINE_OP(bit_or_t, bit_or, bit_or, static_cast<T>(a | b))
BATON_DEFINE_OP(bit_xor_t, bit_xor, bit_xor, static_cast<T>(a ^ b))
BATON_DEFINE_OP(minloc_t, minloc, minloc,
                (b.value < a.value || (!(a.value < b.value) && b.index < a.index)) ? b : a)
BATON_DEFINE_OP(maxloc_t, maxloc, maxloc,
                (a.value < b.value || (!(b.value < a.value) && b.index < a.index)) ? b : a)

#undef BATON_DEFINE_OP

}  // namespace op

namespace detail {

// Which builtin an operation object stands for; std:: function objects map to their builtin so
// that they run natively on MPI.
template <class Op> struct builtin_of { static constexpr builtin_op id = builtin_op::user; };
template <class Op> requires requires { Op::id; }
struct builtin_of<Op> { static constexpr builtin_op id = Op::id; };
template <class T> struct builtin_of<std::plus<T>> { static constexpr builtin_op id = builtin_op::sum; };
template <class T> struct builtin_of<std::multiplies<T>> { static constexpr builtin_op id = builtin_op::prod; };
template <class T> struct builtin_of<std::logical_and<T>> { static constexpr builtin_op id = builtin_op::logical_and; };
template <class T> struct builtin_of<std::logical_or<T>> { static constexpr builtin_op id = builtin_op::logical_or; };
template <class T> struct builtin_of<std::bit_and<T>> { static constexpr builtin_op id = builtin_op::bit_and; };
template <class T> struct builtin_of<std::bit_or<T>> { static constexpr builtin_op id = builtin_op::bit_or; };
template <class T> struct builtin_of<std::bit_xor<T>> { static constexpr builtin_op id = builtin_op::bit_xor; };

constexpr bool is_bitwise(builtin_op id) {
    return id == builtin_op::bit_and || id == builtin_op::bit_or || id == builtin_op::bit_xor;
}
constexpr bool is_loc(builtin_op id) { return id == builtin_op::minloc || id == builtin_op::maxloc; }

// Whether MPI predefines builtin `id` on elements of `kind` (MPI-3.1 5.9.2): sum and prod on
// integers, floating point and complex numbers; min and max on integers and floating point; the
// logical ones on integers and bool; the bitwise ones on integers. (A char counts as the integer
// it is: the typed layer refuses builtins on text before this.) Anything else a backend applies as
// a user function.
constexpr bool mpi_predefines(builtin_op id, element_kind kind) {
    const bool integer = kind == element_kind::character || (kind >= element_kind::int8 && kind <= element_kind::uint64);
    const bool floating = kind >= element_kind::float32 && kind <= element_kind::long_double;
    const bool complex = kind == element_kind::complex_float32 || kind == element_kind::complex_float64;
    switch (id) {
        case builtin_op::sum:
        case builtin_op::prod: return integer || floating || complex;
        case builtin_op::min:
        case builtin_op::max: return integer || floating;
        case builtin_op::logical_and:
        case builtin_op::logical_or:
        case builtin_op::logical_xor: return integer || kind == element_kind::boolean;
        case builtin_op::bit_and:
        case builtin_op::bit_or:
        case builtin_op::bit_xor: return integer;
        default: return false;
    }
}

}  // namespace detail

// A reduction as the backends see it. `apply` computes inout[i] = op(in[i], inout[i]) for i < n,
// where `in` holds the contribution of the lower ranks (MPI's convention for user functions).
struct reduce_op {
    builtin_op id = builtin_op::user;
    std::string_view name;  // for reports: "sum", or the callable's type for user operations
    void (*apply)(const void* in, void* inout, std::size_t n, const void* context) = nullptr;
    const void* context = nullptr;  // the callable object
    bool commutative = false;
    // What tells user operations apart when `apply` only stands in for the real function (the
    // engine's side of a process rank); null: `apply` itself does.
    const void* identity = nullptr;
};

namespace detail {

template <class E, class Op>
void apply_elementwise(const void* in, void* inout, std::size_t n, const void* context) {
    const Op& op = *static_cast<const Op*>(context);
    const E* lhs = static_cast<const E*>(in);
    E* rhs = static_cast<E*>(inout);
    for (std::size_t i = 0; i < n; ++i) rhs[i] = op(lhs[i], rhs[i]);
}

// Whether `Op` on elements of type E is one of MPI's builtin reductions (op::sum on doubles is
// MPI_SUM on MPI_DOUBLE), which every backend applies without calling the program's code.
template <class E, class Op>
inline constexpr bool native_reduction_v =
    builtin_of<Op>::id != builtin_op::user && !is_loc(builtin_of<Op>::id) && native_kind<E>() != element_kind::bytes;

// The reduce_op for elements of type E. A builtin on a type the backends cannot reduce natively
// (a user struct with operator+) becomes a user operation that calls the same function object.
template <class E, class Op>
constexpr reduce_op make_reduce_op(const Op& op) {
    static_assert(trivially_sendable<E>,
                  "baton: reductions need trivially copyable elements (arithmetic types or plain "
                  "structs); serialized types cannot be reduced");
    static_assert(std::is_invocable_r_v<E, const Op&, const E&, const E&>,
                  "baton: a reduction must be callable as E(const E&, const E&)");
    constexpr builtin_op id = builtin_of<Op>::id;
    // A builtin is arithmetic: on characters it would add or compare their codes (a std::string
    // summed letter by letter), and a sum of bools is a bool (true), not the count it looks like.
    // A callable of the program's own says what combining them means, and is not refused.
    static_assert(id == builtin_op::user || !character<E>,
                  "baton: a builtin reduction (op::sum, op::max, std::plus<>, ...) does not combine text: it would "
                  "add or compare character codes; pass a callable of your own that says how two values combine, "
                  "or reduce numbers (std::int8_t, unsigned char, int)");
    static_assert(!std::is_same_v<std::remove_cv_t<E>, bool> || (id != builtin_op::sum && id != builtin_op::prod),
                  "baton: op::sum and op::prod of bools give a bool, not a count: reduce an int to count, or use "
                  "op::logical_or / op::logical_and");
    if constexpr (is_bitwise(id))
        static_assert(std::is_integral_v<E>, "baton: bitwise reductions need integral elements");
    constexpr bool native = native_reduction_v<E, Op>;
    constexpr std::string_view names[] = {"", "sum", "prod", "min", "max", "logical_and", "logical_or",
                                          "logical_xor", "bit_and", "bit_or", "bit_xor", "minloc", "maxloc"};
    reduce_op result;
    result.id = native ? id : builtin_op::user;
    result.name = id == builtin_op::user ? type_name_v<Op> : names[static_cast<int>(id)];
    result.apply = &apply_elementwise<E, Op>;
    result.context = &op;
    result.commutative = id != builtin_op::user;
    return result;
}

// An operation object that holds nothing (every builtin, std::plus<>, a lambda that captures
// nothing): any instance of it does what the caller's does.
template <class Op>
concept stateless_op = std::is_empty_v<Op> && std::is_trivially_default_constructible_v<Op> &&
                       std::is_trivially_copyable_v<Op>;
template <stateless_op Op>
inline constexpr Op stateless_instance{};
// A stateless operation's reduce_op on E, made by the compiler: a blocking reduction hands the
// backend a reference to it instead of building one at every call (on MPI a call's few tens of
// instructions are a measurable share of a small allreduce, issue 17).
template <class E, stateless_op Op>
inline constexpr reduce_op stateless_reduce_op = make_reduce_op<E>(stateless_instance<Op>);

// What a blocking reduction hands the backend for `op` on E: the constant above, or a reduce_op
// made for this call (its context is the caller's object, which lives as long as the call).
template <class E, class Op>
class reduce_op_ref {
public:
    constexpr explicit reduce_op_ref(const Op& op) {
        if constexpr (!stateless_op<Op>) made_ = make_reduce_op<E>(op);
    }
    constexpr operator const reduce_op&() const {
        if constexpr (stateless_op<Op>) return stateless_reduce_op<E, Op>;
        else return made_;
    }

private:
    struct nothing {};
    [[no_unique_address]] std::conditional_t<stateless_op<Op>, nothing, reduce_op> made_;
};
template <class E, class Op>
constexpr reduce_op_ref<E, Op> reduce_op_for(const Op& op) {
    return reduce_op_ref<E, Op>(op);
}

}  // namespace detail
}  // namespace baton
