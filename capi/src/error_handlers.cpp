// MPI's error handlers and error classes (errors.hpp says which errors they take): setting and
// getting a communicator's handler, the program's own handlers, MPI_Error_class, MPI_Error_string.
#include <array>
#include <string>
#include <string_view>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace baton::capi {

void fail(int error_class, const backend::comm_impl& comm, std::string_view operation, const std::string& what,
          const std::source_location& where) {
    classified(error_class, [&] { detail::throw_usage(comm, operation, what, where); });
    __builtin_unreachable();
}

bool handled(int error_class) {
    rank_state& rank = current("an MPI error handler", {}, /*any_time=*/true);
    MPI_Comm comm = rank.errors_on;
    const auto set = rank.comm_errhandlers.find(comm);
    if (set == rank.comm_errhandlers.end() || set->second == MPI_ERRORS_ARE_FATAL) return false;
    if (set->second == MPI_ERRORS_RETURN) return true;
    // MPI-3.1 §8.3.1: the handler gets the communicator and the code; the call then returns the code.
    const error_handler* own = rank.error_handlers.find(set->second);
    int code = error_class;
    own->function(&comm, &code);
    return true;
}

}  // namespace baton::capi

namespace {

// A handler that can be set: predefined, or the program's and not freed.
void check_errhandler(const call& c, MPI_Errhandler errhandler) {
    if (errhandler == MPI_ERRORS_ARE_FATAL || errhandler == MPI_ERRORS_RETURN) return;
    const error_handler* own = c.rank.error_handlers.find(errhandler);
    if (!own || own->freed)
        fail(MPI_ERR_ARG, c.comm, c.name,
             "error handler " + std::to_string(errhandler) + " is not one (never made by MPI_Comm_create_errhandler, "
             "or freed)", c.where);
}

// MPI-3.1's classes, by number, with what each means (the standard's Table 8.1 and 8.2).
constexpr std::array<std::string_view, MPI_ERR_WIN + 1> class_texts{
    "MPI_SUCCESS: no error",
    "MPI_ERR_BUFFER: invalid buffer pointer",
    "MPI_ERR_COUNT: invalid count argument",
    "MPI_ERR_TYPE: invalid datatype argument",
    "MPI_ERR_TAG: invalid tag argument",
    "MPI_ERR_COMM: invalid communicator",
    "MPI_ERR_RANK: invalid rank",
    "MPI_ERR_REQUEST: invalid request (handle)",
    "MPI_ERR_ROOT: invalid root",
    "MPI_ERR_GROUP: invalid group",
    "MPI_ERR_OP: invalid operation",
    "MPI_ERR_TOPOLOGY: invalid topology",
    "MPI_ERR_DIMS: invalid dimension argument",
    "MPI_ERR_ARG: invalid argument of some other kind",
    "MPI_ERR_UNKNOWN: unknown error",
    "MPI_ERR_TRUNCATE: message truncated on receive",
    "MPI_ERR_OTHER: known error not in this list",
    "MPI_ERR_INTERN: internal MPI (implementation) error",
    "MPI_ERR_IN_STATUS: error code is in status",
    "MPI_ERR_PENDING: pending request",
    "MPI_ERR_ACCESS: permission denied",
    "MPI_ERR_AMODE: error related to the amode passed to MPI_FILE_OPEN",
    "MPI_ERR_ASSERT: invalid assert argument",
    "MPI_ERR_BAD_FILE: invalid file name",
    "MPI_ERR_BASE: invalid base passed to MPI_FREE_MEM",
    "MPI_ERR_CONVERSION: an error in a user supplied data conversion function",
    "MPI_ERR_DISP: invalid disp argument",
    "MPI_ERR_DUP_DATAREP: conversion functions could not be registered: the data representation is defined already",
    "MPI_ERR_FILE_EXISTS: file exists",
    "MPI_ERR_FILE_IN_USE: file operation could not be completed, as the file is in use",
    "MPI_ERR_FILE: invalid file handle",
    "MPI_ERR_INFO_KEY: key longer than MPI_MAX_INFO_KEY",
    "MPI_ERR_INFO_NOKEY: invalid key passed to MPI_INFO_DELETE",
    "MPI_ERR_INFO_VALUE: value longer than MPI_MAX_INFO_VAL",
    "MPI_ERR_INFO: invalid info argument",
    "MPI_ERR_IO: other I/O error",
    "MPI_ERR_KEYVAL: invalid keyval",
    "MPI_ERR_LOCKTYPE: invalid locktype argument",
    "MPI_ERR_NAME: invalid service name passed to MPI_LOOKUP_NAME",
    "MPI_ERR_NO_MEM: MPI_ALLOC_MEM failed because memory is exhausted",
    "MPI_ERR_NOT_SAME: collective argument not identical on all processes, or collective routines called in a "
    "different order",
    "MPI_ERR_NO_SPACE: not enough space",
    "MPI_ERR_NO_SUCH_FILE: file does not exist",
    "MPI_ERR_PORT: invalid port name passed to MPI_COMM_CONNECT",
    "MPI_ERR_QUOTA: quota exceeded",
    "MPI_ERR_READ_ONLY: read-only file or file system",
    "MPI_ERR_RMA_ATTACH: memory cannot be attached",
    "MPI_ERR_RMA_CONFLICT: conflicting accesses to window",
    "MPI_ERR_RMA_RANGE: target memory is not part of the window",
    "MPI_ERR_RMA_SHARED: memory cannot be shared",
    "MPI_ERR_RMA_SYNC: wrong synchronization of RMA calls",
    "MPI_ERR_RMA_FLAVOR: passed window has the wrong flavor for the called function",
    "MPI_ERR_SERVICE: invalid service name passed to MPI_UNPUBLISH_NAME",
    "MPI_ERR_SIZE: invalid size argument",
    "MPI_ERR_SPAWN: error in spawning processes",
    "MPI_ERR_UNSUPPORTED_DATAREP: unsupported datarep passed to MPI_FILE_SET_VIEW",
    "MPI_ERR_UNSUPPORTED_OPERATION: unsupported operation",
    "MPI_ERR_WIN: invalid win argument",
};

// Every code baton returns is its class; the numbers between the last class and
// MPI_ERR_LASTCODE are MPI_ERR_UNKNOWN's.
bool is_code(int code) { return code >= MPI_SUCCESS && code <= MPI_ERR_LASTCODE; }
int class_of(int code) { return code <= MPI_ERR_WIN ? code : MPI_ERR_UNKNOWN; }

}  // namespace

