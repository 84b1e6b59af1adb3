// MPI's error handling for the C API: which of baton's errors MPI would return to the program,
// with which error class, and one wrapper every baton_MPI_X_at goes through (BATON_MPI_WITHOUT_SITE
// in arguments.hpp) that gives the error to the communicator's error handler.
//
// Two kinds of error:
// - A mistake in one call's own arguments, which MPI defines a class for (a bad rank, tag, count,
//   datatype, communicator, request, root, reduction, buffer) and a message longer than its
//   receive (MPI_ERR_TRUNCATE): thrown as mpi_error (or baton's truncation_error). Under
//   MPI_ERRORS_ARE_FATAL (the default) the run ends with baton's report, as before; under
//   MPI_ERRORS_RETURN the call returns the class, quietly (the program asked to handle its errors:
//   it may be testing its error paths); a handler of the program's own is called with the
//   communicator and the class, then the call returns it.
// - What only the checker sees, which MPI would not return: a deadlock, a collective called
//   differently, a message received as another type signature, requests still active at
//   MPI_Finalize, a call before MPI_Init or after MPI_Finalize, a call baton does not support.
//   These are the program's bugs whatever its error handler: they always end the run with the
//   report (every other usage_error, check_failed, the run's own unwinding).
#pragma once

#include <source_location>
#include <string>
#include <string_view>
#include <utility>

#include <baton/errors.hpp>

#include <mpi.h>

namespace baton::backend {
class comm_impl;
}

namespace baton::capi {

// A usage_error that MPI returns under MPI_ERRORS_RETURN, with its class. It never leaves a
// baton_MPI_X_at: under MPI_ERRORS_ARE_FATAL the wrapper throws the plain usage_error (what a
// process rank's report knows how to carry).
class mpi_error : public usage_error {
public:
    mpi_error(int error_class, const usage_error& e) : usage_error(e), error_class_(error_class) {}
    int error_class() const noexcept { return error_class_; }

private:
    int error_class_;
};

// throw_usage's error (the same report), in MPI's class `error_class`.
[[noreturn]] void fail(int error_class, const backend::comm_impl& comm, std::string_view operation,
                       const std::string& what, const std::source_location& where);

// Runs `check`, giving the usage_error it throws (one of baton's own checks) MPI's `error_class`.
template <class Check>
void classified(int error_class, Check&& check) {
    try {
        std::forward<Check>(check)();
    } catch (const mpi_error&) {
        throw;
    } catch (const usage_error& e) {
        throw mpi_error(error_class, e);
    }
}

// The error handler of the communicator the failed call was on (MPI_COMM_WORLD's when the call has
// none, or its communicator was not one) takes `error_class`: true when the call is to return it
// (MPI_ERRORS_RETURN, or a handler of the program's, already called), false when the run ends.
bool handled(int error_class);

// What every baton_MPI_X_at is: `body`, with the errors MPI returns given to the error handler.
template <class Body>
int returning_errors(Body&& body) {
    try {
        return std::forward<Body>(body)();
    } catch (const mpi_error& e) {
        if (handled(e.error_class())) return e.error_class();
        throw usage_error(e);  // sliced: the report's own type
    } catch (const truncation_error&) {
        if (handled(MPI_ERR_TRUNCATE)) return MPI_ERR_TRUNCATE;
        throw;
    }
}

}  // namespace baton::capi
