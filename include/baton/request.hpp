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

// Starts every persistent request in `requests` (MPI_Startall), in order: as start() on each.
void start_all(std::span<request> requests, std::source_location where = std::source_location::current());

namespace detail {
struct request_set;  // what the calls above share (src/request.cpp)

// What makes a request persistent (communicator::send_init, ssend_init, recv_init).
struct persistent_state {
    std::unique_ptr<backend::persistent_impl> impl;
    const char* operation = "";      // "send_init", "ssend_init", "recv_init"
    int world_rank = -1;             // whose request, for reports
    std::source_location made_at;
    // The check, at each start, that its buffer is still where and as long as at init.
    std::function<void(const std::source_location&)> check;
    std::optional<std::source_location> started_at;  // the last start
};
// The usage_error of a start whose buffer moved or changed size since init.
[[noreturn]] void throw_persistent_buffer_changed(const persistent_state& p, const std::source_location& where);
}  // namespace detail

// A pending isend or irecv. It completes in wait() or test(); after that it is inactive, as
// MPI_REQUEST_NULL is: wait_all and wait_any skip it and test() returns an empty status, but a
// second wait() on it is a usage_error (waiting twice for one operation is a bug).
//
// A persistent request (send_init, ssend_init, recv_init: MPI's persistent requests) is made
// inactive; start() makes it pending, wait or test (or wait_all, wait_any, ...) completes it and
// it is inactive again, ready for the next start(). Starting one that is still pending is a
// usage_error; destroying one that is pending is what destroying a pending isend or irecv is (on
// the simulator a request-leak finding).
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

    // Cancels a pending receive (MPI_Cancel) if no message has matched it yet; it must still be
    // completed by wait or test, whose status says `cancelled` (and then nothing was received:
    // the buffer holds no message). A receive already matched completes normally. Cancelling a
    // send is a usage_error (MPI 4.0 deprecates it; Open MPI may not honour it); cancelling an
    // inactive request does nothing.
    void cancel(std::source_location where = std::source_location::current());

    // A persistent request: starts it (MPI_Start). A usage_error on a request that is not
    // persistent or is still pending.
    void start(std::source_location where = std::source_location::current());
    bool persistent() const { return persistent_ != nullptr; }

private:
    friend class communicator;
    friend std::optional<completion> wait_any(std::span<request>, std::source_location);
    friend struct detail::request_set;

    request(std::unique_ptr<backend::request_impl> impl, std::shared_ptr<void> keepalive,
            std::function<void()> on_complete)
        : impl_(std::move(impl)), keepalive_(std::move(keepalive)), on_complete_(std::move(on_complete)) {}

    explicit request(std::unique_ptr<detail::persistent_state> persistent) : persistent_(std::move(persistent)) {}

    // Runs once the backend has completed the operation; makes the request inactive.
    status finish(status result);

    std::unique_ptr<backend::request_impl> impl_;
    std::shared_ptr<void> keepalive_;     // what the operation reads from or writes to, if it owns it
    std::function<void()> on_complete_;   // e.g. deserializing what an irecv received
    std::optional<std::source_location> completed_at_;  // where wait or test completed it
    // After impl_: a move assignment ends the old activation before its persistent request.
    std::unique_ptr<detail::persistent_state> persistent_;
};

}  // namespace baton
