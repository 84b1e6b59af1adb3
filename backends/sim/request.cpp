#include "request.hpp"

#include <cstring>
#include <utility>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "buffer_checks.hpp"
#include "comm_state.hpp"
#include "strict_buffers.hpp"

namespace baton::sim::detail {

namespace {

// Waits until the request is done.
class request_blocker final : public blocker {
public:
    explicit request_blocker(sim_request& r) : request_(r) {}
    bool ready() const override { return request_.done(); }
    bool buffering_dependent() const override { return request_.may_buffer(); }
    void grant_buffering() const override { request_.complete_as_buffered(); }
    std::string describe() const override {
        if (request_.blocking) return request_.describe();  // a plain send or recv: the call itself
        return "wait for " + describe_posted(request_.call());
    }
    rank_list waits_for() const override { return request_.waits_for(); }
    int one_awaited() const override { return request_.one_awaited(); }
    const comm_state* comm() const override { return &request_.comm(); }

private:
    sim_request& request_;
};

// What a test that found the request pending polls for, for the report of a loop that can never
// succeed.
class test_poll final : public blocker {
public:
    explicit test_poll(const sim_request& r) : request_(r) {}
    bool ready() const override { return request_.done(); }
    std::string describe() const override {
        return "test of " + describe_posted(request_.call());
    }
    rank_list waits_for() const override { return request_.waits_for(); }
    const comm_state* comm() const override { return &request_.comm(); }

private:
    const sim_request& request_;
};

// Waits until any of the requests is done (wait_any, wait_some), or polls for that (test_any,
// test_some) or for all of them to be done (test_all). `operation` names the call in reports.
class set_blocker final : public blocker {
public:
    set_blocker(const std::vector<sim_request*>& requests, std::string_view operation, bool all = false,
                bool polls = false)
        : requests_(requests), operation_(operation), all_(all), polls_(polls) {}
    bool ready() const override {
        bool any = false;
        for (const auto* r : requests_) {
            if (!r) continue;
            if (r->done()) any = true;
            else if (all_) return false;
        }
        return any;
    }
    std::string describe() const override {
        std::string text = std::string(operation_) + " of {";
        bool first = true;
        for (const auto* r : requests_) {
            if (!r) continue;
            text += (first ? "" : "; ") + describe_posted(r->call());
            first = false;
        }
        return text + "}";
    }
    // A poll does not block, so it waits for no buffering, as test_poll does not.
    bool buffering_dependent() const override {
        if (polls_) return false;
        for (const auto* r : requests_)
            if (r && r->may_buffer()) return true;
        return false;
    }
    void grant_buffering() const override {
        for (auto* r : requests_)
            if (r) r->complete_as_buffered();
    }
    // The communicator of its requests when they share one.
    const comm_state* comm() const override {
        const comm_state* shared = nullptr;
        for (const auto* r : requests_) {
            if (!r) continue;
            if (shared && shared != &r->comm()) return nullptr;
            shared = &r->comm();
        }
        return shared;
    }
    rank_list waits_for() const override {
        rank_list all;
        for (const auto* r : requests_)
            if (r)
                for (int w : r->waits_for())
                    if (std::find(all.begin(), all.end(), w) == all.end()) all.push_back(w);
        std::sort(all.begin(), all.end());
        return all;
    }

private:
    const std::vector<sim_request*>& requests_;
    std::string_view operation_;
    bool all_;
    bool polls_;
};

}  // namespace

sim_request::sim_request(engine& eng, comm_state& comm, int owner, call_record call)
    : eng_(eng), comm_(comm), owner_(owner), call_(std::move(call)) {}

sim_request::~sim_request() {
    // Most requests (every blocking call's) were taken by a wait and hold nothing of the
    // simulator's: nothing to undo, in a frame without let_go's (issue 17).
    if (collective_ || posted || unmatched_sync_send || data_.on || result_buffer_.on || !consumed_) [[unlikely]]
        let_go();
}

void sim_request::let_go() {
    // A non-blocking collective let go before it completed: the others still find its data in the
    // slot (a copy it owns), and nothing is written to its buffers any more.
    if (collective_ && !collective_->done)
        if (const auto slot = comm_.collectives.find(collective_sequence); slot != comm_.collectives.end())
            slot->second.calls[static_cast<std::size_t>(owner_)] = detach(*collective_, slot->second, comm_, owner_, /*let_go=*/true);
    if (posted) comm_.mailboxes[static_cast<std::size_t>(owner_)].cancel(this);
    if (unmatched_sync_send) comm_.mailboxes[static_cast<std::size_t>(peer())].forget_sender(this);
    // Most requests (every blocking call's) watch nothing: no call, whose answer is a large record.
    if (data_.on) stop_watching(watched_part::data);
    if (result_buffer_.on) stop_watching(watched_part::result);
    if (!consumed_ && !eng_.aborting())
        eng_.checks().add_finding(eng_.checks().make_finding(
            finding_kind::request_leak,
            fmt::format("request leak: rank {}'s {} was never completed by wait or test", world_owner(), call_.operation),
            {{world_owner(), describe() + (done_ ? " (done, never waited for)" : " (still pending)"),
              baton::detail::format_location(call_.where), {}}}));
}

void sim_request::start_watching(watched_part part, std::uintptr_t begin, std::size_t bytes, const void* container,
                                 const void* protect, bool no_access) {
    watched& w = watched_for(part);
    const bool written = part == watched_part::result || !w.sends;
    w.pending_index = eng_.checks().buffers().add(world_owner(), {begin, begin + bytes, container, written, this, part});
    w.on = true;
    if (eng_.opts().strict_buffers && bytes > 0 && protect)
        w.strict_slot = strict_buffers::protect(protect, bytes, no_access);
}

void sim_request::watch_send_buffer(const backend::send_view& data) {
    data_.sends = true;
    if (!data.origin) data_.watch = buffer_watch::of_send(data);  // else the rank watches its own
    start_watching(watched_part::data, reinterpret_cast<std::uintptr_t>(checked_data(data)),
                   data.count * data.type.size, nullptr, data.data, /*no_access=*/false);
}

void sim_request::watch_result_buffer(const backend::recv_buffer& result) {
    // Not poisoned, unlike an irecv's: what a fixed buffer holds beyond the result (an igatherv's
    // root given more room than it gets) is the program's, on MPI too.
    if (!result.origin) result_buffer_.watch = buffer_watch::of_receive(result);  // else the rank watches its own
    // A process rank's is in its process; the engine's copy is written by the collective as it
    // completes, and must not be protected then.
    start_watching(watched_part::result, reinterpret_cast<std::uintptr_t>(checked_data(result)),
                   result.count * result.type.size, checked_object(result), result.origin ? nullptr : result.data,
                   /*no_access=*/true);
}

void sim_request::defer_delivery() {
    deferred_ = true;
    // On MPI the message lands in the buffer's memory once matched: a vector or string is watched
    // as a container (its shape), even when it is empty and has no bytes to watch; a serialized
    // receive through the object it will be deserialized into.
    const std::size_t bytes = buffer.count * buffer.type.size;
    if (bytes > 0) std::memset(buffer.data, static_cast<int>(eng_.irecv_poison()), bytes);
    if (!buffer.origin) data_.watch = buffer_watch::of_receive(buffer);  // else the rank watches its own
    start_watching(watched_part::data, reinterpret_cast<std::uintptr_t>(checked_data(buffer)), bytes,
                   checked_object(buffer), buffer.data, /*no_access=*/true);
}

strict_buffers::access sim_request::stop_watching(watched_part part) {
    watched& w = watched_for(part);
    if (!w.on) return {};
    w.on = false;
    eng_.checks().buffers().remove(world_owner(), w.pending_index);
    if (w.strict_slot < 0) return {};
    const int slot = std::exchange(w.strict_slot, -1);
    return strict_buffers::release(slot);
}

std::optional<std::string> sim_request::change_seen(watched_part part, const std::string& until,
                                                    const std::optional<buffer_change>& asked) {
    // Protection off first: the checks below read the buffer.
    const strict_buffers::access strict = stop_watching(part);
    const watched& w = watched_for(part);
    const bool send = w.sends;
    // A collective's receive buffer is named as such: its input is "the buffer" as an isend's.
    const std::string_view which = part == watched_part::result ? "receive buffer" : "buffer";
    auto said = [&](std::string_view verb, const std::string& detail) {
        return fmt::format("rank {} {} the {} of its {} before {}{}", world_owner(), verb, which, call_.operation,
                           until, detail);
    };
    if (strict.seen) {
        const bool read = !send && strict.what == strict_buffers::access::read;
        const std::string by = strict.rank == world_owner() ? "" : fmt::format(" by rank {}", strict.rank);
        return said(read ? "read" : send ? "changed" : "touched",
                    fmt::format(": --strict-buffers caught the first {}{} at {}",
                                read ? "read" : strict.what == strict_buffers::access::write ? "write" : "access", by,
                                strict_buffers::where(strict, call_.where.file_name())));
    }
    const buffer_change seen = asked ? *asked : w.watch ? w.watch->change() : buffer_change{};
    if (seen.container && send)
        return said("changed", " (its container moved the elements it sends elsewhere, freeing them: a push_back "
                               "beyond its capacity, reserve, shrink_to_fit, assign or a move before the wait)");
    if (seen.container)
        return said("wrote into", " (its container changed size, capacity or memory: push_back, assign, resize or "
                                  "a move before the wait)");
    if (seen.bytes) return said(send ? "changed" : "wrote into", "");
    if (seen.target)
        return said("wrote into", " (the object it receives into changed; the message overwrites that change)");
    return std::nullopt;
}

void sim_request::report_change(watched_part part, std::optional<std::string> summary) {
    watched& w = watched_for(part);
    if (!summary || w.reported) return;
    w.reported = true;
    eng_.checks().add_finding(eng_.checks().make_finding(
        w.sends ? finding_kind::send_buffer_modified : finding_kind::receive_buffer_modified, std::move(*summary),
        {{world_owner(), describe(), baton::detail::format_location(call_.where), {}}}));
}

void sim_request::check_watched_at_completion(const backend::location& where) {
    // A process rank's buffers are in its own process: asked once for both.
    std::optional<request_changes> asked;
    if (ask_rank_) asked = ask_rank_();
    const std::string until = "completing it at " + baton::detail::format_location(where);
    if (data_.on)
        report_change(watched_part::data, change_seen(watched_part::data, until,
                                                      asked ? std::optional(asked->data) : std::nullopt));
    if (result_buffer_.on)
        report_change(watched_part::result, change_seen(watched_part::result, until,
                                                        asked ? std::optional(asked->result) : std::nullopt));
}

void sim_request::result_written(bool before) {
    // A process rank's buffers are in its own process, written only when its wait brings the
    // result back, after the rank's watch was asked: nothing to do here.
    if (!collective_ || collective_->send.origin || collective_->recv.origin) return;
    const std::string until = "its collective wrote the result into it";
    if (collective_->overwrites_input) {
        // In place: one buffer, its input until now, watched as what it gives (as on process ranks).
        if (before) {
            if (data_.on) report_change(watched_part::data, change_seen(watched_part::data, until));
        } else {
            watch_send_buffer(collective_->send);
        }
        return;
    }
    // Its receive buffer, if this rank gets a result (watched when the call was made).
    if (before) {
        if (!result_buffer_.on) return;  // none, or the call completes the collective and watches it after
        report_change(watched_part::result, change_seen(watched_part::result, until));
        result_buffer_.paused = true;
    } else if (std::exchange(result_buffer_.paused, false)) {
        watch_result_buffer(collective_->recv);
    }
}

void sim_request::keep_until_completion(const void* data, std::size_t bytes) {
    const auto* first = static_cast<const std::byte*>(data);
    kept_.assign(first, first + bytes);
}

void sim_request::complete_as_buffered() {
    if (!may_buffer()) return;
    if (collective_) {
        // A scatter's root takes its own block as it leaves: that write is the collective's.
        result_written(true);
        leave_early(comm_, collective_sequence, *collective_, owner_);
        result_written(false);
        complete({});
        return;
    }
    auto& box = comm_.mailboxes[static_cast<std::size_t>(peer())];
    std::size_t bytes = 0;
    for (const message* m : box.all_messages())
        if (m->sync_sender == this) bytes = m->data.size();
    box.forget_sender(this);  // whoever receives the message now has nobody to tell
    complete({peer(), tag(), bytes});
}

void sim_request::complete(const status& result, std::exception_ptr failure) {
    done_ = true;
    posted = false;
    unmatched_sync_send = false;
    result_ = result;
    failure_ = std::move(failure);
    if (!is_send() && !collective_) {
        // The match, as the receiver sees it: which sender, which tag, how much.
        const int source = result.source >= 0 ? comm_.world_ranks[static_cast<std::size_t>(result.source)]
                                              : result.source == proc_null ? proc_null : -1;
        call_.matched = {result.source, source, result.tag};
        call_.bytes = result.bytes;
        eng_.checks().log(call_, failure_ != nullptr);
    }
    eng_.notify(world_owner());
}

status sim_request::take_result(const backend::location& where) {
    consumed_ = true;
    eng_.time().reach(world_owner(), done_time);
    eng_.order().learn(world_owner(), learned_);
    check_at_completion(where);
    if (failure_) std::rethrow_exception(failure_);
    if (deferred_ && !cancelled_) {
        void* to = buffer.resizable() ? buffer.resize(buffer.container, result_.bytes / buffer.type.size) : buffer.data;
        if (!kept_.empty()) std::memcpy(to, kept_.data(), kept_.size());
        kept_.clear();
    }
    return result_;
}

rank_list sim_request::waits_for() const {
    if (done_) return {};
    if (collective_) return missing_from_collective(comm_, collective_sequence);
    return awaited(call_, comm_);
}

status sim_request::wait(backend::location where) {
    const int self = comm_.world_ranks[static_cast<std::size_t>(owner_)];
    eng_.schedule_point(self);
    request_blocker until_done(*this);
    eng_.wait_until(self, until_done, where);
    return take_result(where);
}

std::optional<status> sim_request::test(backend::location where) {
    eng_.schedule_point(world_owner(), engine::call_effect::polls);
    // An exploration also tries "done" when not done yet, and "not yet" when done (see
    // engine::poll_wait_chosen and poll_may_miss).
    const test_poll poll(*this);
    bool seen_done = false;
    if (!done_) {
        eng_.poll_wait_chosen(world_owner(), poll, where);
        seen_done = done_;
    } else {
        seen_done = !(eng_.poll_may_miss(world_owner()) && eng_.sched().choose(2, [&] {
            const std::string location = baton::detail::format_location(where);
            return choice_site{{world_owner(), poll.describe(), location, {}, {}, comm_.in_comm(world_owner())},
                               fmt::format("whether {}'s {} at {} saw it complete", comm_.member(owner_),
                                           poll.describe(), location),
                               {"complete", "not complete yet"}};
        }) == 1);
    }
    if (!seen_done) {
        eng_.poll_failed(world_owner(), poll, where);
        return std::nullopt;
    }
    eng_.poll_succeeded(world_owner());
    return take_result(where);
}

std::size_t sim_request::wait_any(std::span<backend::request_impl* const> requests, status& result,
                                  backend::location where) {
    const int self = comm_.world_ranks[static_cast<std::size_t>(owner_)];
    eng_.schedule_point(self);
    std::vector<sim_request*> pending;
    pending.reserve(requests.size());
    for (auto* r : requests) pending.push_back(static_cast<sim_request*>(r));
    set_blocker until_any(pending, "wait_any");
    eng_.wait_until(self, until_any, where);
    // Several may be done: which one wait_any returns is the scheduler's choice.
    std::vector<std::size_t> done;
    for (std::size_t i = 0; i < pending.size(); ++i)
        if (pending[i] && pending[i]->done()) done.push_back(i);
    const std::size_t index = done[eng_.sched().choose(done.size(), [&] {
        const std::string location = baton::detail::format_location(where);
        choice_site site{{self, until_any.describe(), location, {}, {}, comm_.in_comm(self)},
                         fmt::format("which request {}'s wait_any at {} completed", comm_.member(owner_), location), {}};
        for (const std::size_t i : done)
            site.alternatives.push_back(describe_posted(pending[i]->call()));
        return site;
    })];
    result = pending[index]->take_result(where);
    return index;
}

}  // namespace baton::sim::detail

