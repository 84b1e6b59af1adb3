#include <baton/communicator.hpp>

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

}  // namespace baton
