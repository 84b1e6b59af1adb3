#include "mailbox.hpp"

#include <algorithm>

namespace baton::sim::detail {

mailbox::queues& mailbox::used() {
    if (!queues_) queues_ = std::make_unique<queues>();
    return *queues_;
}

const mailbox::posted_list& mailbox::posted() const {
    static const posted_list none;
    return queues_ ? queues_->posted : none;
}

sim_request* mailbox::take_posted(int source, int tag, bool defer_wildcards) {
    if (!queues_) return nullptr;
    auto& posted = queues_->posted;
    for (auto it = posted.begin(); it != posted.end(); ++it) {
        if ((it->source < 0 || it->source == source) && tag_matches(it->tag, tag)) {
            if (defer_wildcards && it->source < 0) return nullptr;
            return posted.take(it).request;
        }
    }
    return nullptr;
}

bool mailbox::has_posted_wildcard() const {
    const auto& list = posted();
    return std::any_of(list.begin(), list.end(), [](const posted_receive& p) { return p.source < 0; });
}

const sim_request* mailbox::posted_for(int source, int tag) const {
    const auto& list = posted();
    const auto it = std::find_if(list.begin(), list.end(), [&](const posted_receive& p) {
        return (p.source < 0 || p.source == source) && tag_matches(p.tag, tag);
    });
    return it == list.end() ? nullptr : it->request;
}

sim_request* mailbox::wildcard_ready() const {
    const auto& list = posted();
    if (list.empty() || list.front().source >= 0) return nullptr;
    return candidates(list.front().source, list.front().tag).empty() ? nullptr : list.front().request;
}

sim_request* mailbox::next_match_before_wildcard(message& taken) {
    if (!queues_) return nullptr;
    auto& posted = queues_->posted;
    for (auto it = posted.begin(); it != posted.end() && it->source >= 0; ++it) {
        if (!take_first(it->source, it->tag, taken)) continue;
        return posted.take(it).request;
    }
    return nullptr;
}

void mailbox::post(int source, int tag, sim_request* receive) { used().posted.push_back({source, tag, receive}); }

void mailbox::cancel(sim_request* receive) {
    if (queues_) queues_->posted.remove_if([&](const posted_receive& p) { return p.request == receive; });
}

void mailbox::store(message&& m) {
    used().unexpected[m.source].push_back(std::move(m));
    ++stored_;
}

candidate_list mailbox::candidates(int source, int tag) const {
    candidate_list found;
    if (!queues_) return found;
    const auto& unexpected = queues_->unexpected;
    auto first_accepted = [&](const message_queue& queue) {
        for (const auto& m : queue)
            if (tag_matches(tag, m.tag)) {
                found.push_back(&m);
                return;
            }
    };
    if (source >= 0) {
        if (auto it = unexpected.find(source); it != unexpected.end()) first_accepted(it->second);
        return found;
    }
    for (const auto& [sender, queue] : unexpected) first_accepted(queue);
    std::sort(found.begin(), found.end(), [](const message* a, const message* b) { return a->arrival < b->arrival; });
    return found;
}

message mailbox::take(const message* m) {
    auto queue = queues_->unexpected.find(m->source);  // `m` is one of its messages: it is used
    auto it = std::find_if(queue->second.begin(), queue->second.end(),
                           [&](const message& candidate) { return &candidate == m; });
    --stored_;
    return queue->second.take(it);
}

bool mailbox::take_first(int source, int tag, message& taken) {
    if (stored_ == 0) return false;
    const auto queue = queues_->unexpected.find(source);
    if (queue == queues_->unexpected.end()) return false;
    for (auto it = queue->second.begin(); it != queue->second.end(); ++it)
        if (tag_matches(tag, it->tag)) {
            --stored_;
            taken = queue->second.take(it);
            return true;
        }
    return false;
}

void mailbox::forget_sender(const sim_request* sender) {
    if (!queues_) return;
    for (auto& [source, queue] : queues_->unexpected)
        for (auto& m : queue)
            if (m.sync_sender == sender) m.sync_sender = nullptr;
}

std::vector<const message*> mailbox::all_messages() const {
    std::vector<const message*> all;
    if (!queues_) return all;
    for (const auto& [source, queue] : queues_->unexpected)
        for (const auto& m : queue) all.push_back(&m);
    return all;
}

}  // namespace baton::sim::detail
