#include "errors.hpp"

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>
#include <baton/status.hpp>

namespace baton::mpi::detail {

comm_info::~comm_info() {
    if (!owned || handle == MPI_COMM_NULL) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&handle);
}

std::string who(const comm_info& comm) { return baton::detail::format_rank(comm.world_rank, comm.name, comm.rank); }

std::string describe_failure(const comm_info& comm, std::string_view call, const std::source_location& where,
                             std::string_view what) {
    return fmt::format("{}: {} at {}: {}", who(comm), call, baton::detail::format_location(where), what);
}

std::exception_ptr mpi_error(int code, const std::string& context, const std::string& detail) {
    int error_class = code;
    MPI_Error_class(code, &error_class);
    char text[MPI_MAX_ERROR_STRING] = {};
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
    const std::string mpi_text =
        length > 0 ? std::string(text, static_cast<std::size_t>(length)) : fmt::format("error code {}", code);
    switch (error_class) {
        case MPI_ERR_TRUNCATE:
            return std::make_exception_ptr(truncation_error(fmt::format(
                "{}: {} (MPI: {})", context,
                detail.empty() ? std::string("the message is longer than the receive buffer") : detail, mpi_text)));
        case MPI_ERR_BUFFER:
        case MPI_ERR_COUNT:
        case MPI_ERR_TYPE:
        case MPI_ERR_TAG:
        case MPI_ERR_COMM:
        case MPI_ERR_RANK:
        case MPI_ERR_ROOT:
        case MPI_ERR_OP:
        case MPI_ERR_ARG:
        case MPI_ERR_REQUEST:
            return std::make_exception_ptr(usage_error(
                fmt::format("{}: {}MPI: {}", context, detail.empty() ? "" : detail + " ", mpi_text)));
        default:
            return std::make_exception_ptr(
                error(fmt::format("{}: {}MPI: {}", context, detail.empty() ? "" : detail + " ", mpi_text)));
    }
}

void raise(int code, const comm_info& comm, std::string_view call, const std::source_location& where) {
    std::rethrow_exception(mpi_error(
        code, fmt::format("{}: {} at {}", who(comm), call, baton::detail::format_location(where))));
}

void count_too_large(std::size_t count, const comm_info& comm, std::string_view call,
                     const std::source_location& where) {
    throw usage_error(describe_failure(
        comm, call, where,
        fmt::format("{} elements are more than the {} an MPI {}.{} call can carry; send the data in parts",
                    count, INT_MAX, MPI_VERSION, MPI_SUBVERSION)));
}

std::string shown_rank(int rank) {
    return rank == any_source ? "any_source" : rank == proc_null ? "proc_null" : std::to_string(rank);
}
std::string shown_tag(int tag) { return tag == any_tag ? "any_tag" : std::to_string(tag); }

}  // namespace baton::mpi::detail
