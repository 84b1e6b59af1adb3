#include <baton/communicator.hpp>

#include <baton/errors.hpp>

namespace baton {

namespace detail {

void throw_null_communicator() {
    throw usage_error("use of a null communicator (one that split gave a rank whose color was "
                      "baton::undefined)");
}

}  // namespace detail

communicator communicator::split(int color, int key, location where) {
    if (color < 0 && color != undefined)
        detail::throw_usage(impl(), "split", "color must be non-negative or baton::undefined", where);
    return communicator(impl().split(color, key, where));
}

}  // namespace baton
