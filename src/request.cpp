#include <baton/request.hpp>

#include <vector>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

namespace baton {

status request::finish(status result) {
    impl_.reset();
    auto on_complete = std::move(on_complete_);
    on_complete_ = nullptr;
    if (on_complete) on_complete();
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

std::optional<completion> wait_any(std::span<request> requests, std::source_location where) {
    std::vector<backend::request_impl*> pending;
    pending.reserve(requests.size());
    backend::request_impl* any = nullptr;
    for (auto& r : requests) {
        pending.push_back(r.impl_.get());
        if (r.impl_) any = r.impl_.get();
    }
    if (!any) return std::nullopt;
    status result;
    const std::size_t index = any->wait_any(pending, result, where);
    requests[index].completed_at_ = where;
    return completion{index, requests[index].finish(result)};
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
