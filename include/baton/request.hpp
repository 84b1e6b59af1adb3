// Requests of non-blocking operations (isend, irecv) and waiting on them.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <vector>

#include <baton/backend.hpp>
#include <baton/status.hpp>

namespace baton {

class communicator;
class request;

// Which request wait_any completed, and its status.
struct completion {
    std::size_t index = 0;
    baton::status status;
};

// Waits for one of the pending requests to complete; returns its index and status, or nothing
// when none of them is pending.
std::optional<completion> wait_any(std::span<request> requests,
                                   std::source_location where = std::source_location::current());

// Waits for every request; returns their statuses in order.
std::vector<status> wait_all(std::span<request> requests,
                             std::source_location where = std::source_location::current());

// A pending isend or irecv. It completes in wait() or test(); after that it is inactive, as
// MPI_REQUEST_NULL is: wait_all and wait_any skip it and test() returns an empty status, but a
// second wait() on it is a usage_error (waiting twice for one operation is a bug).
class request {
public:
    request() = default;
    request(request&&) noexcept = default;
    request& operator=(request&&) noexcept = default;
    // The pending operation goes first: on MPI it may still read the data that keepalive_ owns.
    ~request() { impl_.reset(); }

    // True until the operation has completed in wait() or test().
    bool pending() const { return impl_ != nullptr; }

    status wait(std::source_location where = std::source_location::current());
    std::optional<status> test(std::source_location where = std::source_location::current());

private:
    friend class communicator;
    friend std::optional<completion> wait_any(std::span<request>, std::source_location);

    request(std::unique_ptr<backend::request_impl> impl, std::shared_ptr<void> keepalive,
            std::function<void()> on_complete)
        : impl_(std::move(impl)), keepalive_(std::move(keepalive)), on_complete_(std::move(on_complete)) {}

    // Runs once the backend has completed the operation; makes the request inactive.
    status finish(status result);

    std::unique_ptr<backend::request_impl> impl_;
    std::shared_ptr<void> keepalive_;     // what the operation reads from or writes to, if it owns it
    std::function<void()> on_complete_;   // e.g. deserializing what an irecv received
    std::optional<std::source_location> completed_at_;  // where wait or test completed it
};

}  // namespace baton
