// The predefined datatypes and reductions (types.hpp).
#include "types.hpp"

#include <array>
#include <complex>
#include <cstdint>
#include <cwchar>
#include <iterator>
#include <string>

#include <baton/detail/validate.hpp>
#include <baton/ops.hpp>

#include "datatypes.hpp"
#include "errors.hpp"

namespace baton::capi {

namespace {

// MPI_PACKED's unit: a byte that no reduction applies to (MPI_BYTE's bitwise ones do).
struct packed_byte {
    std::byte value;
};

// Calls `use` with a value of the C type a predefined datatype handle names; false if none.
template <class Use>
bool with_type(MPI_Datatype datatype, Use&& use) {
    switch (datatype) {
        case MPI_CHAR: use(char{}); return true;
        case MPI_SIGNED_CHAR: use(static_cast<signed char>(0)); return true;
        case MPI_UNSIGNED_CHAR: use(static_cast<unsigned char>(0)); return true;
        case MPI_SHORT: use(short{}); return true;
        case MPI_UNSIGNED_SHORT: use(static_cast<unsigned short>(0)); return true;
        case MPI_INT: use(int{}); return true;
        case MPI_UNSIGNED: use(unsigned{}); return true;
        case MPI_LONG: use(long{}); return true;
        case MPI_UNSIGNED_LONG: use(static_cast<unsigned long>(0)); return true;
        case MPI_LONG_LONG_INT: use(static_cast<long long>(0)); return true;
        case MPI_UNSIGNED_LONG_LONG: use(static_cast<unsigned long long>(0)); return true;
        case MPI_FLOAT: use(float{}); return true;
        case MPI_DOUBLE: use(double{}); return true;
        case MPI_LONG_DOUBLE: use(static_cast<long double>(0)); return true;
        case MPI_C_BOOL: use(bool{}); return true;
        case MPI_INT8_T: use(std::int8_t{}); return true;
        case MPI_INT16_T: use(std::int16_t{}); return true;
        case MPI_INT32_T: use(std::int32_t{}); return true;
        case MPI_INT64_T: use(std::int64_t{}); return true;
        case MPI_UINT8_T: use(std::uint8_t{}); return true;
        case MPI_UINT16_T: use(std::uint16_t{}); return true;
        case MPI_UINT32_T: use(std::uint32_t{}); return true;
        case MPI_UINT64_T: use(std::uint64_t{}); return true;
        case MPI_BYTE: use(std::byte{}); return true;
        case MPI_WCHAR: use(wchar_t{}); return true;
        case MPI_C_FLOAT_COMPLEX: use(std::complex<float>{}); return true;
        case MPI_C_DOUBLE_COMPLEX: use(std::complex<double>{}); return true;
        case MPI_C_LONG_DOUBLE_COMPLEX: use(std::complex<long double>{}); return true;
        case MPI_AINT: use(MPI_Aint{}); return true;
        case MPI_OFFSET: use(MPI_Offset{}); return true;
        case MPI_COUNT: use(MPI_Count{}); return true;
        case MPI_PACKED: use(packed_byte{}); return true;
        // The pairs of MPI_MINLOC and MPI_MAXLOC: value_index<T> is laid out as MPI's struct {T; int}.
        case MPI_FLOAT_INT: use(value_index<float>{}); return true;
        case MPI_DOUBLE_INT: use(value_index<double>{}); return true;
        case MPI_LONG_INT: use(value_index<long>{}); return true;
        case MPI_2INT: use(value_index<int>{}); return true;
        case MPI_SHORT_INT: use(value_index<short>{}); return true;
        case MPI_LONG_DOUBLE_INT: use(value_index<long double>{}); return true;
        default: return false;
    }
}

// MPI's names for messages: a report about a C program speaks its language.
constexpr std::string_view names[] = {
    "MPI_DATATYPE_NULL", "MPI_CHAR", "MPI_SIGNED_CHAR", "MPI_UNSIGNED_CHAR", "MPI_SHORT", "MPI_UNSIGNED_SHORT",
    "MPI_INT", "MPI_UNSIGNED", "MPI_LONG", "MPI_UNSIGNED_LONG", "MPI_LONG_LONG_INT", "MPI_UNSIGNED_LONG_LONG",
    "MPI_FLOAT", "MPI_DOUBLE", "MPI_LONG_DOUBLE", "MPI_C_BOOL", "MPI_INT8_T", "MPI_INT16_T", "MPI_INT32_T",
    "MPI_INT64_T", "MPI_UINT8_T", "MPI_UINT16_T", "MPI_UINT32_T", "MPI_UINT64_T", "MPI_BYTE", "MPI_WCHAR",
    "MPI_C_FLOAT_COMPLEX", "MPI_C_DOUBLE_COMPLEX", "MPI_C_LONG_DOUBLE_COMPLEX", "MPI_AINT", "MPI_OFFSET", "MPI_COUNT",
    "MPI_PACKED" /* matches any type on the simulator: backends/sim/comm.cpp */, "MPI_FLOAT_INT", "MPI_DOUBLE_INT", "MPI_LONG_INT", "MPI_2INT", "MPI_SHORT_INT",
    "MPI_LONG_DOUBLE_INT"};

template <class E>
constexpr bool is_pair = false;
template <class T>
constexpr bool is_pair<value_index<T>> = true;

template <class E>
constexpr bool is_complex = false;
template <class T>
constexpr bool is_complex<std::complex<T>> = true;

template <class E>
constexpr bool is_character = std::is_same_v<E, char> || std::is_same_v<E, wchar_t>;

// The builtin reduction `id` on E when MPI defines it: arithmetic ones on integers and floating
// point, sum and product on complex numbers, logical ones on integers and C_BOOL, bitwise ones on
// integers and MPI_BYTE (MPI-3.1 §5.9.2), MINLOC and MAXLOC on the pair types only (§5.9.4).
template <class E, class Op>
bool reduction(reduce_op& made) {
    constexpr builtin_op id = Op::id;
    if constexpr (is_pair<E> || detail::is_loc(id)) {
        if constexpr (is_pair<E> && detail::is_loc(id)) {
            made = detail::make_reduce_op<E>(Op{});
            return true;
        }
        return false;
    } else if constexpr (is_complex<E>) {
        if constexpr (id == builtin_op::sum || id == builtin_op::prod) {
            made = detail::make_reduce_op<E>(Op{});
            return true;
        }
        return false;
    } else if constexpr (std::is_same_v<E, packed_byte>) {
        return false;
    } else if constexpr (std::is_same_v<E, std::byte>) {
        if constexpr (detail::is_bitwise(id)) {
            made = detail::make_reduce_op<std::uint8_t>(Op{});
            return true;
        }
        return false;
    } else if constexpr (is_character<E>) {
        return false;
    } else if constexpr (std::is_same_v<E, bool>) {
        if constexpr (id == builtin_op::logical_and || id == builtin_op::logical_or || id == builtin_op::logical_xor) {
            made = detail::make_reduce_op<E>(Op{});
            return true;
        }
        return false;
    } else if constexpr (std::is_floating_point_v<E> && detail::is_bitwise(id)) {
        return false;
    } else {
        made = detail::make_reduce_op<E>(Op{});
        return true;
    }
}

template <class E>
bool reduction_on(MPI_Op op, reduce_op& made) {
    switch (op) {
        case MPI_SUM: return reduction<E, op::sum_t>(made);
        case MPI_PROD: return reduction<E, op::prod_t>(made);
        case MPI_MIN: return reduction<E, op::min_t>(made);
        case MPI_MAX: return reduction<E, op::max_t>(made);
        case MPI_LAND: return reduction<E, op::logical_and_t>(made);
        case MPI_LOR: return reduction<E, op::logical_or_t>(made);
        case MPI_LXOR: return reduction<E, op::logical_xor_t>(made);
        case MPI_BAND: return reduction<E, op::bit_and_t>(made);
        case MPI_BOR: return reduction<E, op::bit_or_t>(made);
        case MPI_BXOR: return reduction<E, op::bit_xor_t>(made);
        case MPI_MINLOC: return reduction<E, op::minloc_t>(made);
        case MPI_MAXLOC: return reduction<E, op::maxloc_t>(made);
        default: return false;
    }
}

}  // namespace

static_assert(std::size(names) == predefined_types, "a name for every predefined datatype");

const std::array<type_desc, predefined_types> predefined = [] {
    std::array<type_desc, predefined_types> made{};
    for (int datatype = 0; datatype < predefined_types; ++datatype) {
        made[static_cast<std::size_t>(datatype)].size = 0;
        with_type(datatype, [&](auto element) {
            made[static_cast<std::size_t>(datatype)] =
                type_desc{detail::native_kind<decltype(element)>(), sizeof element, names[datatype]};
        });
    }
    return made;
}();

std::size_t basic_size(MPI_Datatype datatype) {
    const type_desc* found = predefined_type(datatype);
    return found ? found->size : 0;
}

std::string_view basic_name(MPI_Datatype datatype) { return names[datatype]; }

type_desc type_of(const backend::comm_impl& comm, MPI_Datatype datatype, std::string_view operation,
                  const std::source_location& where) {
    if (const type_desc* found = predefined_type(datatype)) return *found;
    if (datatype >= first_derived_type)
        detail::throw_usage(comm, operation,
                            "a derived datatype (" + std::to_string(datatype) + ") is not supported in this call yet",
                            where);
    fail(MPI_ERR_TYPE, comm, operation,
         datatype == MPI_DATATYPE_NULL ? std::string("the datatype is MPI_DATATYPE_NULL")
                                       : std::to_string(datatype) + " is not a datatype",
         where);
}

reduce_op reduction_of(const backend::comm_impl& comm, MPI_Op op, MPI_Datatype datatype, std::string_view operation,
                       const std::source_location& where) {
    type_of(comm, datatype, operation, where);  // a datatype at all, before it is named below
    reduce_op made;
    bool defined = false;
    with_type(datatype, [&](auto element) { defined = reduction_on<decltype(element)>(op, made); });
    if (!defined)
        fail(MPI_ERR_OP, comm, operation,
                            op < MPI_SUM || op > MPI_MAXLOC
                                ? std::to_string(op) + " is not a reduction (MPI_Op)"
                                : "MPI does not define this reduction on " + std::string(names[datatype]),
                            where);
    return made;
}

}  // namespace baton::capi
