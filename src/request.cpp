#include <baton/request.hpp>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

namespace baton {

status request::finish(status result) {
    impl_.reset();
    auto on_complete = std::move(on_complete_);
    on_complete_ = nullptr;
    if (on_complete && !result.cancelled) on_complete();  // a cancelled receive got nothing to deserialize
    keepalive_.reset();
    return result;
}

status request::wait(std::source_location where) {
    if (!impl_) {
        if (completed_at_)
            throw usage_error(fmt::format("wait at {}: this request already completed at {}; waiting twice for one "
                                          "operation is a bug",
                                          detail::format_location(where), detail::format_location(*completed_at_)),
                              {{-1, "wait", detail::format_location(where)}});
        return {};
    }
    const status result = impl_->wait(where);
    completed_at_ = where;
    return finish(result);
}

std::optional<status> request::test(std::source_location where) {
    if (!impl_) return status{};
    auto result = impl_->test(where);
    if (!result) return std::nullopt;
    completed_at_ = where;
    return finish(*result);
}

namespace detail {

// The pending requests of a set, as the backend takes them: null for an inactive one.
struct request_set {
    using rule = backend::request_impl::completion_rule;

    // Fills `pending` with the backend's requests (null for an inactive one); returns one of them
    // that is not null, or null when none is pending.
    static backend::request_impl* gather(std::span<request> requests, std::vector<backend::request_impl*>& pending) {
        pending.reserve(requests.size());
        backend::request_impl* any = nullptr;
        for (auto& r : requests) {
            pending.push_back(r.impl_.get());
            if (r.impl_) any = r.impl_.get();
        }
        return any;
    }

    // Completes what `how` says of `requests`: what completed, in index order.
    static std::vector<completion> complete(std::span<request> requests, rule how, std::source_location where) {
        std::vector<backend::request_impl*> pending;
        backend::request_impl* any = gather(requests, pending);
        if (!any) return {};
        std::vector<backend::request_impl::completed> done;
        // What the backend completed before an error in another request is finished all the same.
        auto finish_done = [&] {
            std::vector<completion> completions;
            completions.reserve(done.size());
            for (auto& d : done) {
                requests[d.index].completed_at_ = where;
                completions.push_back({d.index, requests[d.index].finish(d.result)});
            }
            return completions;
        };
        try {
            any->complete_set(how, pending, done, where);
        } catch (...) {
            finish_done();
            throw;
        }
        return finish_done();
    }
};

}  // namespace detail

void request::cancel(std::source_location where) {
    if (impl_) impl_->cancel(where);
}

void request::start(std::source_location where) {
    if (!persistent_)
        throw usage_error(fmt::format("start at {}: this request is not persistent (start() is for the requests of "
                                      "send_init, ssend_init and recv_init)",
                                      detail::format_location(where)),
                          {{-1, "start", detail::format_location(where)}});
    auto& p = *persistent_;
    if (impl_)
        throw usage_error(fmt::format("rank {}: start at {}: its {} (made at {}) is still pending since its start at {}; "
                                      "complete it with wait or test before starting it again",
                                      p.world_rank, detail::format_location(where), p.operation,
                                      detail::format_location(p.made_at), detail::format_location(*p.started_at)),
                          {{p.world_rank, "start", detail::format_location(where)}});
    if (p.check) p.check(where);
    impl_ = p.impl->start(where);
    p.started_at = where;
    completed_at_.reset();
}

void start_all(std::span<request> requests, std::source_location where) {
    for (auto& r : requests) r.start(where);
}

namespace detail {

void throw_persistent_buffer_changed(const persistent_state& p, const std::source_location& where) {
    throw usage_error(fmt::format("rank {}: start at {}: the buffer of its {} (made at {}) moved or changed size "
                                  "since (a std::vector or std::string resized or reallocated): a persistent request "
                                  "uses the memory given at init, as MPI's does; make a new request",
                                  p.world_rank, detail::format_location(where), p.operation,
                                  detail::format_location(p.made_at)),
                      {{p.world_rank, "start", detail::format_location(where)}});
}

}  // namespace detail

std::optional<completion> wait_any(std::span<request> requests, std::source_location where) {
    std::vector<backend::request_impl*> pending;
    backend::request_impl* any = detail::request_set::gather(requests, pending);
    if (!any) return std::nullopt;
    status result;
    const std::size_t index = any->wait_any(pending, result, where);
    requests[index].completed_at_ = where;
    return completion{index, requests[index].finish(result)};
}

std::vector<completion> wait_some(std::span<request> requests, std::source_location where) {
    return detail::request_set::complete(requests, detail::request_set::rule::wait_some, where);
}

std::optional<completion> test_any(std::span<request> requests, std::source_location where) {
    auto done = detail::request_set::complete(requests, detail::request_set::rule::test_any, where);
    if (done.empty()) return std::nullopt;
    return done.front();
}

std::vector<completion> test_some(std::span<request> requests, std::source_location where) {
    return detail::request_set::complete(requests, detail::request_set::rule::test_some, where);
}

std::optional<std::vector<status>> test_all(std::span<request> requests, std::source_location where) {
    const bool any_pending = std::ranges::any_of(requests, &request::pending);
    const auto done = detail::request_set::complete(requests, detail::request_set::rule::test_all, where);
    if (any_pending && done.empty()) return std::nullopt;
    std::vector<status> statuses(requests.size());
    for (const auto& d : done) statuses[d.index] = d.status;
    return statuses;
}

std::vector<status> wait_all(std::span<request> requests, std::source_location where) {
    std::vector<status> statuses;
    statuses.reserve(requests.size());
    // A request already completed is inactive, as MPI_REQUEST_NULL is to MPI_Waitall: skipped, with an
    // empty status. Only a second wait() on it by name is a usage error.
    for (auto& r : requests) statuses.push_back(r.pending() ? r.wait(where) : status{});
    return statuses;
}

}  // namespace baton
