// Derived datatypes (MPI_Type_contiguous, _vector, _create_struct, ...): a type map flattened into
// runs of predefined elements at byte offsets, with MPI's lower bound and extent. A message of a
// derived type travels packed: as its one predefined element type when the type map has only one
// (so three MPI_DOUBLEs match a vector of three doubles, as MPI's type signatures do), otherwise
// as bytes named by its type signature (so a receive of another signature is reported, whatever
// the sizes). The rank packs what it sends and unpacks what it receives (staged_message).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <baton/backend.hpp>

#include <mpi.h>

namespace baton::capi {

// `count` consecutive elements of the predefined `basic` type at `offset` bytes.
struct type_run {
    std::ptrdiff_t offset = 0;
    MPI_Datatype basic = MPI_DATATYPE_NULL;
    std::size_t count = 0;
};

struct derived_type {
    std::vector<type_run> runs;
    std::ptrdiff_t lb = 0, extent = 0;  // MPI_Type_get_extent's
    std::size_t size = 0;               // bytes of data in one element (MPI_Type_size)
    bool committed = false;
    // The one predefined type of every run, or MPI_DATATYPE_NULL when there are several.
    MPI_Datatype only_basic = MPI_DATATYPE_NULL;
    // With several: what its messages are matched by (type_signatures.cpp).
    std::string_view signature;
};

// The name a message of `type` (several predefined types) travels under: its MPI type signature
// (MPI-3.1 §3.3.1: the sequence of predefined types, displacements left out) reduced to the
// shortest sequence it repeats, so that 2 x {int, double} and 1 x contiguous(2, {int, double})
// match as MPI says. Interned: the same text for the same signature, for the whole run.
std::string_view signature_of(const derived_type& type);

// The first handle of a datatype the program makes: after MPI's predefined ones.
inline constexpr int first_derived_type = 64;

// A derived type's message, packed: what a call sends from, or receives into before it unpacks.
struct staged_message {
    std::vector<std::byte> bytes;
    std::shared_ptr<const derived_type> type;
    void* user = nullptr;  // the program's buffer a receive unpacks into
    const void* from = nullptr;  // the program's buffer a send packed (again at each MPI_Start if persistent)
    std::size_t count = 0;  // elements of `type`
    bool receives = false;
    bool whole = true;  // a collective's, unpacked whole; a receive's, as far as its status says
    bool unpacked = false;
    // Moves the first `arrived` bytes into the program's buffer (a receive may bring fewer elements).
    void unpack(std::size_t arrived);
    // A persistent request's next activation: a send packs the program's buffer again (in place:
    // the backend holds the bytes' address), a receive will unpack again.
    void restart();
};

// The address `offset` bytes from `base`, computed as an integer: from MPI_BOTTOM (address 0) a
// datatype's displacements are absolute addresses (MPI_Get_address), and pointer arithmetic on a
// null pointer is undefined.
inline std::byte* address_at(const void* base, std::ptrdiff_t offset) {
    return reinterpret_cast<std::byte*>(reinterpret_cast<std::uintptr_t>(base) + static_cast<std::uintptr_t>(offset));
}

// The bytes one element of `type`'s data really spans, from its first byte to its last, whatever
// its lb and extent say (MPI_Type_get_true_extent): an empty type spans none, at 0.
void true_bounds(const derived_type& type, std::ptrdiff_t& lb, std::ptrdiff_t& extent);

// How many predefined elements `bytes` of packed `type` hold.
std::size_t elements_in(const derived_type& type, std::size_t bytes);

// Packs `count` elements of `type` from `from`, into `into` (count * type.size bytes) or a new vector.
void pack_into(const derived_type& type, const void* from, std::size_t count, std::byte* into);
std::vector<std::byte> pack(const derived_type& type, const void* from, std::size_t count);

// Unpacks the first `bytes` of `packed` (elements of `type`, at most `count`) into the buffer `into`.
void unpack(const derived_type& type, const std::byte* packed, std::size_t bytes, void* into, std::size_t count);

struct call;
// The type map of a datatype handle, made or predefined (one run of one element), or a usage_error.
std::shared_ptr<const derived_type> map_of(const call& c, MPI_Datatype datatype);

}  // namespace baton::capi
