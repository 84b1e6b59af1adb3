// A bound on a receive into a std::vector or std::string: what MPI's receive count is.
//
//     std::vector<double> v;
//     world.recv(v, 0, tag, baton::at_most(1024));   // v.size() is what came, 1024 at most
//
// Without a bound, a resizable receive must learn the message's length before it can take the
// message (on MPI a matched probe, then the receive); with one, it is one receive of up to that
// many elements, as fast as a receive into a fixed buffer. A longer message is never cut short in
// silence: it is a truncation_error, as it is for a fixed buffer of that many elements.
#pragma once

#include <cstddef>

namespace baton {

struct at_most {
    explicit constexpr at_most(std::size_t elements) noexcept : count(elements) {}
    std::size_t count;
};

}  // namespace baton