BATON_MPI_BODY(MPI_Comm_create_errhandler)(const baton_mpi_where* site, MPI_Comm_errhandler_function* function,
                                           MPI_Errhandler* errhandler) {
    const call c("MPI_Comm_create_errhandler", site, MPI_COMM_WORLD);
    if (!function || !errhandler)
        fail(MPI_ERR_ARG, c.comm, c.name, "the function or the MPI_Errhandler pointer is NULL", c.where);
    *errhandler = c.rank.error_handlers.keep(std::make_unique<error_handler>(error_handler{function}), c.made_here());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_create_errhandler, (MPI_Comm_errhandler_function * function, MPI_Errhandler* errhandler),
                       (function, errhandler))

BATON_MPI_BODY(MPI_Comm_set_errhandler)(const baton_mpi_where* site, MPI_Comm comm, MPI_Errhandler errhandler) {
    const call c("MPI_Comm_set_errhandler", site, comm);
    check_errhandler(c, errhandler);
    c.rank.comm_errhandlers[comm] = errhandler;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_set_errhandler, (MPI_Comm comm, MPI_Errhandler errhandler), (comm, errhandler))

BATON_MPI_BODY(MPI_Comm_get_errhandler)(const baton_mpi_where* site, MPI_Comm comm, MPI_Errhandler* errhandler) {
    const call c("MPI_Comm_get_errhandler", site, comm);
    if (!errhandler) fail(MPI_ERR_ARG, c.comm, c.name, "the MPI_Errhandler pointer is NULL", c.where);
    const auto set = c.rank.comm_errhandlers.find(comm);
    *errhandler = set == c.rank.comm_errhandlers.end() ? MPI_ERRORS_ARE_FATAL : set->second;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_get_errhandler, (MPI_Comm comm, MPI_Errhandler* errhandler), (comm, errhandler))

// The program raises `errorcode` on `comm` itself: its handler takes it as it takes baton's.
BATON_MPI_BODY(MPI_Comm_call_errhandler)(const baton_mpi_where* site, MPI_Comm comm, int errorcode) {
    const call c("MPI_Comm_call_errhandler", site, comm);
    fail(errorcode, c.comm, c.name, "the program raised error " + std::to_string(errorcode) + " on this communicator",
         c.where);
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_call_errhandler, (MPI_Comm comm, int errorcode), (comm, errorcode))

// Predefined handlers are never freed (MPI_Comm_get_errhandler may have given one): the handle
// becomes MPI_ERRHANDLER_NULL. A communicator goes on using a freed handler of the program's.
BATON_MPI_BODY(MPI_Errhandler_free)(const baton_mpi_where* site, MPI_Errhandler* errhandler) {
    const call c("MPI_Errhandler_free", site, MPI_COMM_WORLD);
    if (!errhandler) fail(MPI_ERR_ARG, c.comm, c.name, "the MPI_Errhandler pointer is NULL", c.where);
    check_errhandler(c, *errhandler);
    if (error_handler* own = c.rank.error_handlers.find(*errhandler)) own->freed = true;
    *errhandler = MPI_ERRHANDLER_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Errhandler_free, (MPI_Errhandler * errhandler), (errhandler))

BATON_MPI_BODY(MPI_Error_class)(const baton_mpi_where* site, int errorcode, int* errorclass) {
    const call c("MPI_Error_class", site, MPI_COMM_WORLD);
    if (!errorclass) fail(MPI_ERR_ARG, c.comm, c.name, "the class pointer is NULL", c.where);
    if (!is_code(errorcode)) fail(MPI_ERR_ARG, c.comm, c.name, std::to_string(errorcode) + " is not an error code", c.where);
    *errorclass = class_of(errorcode);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Error_class, (int errorcode, int* errorclass), (errorcode, errorclass))

// Callable at any time, as MPI_Error_string may be called before MPI_Init (MPI-3.1 §8.7).
BATON_MPI_BODY(MPI_Error_string)(const baton_mpi_where*, int errorcode, char* string, int* resultlen) {
    const std::string_view text = is_code(errorcode) ? class_texts[static_cast<std::size_t>(class_of(errorcode))]
                                                     : "not an MPI error code";
    put_text(text, string, resultlen, MPI_MAX_ERROR_STRING);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Error_string, (int errorcode, char* string, int* resultlen), (errorcode, string, resultlen))
