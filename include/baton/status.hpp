// Wildcards and the status of a received (or probed) message.
#pragma once

#include <cstddef>
#include <string_view>

#include <baton/datatype.hpp>

namespace baton {

inline constexpr int any_source = -1;  // receive from whichever rank's message is matched
inline constexpr int any_tag = -1;     // receive whatever the tag
inline constexpr int undefined = -32766;  // split(): this rank joins no new communicator
// A peer that is no rank (MPI_PROC_NULL): a send to it or a receive from it completes at once and
// moves nothing; the receive's status has source proc_null, tag any_tag and count 0. What a
// halo exchange names beyond the edge of a grid that does not wrap around.
inline constexpr int proc_null = -2;

// The smallest tag upper bound MPI guarantees everywhere. baton refuses larger tags on every
// backend, so a program that runs on the simulator runs on any MPI.
inline constexpr int max_tag = 32767;

struct status;

namespace detail {
// status::count<T>() of a message that is not a whole number of T: a type_mismatch_error.
[[noreturn]] void throw_partial_count(const status& s, std::string_view type, std::size_t size);
}  // namespace detail

struct status {
    int source = any_source;  // the sender's rank in the communicator (proc_null: none)
    int tag = any_tag;
    // The message's size in bytes (of its serialized form, for a serialized value). Every backend
    // counts in bytes: a probe on MPI cannot know the element type, and a count that meant
    // elements on one backend and bytes on another sized buffers right only on one of them.
    std::size_t bytes = 0;
    // The receive was cancelled (request::cancel) before a message matched it: nothing arrived
    // (MPI_Test_cancelled). A field, as source, tag and bytes are.
    bool cancelled = false;

    // How many elements of T the message holds: T is the element (double) or a range of it
    // (std::vector<double>, std::string). What a probe's count<double>() says is what a receive
    // into that many doubles takes. A message that is not a whole number of T holds another type:
    // a type_mismatch_error.
    template <class T>
    std::size_t count() const {
        using E = element_t<T>;
        static_assert(trivially_sendable<E>,
                      "baton: a serialized value has no element count (status::bytes is the size of its serialized "
                      "form): receive it as its type, which sizes itself");
        if (bytes % sizeof(E) != 0) [[unlikely]]
            detail::throw_partial_count(*this, detail::type_name_v<E>, sizeof(E));
        return bytes / sizeof(E);
    }
};

}  // namespace baton
