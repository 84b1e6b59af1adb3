// MPI's error codes as baton's exceptions. MPI's error handler is set to MPI_ERRORS_RETURN on the
// world (and so on every communicator made from it); every call's code goes through check().
#pragma once

#include <climits>
#include <cstddef>
#include <exception>
#include <source_location>
#include <string>
#include <string_view>

#include <baton/detail/mpi_c_api.hpp>

namespace baton::mpi::detail {

// Who a message is about: a rank of a communicator.
struct comm_info {
    MPI_Comm handle = MPI_COMM_NULL;
    std::string name;    // "world", "world.split1(color=0)", as on the simulator
    int rank = 0;
    int size = 1;
    int world_rank = 0;
    bool owned = false;  // freed with MPI_Comm_free when the last user lets go

    comm_info() = default;
    comm_info(const comm_info&) = delete;
    comm_info& operator=(const comm_info&) = delete;
    ~comm_info();
};

// "rank 2: recv(source=1, tag=0, comm=world) at app.cpp:12: <what>": how every message of the
// MPI backend reads, like the simulator's (a rank of another communicator than the world is
// "rank 5 (rank 1 of world.split1(color=1))").
std::string describe_failure(const comm_info& comm, std::string_view call, const std::source_location& where,
                             std::string_view what);

// "rank 2", or "rank 5 (rank 1 of world.split1(color=1))".
std::string who(const comm_info& comm);

// The baton exception for MPI error `code` (truncation_error, usage_error or error), its message
// `context` followed by what went wrong; `detail` replaces the generic explanation if not empty.
std::exception_ptr mpi_error(int code, const std::string& context, const std::string& detail = {});

// Throws the baton exception for MPI error `code`.
[[noreturn, gnu::cold]] void raise(int code, const comm_info& comm, std::string_view call,
                                   const std::source_location& where);

// Throws when `code` is not MPI_SUCCESS. `call` describes the operation; it is only invoked on
// failure, so building its text costs nothing on success.
template <class Describe>
inline void check(int code, const comm_info& comm, const std::source_location& where, Describe&& call) {
    if (code != MPI_SUCCESS) [[unlikely]]
        raise(code, comm, call(), where);
}

// An element count as MPI's int; counts above INT_MAX throw a usage_error (MPI 3.1 has no
// large-count calls, and wrapping would silently send the wrong amount).
[[noreturn, gnu::cold]] void count_too_large(std::size_t count, const comm_info& comm, std::string_view call,
                                  const std::source_location& where);
inline int to_int(std::size_t count, const comm_info& comm, std::string_view call,
                  const std::source_location& where) {
    if (count > static_cast<std::size_t>(INT_MAX)) [[unlikely]]
        count_too_large(count, comm, call, where);
    return static_cast<int>(count);
}
// The same for an operation named by a literal held as a pointer (a send mode's name): its length
// is taken only when the error is made, not on every call.
inline int to_int(std::size_t count, const comm_info& comm, const char* call, const std::source_location& where) {
    if (count > static_cast<std::size_t>(INT_MAX)) [[unlikely]]
        count_too_large(count, comm, call, where);
    return static_cast<int>(count);
}

// "any_source" / "3", "any_tag" / "7".
std::string shown_rank(int rank);
std::string shown_tag(int tag);

}  // namespace baton::mpi::detail
