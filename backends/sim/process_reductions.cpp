// The engine's own builtin reductions for process ranks (process_reductions.hpp): the very
// functions the typed layer gives a thread rank (make_reduce_op), so the results are the same bits.
#include "process_reductions.hpp"

#include <complex>
#include <cstdint>
#include <type_traits>

namespace baton::sim::detail {

namespace {

template <class E>
bool builtin_for(reduce_op& op) {
    auto use = [&op](const auto& function) {
        const reduce_op made = baton::detail::make_reduce_op<E>(function);
        op.apply = made.apply;
        op.context = made.context;  // the operation object: a global, as op::sum is
        return true;
    };
    constexpr bool ordered = !std::is_same_v<E, std::complex<float>> && !std::is_same_v<E, std::complex<double>>;
    switch (op.id) {
        case builtin_op::sum: return use(baton::op::sum);
        case builtin_op::prod: return use(baton::op::prod);
        default: break;
    }
    if constexpr (ordered) {
        switch (op.id) {
            case builtin_op::min: return use(baton::op::min);
            case builtin_op::max: return use(baton::op::max);
            case builtin_op::logical_and: return use(baton::op::logical_and);
            case builtin_op::logical_or: return use(baton::op::logical_or);
            case builtin_op::logical_xor: return use(baton::op::logical_xor);
            default: break;
        }
    }
    if constexpr (std::is_integral_v<E>) {
        switch (op.id) {
            case builtin_op::bit_and: return use(baton::op::bit_and);
            case builtin_op::bit_or: return use(baton::op::bit_or);
            case builtin_op::bit_xor: return use(baton::op::bit_xor);
            default: break;
        }
    }
    return false;
}

}  // namespace

bool use_local_reduction(element_kind kind, reduce_op& op) {
    switch (kind) {
        case element_kind::int8: return builtin_for<std::int8_t>(op);
        case element_kind::uint8: return builtin_for<std::uint8_t>(op);
        case element_kind::int16: return builtin_for<std::int16_t>(op);
        case element_kind::uint16: return builtin_for<std::uint16_t>(op);
        case element_kind::int32: return builtin_for<std::int32_t>(op);
        case element_kind::uint32: return builtin_for<std::uint32_t>(op);
        case element_kind::int64: return builtin_for<std::int64_t>(op);
        case element_kind::uint64: return builtin_for<std::uint64_t>(op);
        case element_kind::float32: return builtin_for<float>(op);
        case element_kind::float64: return builtin_for<double>(op);
        case element_kind::long_double: return builtin_for<long double>(op);
        case element_kind::complex_float32: return builtin_for<std::complex<float>>(op);
        case element_kind::complex_float64: return builtin_for<std::complex<double>>(op);
        default: return false;  // bool, char, bytes and serialized: asked of the rank's process
    }
}

}  // namespace baton::sim::detail