namespace baton::sim::detail {

namespace {

using rule = backend::request_impl::completion_rule;

std::string_view name_of(rule how) {
    switch (how) {
        case rule::wait_some: return "wait_some";
        case rule::test_any: return "test_any";
        case rule::test_some: return "test_some";
        case rule::test_all: return "test_all";
    }
    return "?";
}

}  // namespace

void sim_request::complete_set(completion_rule how, std::span<backend::request_impl* const> requests,
                               std::vector<completed>& done, backend::location where) {
    const int self = world_owner();
    std::vector<sim_request*> pending;
    pending.reserve(requests.size());
    for (auto* r : requests) pending.push_back(static_cast<sim_request*>(r));
    const std::string_view operation = name_of(how);
    const bool waits = how == rule::wait_some;
    const set_blocker until(pending, operation, how == rule::test_all, !waits);
    if (waits) {
        eng_.schedule_point(self);
        eng_.wait_until(self, until, where);
    } else {
        // As test() does: an exploration also tries "complete" when not yet, and "not yet" when
        // complete (engine::poll_wait_chosen, poll_may_miss).
        eng_.schedule_point(self, engine::call_effect::polls);
        bool seen = false;
        if (!until.ready()) {
            eng_.poll_wait_chosen(self, until, where);
            seen = until.ready();
        } else {
            seen = !(eng_.poll_may_miss(self) && eng_.sched().choose(2, [&] {
                const std::string location = baton::detail::format_location(where);
                return choice_site{{self, until.describe(), location, {}, {}, comm_.in_comm(self)},
                                   fmt::format("whether {}'s {} at {} saw them complete", comm_.member(owner_),
                                               until.describe(), location),
                                   {"complete", "not complete yet"}};
            }) == 1);
        }
        if (!seen) {
            eng_.poll_failed(self, until, where);
            return;
        }
        eng_.poll_succeeded(self);
    }
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < pending.size(); ++i)
        if (pending[i] && pending[i]->done()) ready.push_back(i);
    // Which of the completed requests the call returns is the scheduler's choice where MPI leaves it
    // open: test_any returns one of them (as wait_any); wait_some and test_some return every one
    // MPI has seen complete, which on MPI may be fewer than have completed here: an exploration
    // tries all of them (the first alternative, the default), and each one alone. test_all returns
    // all, since it is all or nothing.
    if (ready.size() > 1 && how != rule::test_all) {
        const bool one = how == rule::test_any;
        const std::size_t pick = eng_.sched().choose(ready.size() + (one ? 0 : 1), [&] {
            const std::string location = baton::detail::format_location(where);
            choice_site site{{self, until.describe(), location, {}, {}, comm_.in_comm(self)},
                             fmt::format("which requests {}'s {} at {} completed", comm_.member(owner_), operation,
                                         location),
                             {}};
            if (!one) site.alternatives.push_back("all that are complete");
            for (const std::size_t i : ready) site.alternatives.push_back(describe_posted(pending[i]->call()));
            return site;
        });
        if (one || pick > 0) ready = {ready[pick - (one ? 0 : 1)]};
    }
    for (const std::size_t i : ready) done.push_back({i, pending[i]->take_result(where)});
}

}  // namespace baton::sim::detail

namespace baton::sim::detail {

void sim_request::cancel(backend::location where) {
    if (is_send()) baton::detail::throw_cancel_of_send(world_owner(), call_.operation, where);
    if (collective_) baton::detail::throw_cancel_of_collective(world_owner(), call_.operation, where);
    eng_.schedule_point(world_owner());
    // Only a receive no message has matched is still posted; a matched one completes as it would.
    if (done_ || !posted) return;
    comm_.mailboxes[static_cast<std::size_t>(owner_)].cancel(this);
    posted = false;
    done_ = true;
    result_ = {peer(), tag(), 0, true};
    cancelled_ = true;
}

}  // namespace baton::sim::detail
