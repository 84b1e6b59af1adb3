// The choices the kernel makes only to explore (schedule::systematic), besides which message a
// receive takes: which waiting wildcard receive is matched once every rank is blocked, whether a
// poll misses what it could see or waits for what it could not, and the poison an irecv's buffer
// holds until the irecv completes. Each is a choice of the scheduler, so a replay token
// reproduces it. Also where a poll ends up in the kernel: a poll in vain is the checker's to count.
#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "comm.hpp"
#include "engine.hpp"

namespace baton::sim::detail {

bool engine::go_on_at_quiescence() {
    // A systematic run matches waiting wildcard receives only now, when every candidate is
    // there, and ends the waits exploration chose for polls only when nothing else can happen.
    return opts_.schedule == schedule::systematic && (resolve_wildcard() || end_chosen_waits());
}

bool engine::resolve_wildcard() {
    std::vector<std::pair<comm_state*, int>> ready;  // mailboxes whose first receive is a wildcard with candidates
    for (const auto& comm : comms_)
        for (int r = 0; r < comm->size(); ++r)
            if (comm->mailboxes[static_cast<std::size_t>(r)].wildcard_ready()) ready.emplace_back(comm.get(), r);
    if (ready.empty()) return false;
    const auto [comm, rank] = ready[scheduler_.choose(ready.size(), [&] {
        choice_site site{{}, "which waiting wildcard receive was matched first", {}};
        for (const auto& [c, r] : ready) {
            const sim_request& receive = *c->mailboxes[static_cast<std::size_t>(r)].wildcard_ready();
            site.alternatives.push_back(fmt::format("{}'s {} at {}", c->member(r), receive.describe(),
                                                    baton::detail::format_location(receive.posted_at())));
        }
        return site;
    })];
    match_deferred(*comm, rank, scheduler_, order_, time_);
    return true;
}

void engine::poll_succeeded(int self) { checker_.poll_succeeded(self); }

bool engine::poll_may_miss(int self) { return opts_.schedule == schedule::systematic && !checker_.polled(self); }

namespace {

// The wait exploration chose for a poll: until what it polls for is there, or until nothing else
// can happen (then the poll comes up empty, as it could have at once).
class chosen_wait final : public blocker {
public:
    explicit chosen_wait(const blocker& poll) : poll_(poll) {}
    bool ready() const override { return ended_ || poll_.ready(); }
    std::string describe() const override { return poll_.describe(); }
    rank_list waits_for() const override { return poll_.waits_for(); }
    const comm_state* comm() const override { return poll_.comm(); }
    bool ends_when_nothing_else_can_happen() const override { return true; }
    void end() const override { ended_ = true; }

private:
    const blocker& poll_;
    mutable bool ended_ = false;
};

}  // namespace

bool engine::poll_wait_chosen(int self, const blocker& poll, const std::source_location& where) {
    if (!poll_may_miss(self) || scheduler_.choose(2, [&] {
            choice_site site{checker_.blocked_call(self, poll, where), "", {"nothing yet", "as if it had arrived just before"}};
            site.question = fmt::format("whether rank {}'s {} at {} found what it polls for", self, poll.describe(),
                                        site.call.location);
            return site;
        }) == 0)
        return false;
    const chosen_wait wait(poll);
    wait_until(self, wait, where);
    return true;
}

bool engine::end_chosen_waits() {
    bool ended = false;
    for (int r = 0; r < ranks_.started; ++r) {
        const auto& slot = ranks_[r];
        if (!ranks_.blocked(r) || !slot.waiting || !slot.waiting->ends_when_nothing_else_can_happen())
            continue;
        slot.waiting->end();
        notify(r);
        ended = true;
    }
    return ended;
}

void engine::poll_failed(int self, const blocker& poll, const std::source_location& where) {
    scheduler_.polled_in_vain(self);
    const auto stuck = checker_.polled_in_vain(self, poll, where);
    if (stuck.empty()) return;
    // Nobody can change anything any more: as when no rank can run (engine::hand_off), a
    // systematic run may go on, and withheld buffering may be granted; otherwise it is a deadlock.
    if (go_on_at_quiescence()) {
        checker_.progress();
        return;
    }
    if (!settle_stuck(stuck)) fail_run(error_);
}

std::byte engine::irecv_poison() {
    // Between seeds: another byte for each of 256 seeds in a row (0x3B is odd), 0xA5 for seed 1.
    if (opts_.schedule != schedule::systematic)
        return static_cast<std::byte>(0xA5u + 0x3Bu * static_cast<unsigned>((opts_.seed - 1) & 0xFF));
    // Between explored executions: a choice of its own, made at the run's first irecv into a
    // buffer that has bytes to poison (not an empty container), so that a
    // replay token reproduces it. 0x5A differs from 0xA5 in every bit, so whatever type the buffer
    // holds, a program that reads it early sees another value (explore.cpp explores it once per
    // path to that irecv, not under every later choice).
    if (!poison_choice_) {
        poison_choice_ = scheduler_.choices().size();
        poison_ = scheduler_.choose(2) == 0 ? std::byte{0xA5} : std::byte{0x5A};
    }
    return poison_;
}

}  // namespace baton::sim::detail
