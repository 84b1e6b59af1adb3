#include <baton/request.hpp>

#include <vector>

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
    if (!impl_) return {};
    return finish(impl_->wait(where));
}

std::optional<status> request::test(std::source_location where) {
    if (!impl_) return status{};
    auto result = impl_->test(where);
    if (!result) return std::nullopt;
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
    return completion{index, requests[index].finish(result)};
}

std::vector<status> wait_all(std::span<request> requests, std::source_location where) {
    std::vector<status> statuses;
    statuses.reserve(requests.size());
    for (auto& r : requests) statuses.push_back(r.wait(where));
    return statuses;
}

}  // namespace baton
