#include "mailbox.hpp"

#include <algorithm>

namespace baton::sim::detail {

sim_request* mailbox::take_posted(int source, int tag, bool defer_wildcards) {
    for (auto it = posted_.begin(); it != posted_.end(); ++it) {
        if ((it->source < 0 || it->source == source) && tag_matches(it->tag, tag)) {
            if (defer_wildcards && it->source < 0) return nullptr;
            return posted_.take(it).request;
        }
    }
    return nullptr;
}

bool mailbox::has_posted_wildcard() const {
    return std::any_of(posted_.begin(), posted_.end(), [](const posted_receive& p) { return p.source < 0; });
}

const sim_request* mailbox::posted_for(int source, int tag) const {
    const auto it = std::find_if(posted_.begin(), posted_.end(), [&](const posted_receive& p) {
        return (p.source < 0 || p.source == source) && tag_matches(p.tag, tag);
    });
    return it == posted_.end() ? nullptr : it->request;
}

sim_request* mailbox::wildcard_ready() const {
    if (posted_.empty() || posted_.front().source >= 0) return nullptr;
    return candidates(posted_.front().source, posted_.front().tag).empty() ? nullptr : posted_.front().request;
}

sim_request* mailbox::next_match_before_wildcard(message& taken) {
    for (auto it = posted_.begin(); it != posted_.end() && it->source >= 0; ++it) {
        const auto found = candidates(it->source, it->tag);
        if (found.empty()) continue;
        sim_request* receive = posted_.take(it).request;
        taken = take(found.front());
        return receive;
    }
    return nullptr;
}

void mailbox::post(int source, int tag, sim_request* receive) { posted_.push_back({source, tag, receive}); }

void mailbox::cancel(sim_request* receive) {
    posted_.remove_if([&](const posted_receive& p) { return p.request == receive; });
}

void mailbox::store(message m) {
    unexpected_[m.source].push_back(std::move(m));
    ++stored_;
}

candidate_list mailbox::candidates(int source, int tag) const {
    candidate_list found;
    auto first_accepted = [&](const message_queue& queue) {
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
    --stored_;
    return queue->second.take(it);
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
