// The rank's requests by handle (rank_state::requests): what the calls that make one and the calls
// that complete one share.
#pragma once

#include <memory>

#include "arguments.hpp"

namespace baton::capi {

// A new request's handle: a pending operation (`pending`) or a persistent request (`persistent`),
// with the call that made it (for MPI_Finalize's report), its staged messages and what else it keeps.
inline MPI_Request keep_request(const call& c, std::unique_ptr<backend::request_impl> pending,
                                std::unique_ptr<backend::persistent_impl> persistent = nullptr,
                                std::unique_ptr<kept_for_completion> kept = nullptr) {
    auto entry = std::make_unique<request_entry>();
    entry->active = std::move(pending);
    entry->persistent = std::move(persistent);
    entry->staged = c.take_staged();
    entry->kept = std::move(kept);
    return c.rank.requests.keep(std::move(entry), c.made_here());
}

// Where a call writes the handle of the request it makes: a usage_error when NULL.
inline MPI_Request* request_output(const call& c, MPI_Request* request) {
    if (!request) fail(MPI_ERR_ARG, c.comm, c.name, "the request pointer is NULL", c.where);
    return request;
}

// A started collective's request, with what it keeps until it completes, in `*request`.
inline int keep_started(const call& c, MPI_Request* request, std::unique_ptr<backend::request_impl> started,
                        std::unique_ptr<kept_for_completion> kept) {
    *request_output(c, request) = keep_request(c, std::move(started), nullptr, std::move(kept));
    return MPI_SUCCESS;
}

}  // namespace baton::capi
