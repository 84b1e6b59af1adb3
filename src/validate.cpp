#include <baton/detail/validate.hpp>

#include <numeric>

#include <fmt/format.h>

#include <baton/errors.hpp>
#include <baton/status.hpp>

namespace baton::detail {

std::string format_location(const std::source_location& where) {
    std::string_view file = where.file_name();
    while (file.starts_with("../")) file.remove_prefix(3);
    return fmt::format("{}:{}", file, where.line());
}

std::string format_rank(int world_rank, const std::string& comm_name, int comm_rank) {
    if (comm_name == "world") return fmt::format("rank {}", world_rank);
    return fmt::format("rank {} (rank {} of {})", world_rank, comm_rank, comm_name);
}

void throw_usage(const backend::comm_impl& comm, std::string_view operation, const std::string& what,
                 const std::source_location& where) {
    throw usage_error(fmt::format("{}: {} at {}: {}", format_rank(comm.world_rank(), comm.name(), comm.rank()),
                                  operation, format_location(where), what),
                      {{comm.world_rank(), fmt::format("{}(comm={})", operation, comm.name()), format_location(where), {},
                        {}, comm.name() == "world" ? "" : fmt::format("rank {} of {}", comm.rank(), comm.name())}});
}

void throw_cancel_of_send(int world_rank, std::string_view operation, const std::source_location& where) {
    throw usage_error(fmt::format("rank {}: cancel at {} of its {}: baton cancels receives only (MPI 4.0 deprecates "
                                  "cancelling a send, and Open MPI may not cancel one); wait for the send instead",
                                  world_rank, format_location(where), operation),
                      {{world_rank, "cancel", format_location(where)}});
}

void throw_cancel_of_collective(int world_rank, std::string_view operation, const std::source_location& where) {
    throw usage_error(fmt::format("rank {}: cancel at {} of its {}: a non-blocking collective cannot be cancelled "
                                  "(MPI-3.1 5.12); wait for it instead",
                                  world_rank, format_location(where), operation),
                      {{world_rank, "cancel", format_location(where)}});
}

void throw_aliased_reduction(int world_rank, std::string_view operation, const std::source_location& where) {
    // The blocking in-place form where there is one.
    const std::string_view instead = operation == "ireduce"      ? "reduce_in_place(data, op, root) (blocking), or "
                                     : operation == "iallreduce" ? "allreduce_in_place(data, op) (blocking), or "
                                                                 : "";
    throw usage_error(fmt::format("rank {}: {} at {}: the result is the input's memory (one variable given as both); "
                                  "MPI forbids aliased buffers, and the non-blocking reductions have no in-place "
                                  "form here: use {}a variable of its own for the result",
                                  world_rank, operation, format_location(where), instead),
                      {{world_rank, std::string(operation), format_location(where)}});
}

void check_rank(const backend::comm_impl& comm, int rank, std::string_view operation, std::string_view role,
                bool wildcard_ok, const std::source_location& where) {
    if (rank == any_source && wildcard_ok) return;
    if (rank >= 0 && rank < comm.size()) return;
    const std::string shown = rank == any_source ? "any_source" : rank == proc_null ? "proc_null" : std::to_string(rank);
    const std::string hint = rank == any_source  ? " (any_source is only for receives and probes)"
                             : rank == proc_null ? " (proc_null is only for point-to-point calls)"
                                                 : "";
    throw_usage(comm, operation,
                fmt::format("{} {} is not a rank of {} (ranks 0..{}){}", role, shown, comm.name(),
                            comm.size() - 1, hint),
                where);
}

void check_tag(const backend::comm_impl& comm, int tag, std::string_view operation, bool wildcard_ok,
               const std::source_location& where) {
    if (tag == any_tag && wildcard_ok) return;
    if (tag >= 0 && tag <= max_tag) return;
    if (tag == any_tag)
        throw_usage(comm, operation, "tag any_tag is only for receives and probes", where);
    throw_usage(comm, operation,
                fmt::format("tag {} is outside 0..{} (the tags every MPI accepts)", tag, max_tag), where);
}

void check_divisible(const backend::comm_impl& comm, std::size_t count, std::string_view operation,
                     const std::source_location& where) {
    const auto ranks = static_cast<std::size_t>(comm.size());
    if (count % ranks == 0) return;
    throw_usage(comm, operation,
                fmt::format("{} elements do not split into {} equal blocks (use {}v for unequal blocks)",
                            count, ranks, operation),
                where);
}

void check_counts(const backend::comm_impl& comm, std::span<const std::size_t> counts, std::size_t total,
                  std::string_view operation, const std::source_location& where) {
    if (counts.size() != static_cast<std::size_t>(comm.size()))
        throw_usage(comm, operation,
                    fmt::format("{} blocks given for {} ranks", counts.size(), comm.size()), where);
    const std::size_t sum = std::accumulate(counts.begin(), counts.end(), std::size_t{0});
    if (sum != total)
        throw_usage(comm, operation,
                    fmt::format("block counts add up to {} but {} elements were given", sum, total), where);
}

void check_result_shape(const backend::comm_impl& comm, std::span<const std::size_t> counts, std::size_t total,
                        std::string_view operation, const std::source_location& where) {
    const std::size_t sum = std::accumulate(counts.begin(), counts.end(), std::size_t{0});
    if (counts.size() == static_cast<std::size_t>(comm.size()) && sum == total) return;
    if (counts.size() == static_cast<std::size_t>(comm.size()))
        throw_usage(comm, operation,
                    fmt::format("the ragged result's blocks add up to {} elements but it holds {}", sum, total), where);
    throw_usage(comm, operation,
                fmt::format("the ragged result has {} blocks for {} ranks: it must be shaped before the call with "
                            "one block per rank, of the count that rank sends (baton::ragged<E>(counts)), as MPI "
                            "wants a receiver's counts before anything arrives",
                            counts.size(), comm.size()),
                where);
}

void throw_overlap(const backend::comm_impl& comm, std::size_t send_bytes, std::size_t recv_bytes,
                   std::string_view operation, const std::source_location& where) {
    throw_usage(comm, operation,
                fmt::format("the receive buffer ({} bytes) overlaps the send buffer ({} bytes): MPI needs them "
                            "disjoint, as the receive would overwrite data the send may still be reading (receive "
                            "into another buffer, then copy)",
                            recv_bytes, send_bytes),
                where);
}

}  // namespace baton::detail

namespace baton::detail {

void throw_partial_count(const status& s, std::string_view type, std::size_t size) {
    throw type_mismatch_error(fmt::format(
        "status::count<{}>(): the message from rank {} (tag {}) has {} bytes, not a whole number of {} ({} bytes "
        "each): it holds another type",
        type, s.source, s.tag, s.bytes, type, size));
}

}  // namespace baton::detail
