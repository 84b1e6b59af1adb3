#include "datatypes.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <type_traits>

namespace baton::mpi::detail {

namespace {

// Contiguous byte datatypes for trivially copyable types that are not arithmetic, by size: made
// and committed on a struct's first message, then found again without a search for the sizes
// structs usually have, and in a map beyond.
constexpr std::size_t indexed_sizes = 512;
struct made_types {
    std::array<MPI_Datatype, indexed_sizes> by_size{};
    std::array<bool, indexed_sizes> made{};
    std::map<std::size_t, MPI_Datatype> larger;
};
made_types& struct_types() {
    static made_types types;
    return types;
}

MPI_Datatype make_struct_type(std::size_t size) {
    MPI_Datatype type = MPI_DATATYPE_NULL;
    // Sizes of C++ objects fit MPI's int for any type one would send by value.
    MPI_Type_contiguous(static_cast<int>(size), MPI_BYTE, &type);
    MPI_Type_commit(&type);
    return type;
}

}  // namespace

MPI_Datatype struct_type(std::size_t size) {
    if (size == 1) return MPI_BYTE;
    made_types& types = struct_types();
    if (size < indexed_sizes) [[likely]] {
        if (!types.made[size]) {
            types.by_size[size] = make_struct_type(size);
            types.made[size] = true;
        }
        return types.by_size[size];
    }
    if (auto found = types.larger.find(size); found != types.larger.end()) return found->second;
    return types.larger.emplace(size, make_struct_type(size)).first->second;
}

MPI_Datatype native_types[element_kinds] = {};

// MPI's predefined datatypes are constants, but the standard promises them usable only once MPI is
// initialized; the table is filled then, so that each message's lookup is one load.
void init_datatypes() {
    const MPI_Datatype table[element_kinds] = {
        MPI_DATATYPE_NULL,  // bytes: a struct, by its size
        MPI_BYTE,           // serialized
        MPI_CXX_BOOL, MPI_CHAR,
        MPI_INT8_T, MPI_UINT8_T, MPI_INT16_T, MPI_UINT16_T, MPI_INT32_T, MPI_UINT32_T, MPI_INT64_T, MPI_UINT64_T,
        MPI_FLOAT, MPI_DOUBLE, MPI_LONG_DOUBLE,
        MPI_CXX_FLOAT_COMPLEX, MPI_CXX_DOUBLE_COMPLEX,
    };
    static_assert(static_cast<int>(element_kind::int8) == 4 && static_cast<int>(element_kind::long_double) == 14,
                  "the table follows element_kind's order");
    std::copy(std::begin(table), std::end(table), native_types);
}

// The operations MPI predefines for each group of basic datatypes (MPI 3.1, section 5.9.2).
MPI_Datatype native_reduction_type(const type_desc& type, builtin_op op) {
    const element_kind kind = type.kind;
    if (!baton::detail::mpi_predefines(op, kind)) return MPI_DATATYPE_NULL;
    // MPI_CHAR is a text type, not one of MPI's integer types for reductions: reduce a char as
    // the signed or unsigned char it is.
    if (kind == element_kind::character) return std::is_signed_v<char> ? MPI_SIGNED_CHAR : MPI_UNSIGNED_CHAR;
    return transfer_type(type);
}

void free_datatypes() {
    made_types& types = struct_types();
    for (std::size_t size = 0; size < indexed_sizes; ++size)
        if (types.made[size]) MPI_Type_free(&types.by_size[size]);
    for (auto& [size, type] : types.larger) MPI_Type_free(&type);
    types = made_types{};
}

}  // namespace baton::mpi::detail
