// Backend-independent checks of arguments, made before a call reaches the backend. Each throws
// usage_error with a message naming the rank, the communicator, the operation and the call site.
#pragma once

#include <cstddef>
#include <cstdint>
#include <source_location>
#include <span>
#include <string>
#include <string_view>

#include <baton/backend.hpp>

namespace baton::detail {

// "file.cpp:42", with the build directory's leading "../" taken off.
std::string format_location(const std::source_location& where);

// How messages name a rank: "rank 5" in the world, "rank 5 (rank 1 of world.split1(color=1))"
// in another communicator.
std::string format_rank(int world_rank, const std::string& comm_name, int comm_rank);

[[noreturn]] void throw_usage(const backend::comm_impl& comm, std::string_view operation,
                              const std::string& what, const std::source_location& where);

// request::cancel of a send (`operation`: "isend", ...), refused on every backend.
[[noreturn]] void throw_cancel_of_send(int world_rank, std::string_view operation, const std::source_location& where);
// A non-blocking collective's cancel: MPI does not allow it.
[[noreturn]] void throw_cancel_of_collective(int world_rank, std::string_view operation,
                                             const std::source_location& where);
// An ireduce or iallreduce whose result is its input's memory: MPI wants MPI_IN_PLACE for that,
// which the non-blocking forms do not offer here.
[[noreturn]] void throw_aliased_reduction(int world_rank, std::string_view operation,
                                          const std::source_location& where);

// What any operation on a null communicator (split's, for color baton::undefined) throws.
[[noreturn]] void throw_null_communicator(std::string_view operation, const std::source_location& where);

// `role` is "dest", "source" or "root"; any_source passes only where `wildcard_ok`.
void check_rank(const backend::comm_impl& comm, int rank, std::string_view operation,
                std::string_view role, bool wildcard_ok, const std::source_location& where);

void check_tag(const backend::comm_impl& comm, int tag, std::string_view operation, bool wildcard_ok,
               const std::source_location& where);

// `count` elements must split evenly into one block per rank (scatter's root, alltoall).
void check_divisible(const backend::comm_impl& comm, std::size_t count, std::string_view operation,
                     const std::source_location& where);

// scatterv's root: one count per rank, adding up to the elements given.
void check_counts(const backend::comm_impl& comm, std::span<const std::size_t> counts, std::size_t total,
                  std::string_view operation, const std::source_location& where);

// A non-blocking v-collective's result (igatherv's root, iallgatherv, ialltoallv): a ragged shaped
// beforehand with one block per rank, its elements their sum.
void check_result_shape(const backend::comm_impl& comm, std::span<const std::size_t> counts, std::size_t total,
                        std::string_view operation, const std::source_location& where);

// Whether two byte ranges share a byte (empty ones share none).
inline bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
    const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
    return a_bytes > 0 && b_bytes > 0 && x < y + b_bytes && y < x + a_bytes;
}

// A call that sends and receives at once (sendrecv) needs disjoint buffers, as MPI_Sendrecv does.
[[noreturn]] void throw_overlap(const backend::comm_impl& comm, std::size_t send_bytes, std::size_t recv_bytes,
                                std::string_view operation, const std::source_location& where);
inline void check_disjoint(const backend::comm_impl& comm, const backend::send_view& out,
                           const backend::recv_buffer& in, std::string_view operation,
                           const std::source_location& where) {
    const std::size_t send_bytes = out.count * out.type.size, recv_bytes = in.count * in.type.size;
    if (overlap(out.data, send_bytes, in.data, recv_bytes)) [[unlikely]]
        throw_overlap(comm, send_bytes, recv_bytes, operation, where);
}

}  // namespace baton::detail
