#include "mailbox.hpp"

#include <algorithm>

namespace baton::sim::detail {

sim_request* mailbox::take_posted(int source, int tag) {
    for (auto it = posted_.begin(); it != posted_.end(); ++it) {
        if ((it->source < 0 || it->source == source) && tag_matches(it->tag, tag)) {
            sim_request* receive = it->request;
            posted_.erase(it);
            return receive;
        }
    }
    return nullptr;
}

void mailbox::post(int source, int tag, sim_request* receive) { posted_.push_back({source, tag, receive}); }

void mailbox::cancel(sim_request* receive) {
    posted_.remove_if([&](const posted_receive& p) { return p.request == receive; });
}

void mailbox::store(message m) { unexpected_[m.source].push_back(std::move(m)); }

std::vector<const message*> mailbox::candidates(int source, int tag) const {
    std::vector<const message*> found;
    auto first_accepted = [&](const std::deque<message>& queue) {
        for (const auto& m : queue)
            if (tag_matches(tag, m.tag)) {
                found.push_back(&m);
                return;
            }
    };
    if (source >= 0) {
        if (auto it = unexpected_.find(source); it != unexpected_.end()) first_accepted(it->second);
        return found;
    }
    for (const auto& [sender, queue] : unexpected_) first_accepted(queue);
    std::sort(found.begin(), found.end(), [](const message* a, const message* b) { return a->arrival < b->arrival; });
    return found;
}

message mailbox::take(const message* m) {
    auto queue = unexpected_.find(m->source);
    auto it = std::find_if(queue->second.begin(), queue->second.end(),
                           [&](const message& candidate) { return &candidate == m; });
    message taken = std::move(*it);
    queue->second.erase(it);
    if (queue->second.empty()) unexpected_.erase(queue);
    return taken;
}

void mailbox::forget_sender(const sim_request* sender) {
    for (auto& [source, queue] : unexpected_)
        for (auto& m : queue)
            if (m.sync_sender == sender) m.sync_sender = nullptr;
}

std::vector<const message*> mailbox::all_messages() const {
    std::vector<const message*> all;
    for (const auto& [source, queue] : unexpected_)
        for (const auto& m : queue) all.push_back(&m);
    return all;
}

}  // namespace baton::sim::detail
