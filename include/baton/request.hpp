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

// Which request wait_any (wait_some, test_any, test_some) completed, and its status.
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

// Completing several at once (MPI_Waitsome, MPI_Testany, MPI_Testsome, MPI_Testall). A request
// already completed is inactive and skipped, as in wait_any and wait_all.
//
// Waits until at least one pending request completes, then completes every one that has: their
// indices and statuses in index order; empty when none is pending.
std::vector<completion> wait_some(std::span<request> requests,
                                  std::source_location where = std::source_location::current());
// Completes one pending request that has completed, without blocking; nothing when none has, or
// when none is pending (`request::pending()` tells the two apart).
std::optional<completion> test_any(std::span<request> requests,
                                   std::source_location where = std::source_location::current());
// Completes every pending request that has completed, without blocking: as wait_some, but maybe
// none (empty also when none is pending).
std::vector<completion> test_some(std::span<request> requests,
                                  std::source_location where = std::source_location::current());
// All or nothing: when every pending request has completed, completes them all and returns the
// statuses in order (an inactive request's is empty, as in wait_all); otherwise returns nothing and
// completes none of them, so the ones that are complete stay pending for a later call.
std::optional<std::vector<status>> test_all(std::span<request> requests,
                                            std::source_location where = std::source_location::current());

namespace detail {
struct request_set;  // what the calls above share (src/request.cpp)
}

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
    friend struct detail::request_set;

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
