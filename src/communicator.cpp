#include <baton/communicator.hpp>

#include <cstdlib>

#include <fmt/format.h>

#include <baton/errors.hpp>

namespace baton {

namespace detail {

void throw_null_communicator(std::string_view operation, const std::source_location& where) {
    throw usage_error(fmt::format("{} at {}: use of a null communicator (one that split gave a rank whose color "
                                  "was baton::undefined, or cart_create a rank beyond its grid)",
                                  operation, format_location(where)),
                      {{-1, fmt::format("{}(comm=null)", operation), format_location(where)}});
}

}  // namespace detail

communicator communicator::split(int color, int key, location where) {
    if (color < 0 && color != undefined)
        detail::throw_usage(impl("split", where), "split", "color must be non-negative or baton::undefined", where);
    return communicator(impl("split", where).split(color, key, where));
}

void communicator::abort(int code, location where) {
    backend::comm_impl& comm = impl("abort", where);
    // The code becomes the exit status, which keeps only its low 8 bits: abort(256) would end the
    // run "successfully".
    if (code < 0 || code > 255)
        detail::throw_usage(comm, "abort",
                            fmt::format("code {} cannot be an exit status (0..255)", code), where);
    comm.abort(code, where);
    std::abort();  // unreachable: a backend's abort ends the run (the compiler cannot see through the virtual call)
}

}  // namespace baton
