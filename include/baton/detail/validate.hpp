// Backend-independent checks of arguments, made before a call reaches the backend. Each throws
// usage_error with a message naming the rank, the communicator, the operation and the call site.
#pragma once

#include <cstddef>
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

}  // namespace baton::detail
