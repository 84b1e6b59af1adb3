// baton's element types as MPI datatypes.
//
//  - arithmetic types, bool and std::complex map to MPI's own datatypes (MPI_INT32_T, MPI_DOUBLE,
//    MPI_CXX_BOOL, MPI_CXX_DOUBLE_COMPLEX, ...), so MPI reduces them natively;
//  - any other trivially copyable type (a plain struct) is a contiguous datatype of its size in
//    bytes, made and committed once per size, and sent straight from its memory;
//  - serialized values travel as MPI_BYTE, their count being their size in bytes.
#pragma once

#include <baton/datatype.hpp>
#include <baton/ops.hpp>

#include <baton/detail/mpi_c_api.hpp>

#include "hidden.hpp"

namespace baton::mpi::detail {

constexpr int element_kinds = static_cast<int>(element_kind::complex_float64) + 1;
constexpr int builtin_ops = static_cast<int>(builtin_op::maxloc) + 1;

// MPI's datatype for each element kind; MPI_DATATYPE_NULL for `bytes` (a struct: by its size).
// Filled by init_datatypes() once MPI is initialized.
BATON_MPI_HIDDEN extern MPI_Datatype native_types[element_kinds];
void init_datatypes();
// The contiguous datatype of `size` bytes for structs, made and committed on first use.
MPI_Datatype struct_type(std::size_t size);

// The datatype that moves elements of `type`.
inline MPI_Datatype transfer_type(const type_desc& type) {
    const MPI_Datatype native = native_types[static_cast<int>(type.kind)];
    return native != MPI_DATATYPE_NULL ? native : struct_type(type.size);
}

// The datatype to reduce elements of `type` with `op` natively, or MPI_DATATYPE_NULL when MPI has
// no predefined reduction of that kind for that type (then a user operation is used).
MPI_Datatype native_reduction_type(const type_desc& type, builtin_op op);

// Frees the datatypes made for structs; called before MPI_Finalize.
void free_datatypes();

}  // namespace baton::mpi::detail
