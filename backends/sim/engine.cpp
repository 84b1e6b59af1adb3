#include "engine.hpp"

#include <algorithm>
#include <csignal>
#include <system_error>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include <baton/errors.hpp>

#include "collective.hpp"
#include "comm.hpp"
#include "comm_state.hpp"
#include "process_exit.hpp"
#include "rank_output.hpp"

namespace baton::sim::detail {

namespace {

std::string describe_exception(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception (a failed test assertion, for example)";
    }
}

// Which kind of finding an exception escaping a rank is.
finding_kind kind_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const truncation_error&) {
        return finding_kind::truncation;
    } catch (const type_mismatch_error&) {
        return finding_kind::type_mismatch;
    } catch (const usage_error&) {
        return finding_kind::invalid_argument;
    } catch (...) {
        return finding_kind::rank_failure;
    }
}

}  // namespace

engine::engine(const options& opts, const std::function<void(communicator&)>& body)
    : opts_(opts), body_(body), scheduler_(opts, opts.ranks),
      replay_(opts.program.empty() ? "sim::run with " + to_flags(opts)
                                   : opts.program + ' ' + to_flags(opts) +
                                         (opts.program_args.empty() ? "" : ' ' + opts.program_args)),
      watch_(opts.rank_timeout_seconds, true, [this](const std::string& headline) { return state_report(headline); }) {
    if (opts.ranks < 1)
        throw usage_error("sim::run: ranks must be at least 1, not " + std::to_string(opts.ranks));
    // First: the contexts say at once when the ranks cannot fit (fiber stacks), before the rest
    // takes memory for each rank.
    auto entry = [this](int rank) { rank_main(rank); };
    contexts_ = opts.context == rank_context::fiber ? make_fiber_contexts(opts.ranks, opts.fiber_stack_bytes, entry)
                                                    : make_thread_contexts(opts.ranks, entry);
    std::vector<int> everyone(static_cast<std::size_t>(opts.ranks));
    for (int r = 0; r < opts.ranks; ++r) everyone[static_cast<std::size_t>(r)] = r;
    make_comm("world", std::move(everyone));
    ranks_.reserve(static_cast<std::size_t>(opts.ranks));
    for (int r = 0; r < opts.ranks; ++r) ranks_.push_back(std::make_unique<rank_slot>());
    install_exit_handlers();
}

engine::~engine() {
    // A communicator still in use outlives the run (a program kept one past it): its last handle
    // frees it. Every other one goes with the engine.
    for (auto& comm : comms_) {
        comm->owner = nullptr;
        if (comm->handles > 0) (void)comm.release();
    }
}

run_outcome engine::run() {
    active_run fatal_signals_reported;  // a rank that faults is named (process_exit.hpp)
    try {
        for (int r = 0; r < opts_.ranks; ++r) {
            // In the scheduler before it exists, so that a rank whose context exists is never
            // left out (it would wait for its turn forever); out again if it cannot be made.
            scheduler_.add(r);
            try {
                contexts_->create(r);
            } catch (...) {
                scheduler_.remove(r);
                throw;
            }
            ++started_;
        }
    } catch (const std::exception& e) {
        // Not enough threads or memory: let the ranks already started unwind without running.
        error_ = std::make_exception_ptr(
            error("sim::run: could not start rank " + std::to_string(started_) + ": " + e.what()));
        aborting_ = true;
        if (started_ == 0) return {{}, {}, error_};
    }
    contexts_->run(scheduler_.pick(-1));
    watch_.running(-1);
    fatal_signals_reported.ranks_done();  // fibers ran on this very thread
    if (!error_) check_unreceived();
    if (const auto& why = scheduler_.divergence();
        opts_.plan_is_exact && (why || scheduler_.choices_made() < opts_.plan.size())) {
        // Whatever else happened, this was not the run being replayed.
        const std::string detail = why ? *why : fmt::format("the recorded run made {} choices and this one {}",
                                                            opts_.plan.size(), scheduler_.choices_made());
        error_ = std::make_exception_ptr(check_failed({make_finding(
            finding_kind::nondeterminism,
            "nondeterminism the scheduler does not control: " + detail +
                "; does the program read the clock, rand(), addresses or input that changed?",
            {})}));
    }
    if (!error_ && !findings_.empty()) error_ = std::make_exception_ptr(check_failed(std::move(findings_)));
    return {std::move(events_), scheduler_.choices(), error_, poison_choice_};
}

void engine::rank_main(int self) {
    entering(self);  // the watchdog's view: the rank runs baton's code until its body starts
    resumed(self);
    if (!aborting_) {
        try {
            communicator world(at_user_boundary(*this, std::make_unique<sim_comm>(*this, this->world(), self), self));
            // The body is the rank's own code, however it ends (a return or an exception).
            const struct back_in_baton {
                engine& eng;
                int rank;
                ~back_in_baton() { eng.entering(rank); }
            } back{*this, self};
            leaving(self);
            body_(world);
        } catch (const run_aborted&) {
            // The run is being torn down; whatever ended it is already recorded.
        } catch (...) {
            if (!error_) error_ = failure_of(self, std::current_exception());
            begin_abort();
        }
    }
    finish(self);
}

void engine::finish(int self) {
    auto& slot = *ranks_[static_cast<std::size_t>(self)];
    slot.state = rank_state::finished;
    ++finished_;
    scheduler_.remove(self);
    polls_.acted(self);
    polls_.progress();  // what others poll for may now never come: count their polls afresh
    hand_off(self);
}

void engine::hand_off(int self) {
    int next = scheduler_.pick(self);
    if (next < 0) {
        if (finished_ == started_) {
            contexts_->leave(self, -1);
            return;
        }
        // Nobody can run. A wait satisfied without a notify would be a bug, but cheap to rule out
        // here before calling it a deadlock.
        for (int r = 0; r < started_; ++r) {
            auto& slot = *ranks_[static_cast<std::size_t>(r)];
            if (slot.state == rank_state::blocked && slot.waiting && slot.waiting->ready()) notify(r);
        }
        if (scheduler_.empty() && !aborting_) go_on_at_quiescence();
        // Buffering MPI may do (and this run withheld) may let the run go on; if not, a deadlock.
        if (scheduler_.empty() && (aborting_ || !settle_stuck(blocked_ranks()))) begin_abort();
        next = scheduler_.pick(self);
    }
    if (next == self) {
        resumed(self);
        return;
    }
    if (ranks_[static_cast<std::size_t>(self)]->state == rank_state::finished) {
        contexts_->leave(self, next);
        return;
    }
    contexts_->transfer(self, next);
    resumed(self);
}

void engine::resumed(int self) {
    // Fibers share one thread: say which rank runs now.
    mark_rank_thread(self, &replay_, &ranks_[static_cast<std::size_t>(self)]->last);
    watch_.running(self);
    rank_output::running(this, self);  // what was printed until now was the previous rank's
    // Each step picks one rank, which resumes here (or in rank_main): stop the debugger in the
    // rank that runs at the step asked for (see README, "Finding the bugs that show up only
    // sometimes").
    if (opts_.break_at_step != 0 && scheduler_.steps() == opts_.break_at_step && !aborting_) std::raise(SIGTRAP);
}

void engine::call_without_switch(int self) {
    if (aborting_) throw run_aborted{};
    polls_.acted(self);
    polls_.progress();
}

void engine::schedule_point(int self, call_effect effect) {
    if (aborting_) throw run_aborted{};
    if (effect == call_effect::acts) {
        polls_.acted(self);  // a polling loop that ends by itself is remembered (polling.hpp)
        polls_.progress();
    }
    hand_off(self);
    if (aborting_) throw run_aborted{};
}

void engine::wait_until(int self, const blocker& what, const std::source_location& where) {
    if (aborting_) throw run_aborted{};
    auto& slot = *ranks_[static_cast<std::size_t>(self)];
    while (!what.ready()) {
        slot.state = rank_state::blocked;
        slot.waiting = &what;
        slot.waiting_at = where;
        scheduler_.remove(self);
        // A deadlock among some ranks is reported now, even while others still run.
        if (what.check_partial_deadlock())
            if (const auto stuck = stuck_with(self); !stuck.empty() && !settle_stuck(stuck)) fail_run(error_);
        hand_off(self);
        slot.waiting = nullptr;
        if (aborting_) throw run_aborted{};
    }
}

void engine::notify(int rank) {
    auto& slot = *ranks_[static_cast<std::size_t>(rank)];
    if (slot.state != rank_state::blocked) return;
    slot.state = rank_state::runnable;
    scheduler_.add(rank);
}

void engine::fail_run(std::exception_ptr error) {
    if (!error_) error_ = std::move(error);
    begin_abort();
    throw run_aborted{};
}

void engine::begin_abort() {
    aborting_ = true;
    for (int r = 0; r < started_; ++r) {
        auto& slot = *ranks_[static_cast<std::size_t>(r)];
        if (slot.state == rank_state::finished) continue;
        slot.state = rank_state::runnable;
        scheduler_.add(r);
    }
}

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
    match_deferred(*comm, rank, scheduler_);
    return true;
}

std::vector<int> engine::stuck_with(int self) {
    // Systematic runs leave wildcard receives waiting until every rank is blocked: not stuck.
    if (opts_.schedule == schedule::systematic) return {};
    // Follow wait-for edges from `self`; reaching a rank that can run means someone may still
    // wake the set. Marks are epoch numbers, so nothing is cleared between calls.
    if (visited_.size() != ranks_.size()) visited_.assign(ranks_.size(), 0);
    ++visit_;
    // Scratch lists kept between calls: a blocking call then allocates nothing here.
    auto& stuck = stuck_scratch_;
    auto& pending = pending_scratch_;
    stuck.clear();
    pending.assign(1, self);
    visited_[static_cast<std::size_t>(self)] = visit_;
    while (!pending.empty()) {
        const int r = pending.back();
        pending.pop_back();
        const auto& slot = *ranks_[static_cast<std::size_t>(r)];
        if (slot.state == rank_state::finished) continue;  // will never send again
        if (slot.state != rank_state::blocked || !slot.waiting || slot.waiting->ready()) return {};
        stuck.push_back(r);
        for (int w : slot.waiting->waits_for()) {
            if (visited_[static_cast<std::size_t>(w)] == visit_) continue;
            visited_[static_cast<std::size_t>(w)] = visit_;
            pending.push_back(w);
        }
    }
    // Others blocked only on these ranks (or finished ones) are stuck too: report them all.
    auto is_stuck = [&](int r) {
        const auto state = ranks_[static_cast<std::size_t>(r)]->state;
        return state == rank_state::finished || std::find(stuck.begin(), stuck.end(), r) != stuck.end();
    };
    for (bool grew = true; grew;) {
        grew = false;
        for (int r = 0; r < started_; ++r) {
            const auto& slot = *ranks_[static_cast<std::size_t>(r)];
            if (slot.state != rank_state::blocked || !slot.waiting || is_stuck(r) || slot.waiting->ready()) continue;
            const auto targets = slot.waiting->waits_for();
            if (std::all_of(targets.begin(), targets.end(), is_stuck)) {
                stuck.push_back(r);
                grew = true;
            }
        }
    }
    std::sort(stuck.begin(), stuck.end());
    return {stuck.begin(), stuck.end()};
}

std::exception_ptr engine::failure_of(int rank, std::exception_ptr original) const {
    std::string what = describe_exception(original);
    // baton's own messages start by naming the rank; say it once.
    if (const std::string prefix = "rank " + std::to_string(rank) + ": "; what.starts_with(prefix))
        what.erase(0, prefix.size());
    auto f = make_finding(kind_of(original), "rank " + std::to_string(rank) + " failed: " + what,
                          failure_calls(rank, original));
    return std::make_exception_ptr(rank_failed(rank, std::move(original), std::move(f)));
}

void engine::add_finding(finding f) { findings_.push_back(std::move(f)); }

finding engine::make_finding(finding_kind kind, std::string summary, std::vector<rank_call> calls) const {
    finding f;
    f.kind = kind;
    f.summary = std::move(summary);
    f.calls = std::move(calls);
    f.replay = replay_hint();
    return f;
}

void engine::check_unreceived() {
    for (const auto& comm : comms_) {
        // Ranks that left a collective early (collective_mode::local) for others that never came.
        for (const auto& [sequence, slot] : comm->collectives) {
            std::vector<rank_call> calls;
            for (int r = 0; r < comm->size(); ++r) {
                const auto* call = slot.calls[static_cast<std::size_t>(r)];
                calls.push_back({comm->world_ranks[static_cast<std::size_t>(r)],
                                 call ? describe(*call) : "never called it",
                                 call ? baton::detail::format_location(call->where) : "", {}});
            }
            add_finding(make_finding(finding_kind::deadlock,
                                     fmt::format("deadlock: collective #{} on {} was never called by every rank",
                                                 sequence + 1, comm->name),
                                     std::move(calls)));
        }
        for (std::size_t dest = 0; dest < comm->mailboxes.size(); ++dest) {
            for (const message* m : comm->mailboxes[dest].all_messages()) {
                add_finding(make_finding(finding_kind::unreceived_message, never_received(*comm, dest, *m),
                                         {sender_of(*comm, dest, *m)}));
            }
        }
    }
}

void engine::log(const call_record& call, bool failed) {
    if (!failed) {
        auto& slot = *ranks_[static_cast<std::size_t>(call.rank)];
        if (++slot.newest == recent_kept) slot.newest = 0;  // no division: every call comes here
        ++slot.calls;
        auto& kept = slot.recent[slot.newest];
        kept.step = scheduler_.steps();
        kept.call = call;
        kept.call.comm = nullptr;  // the history outlives the call
        kept.call.collective = nullptr;
        kept.comm = call.comm->label;
        slot.last = {call.operation, call.where.file_name(), static_cast<unsigned>(call.where.line())};
    }
    if (opts_.record) [[unlikely]]
        record(call);
}

void engine::record(const call_record& call) { events_.push_back(to_event(scheduler_.steps(), call)); }

comm_state& engine::make_comm(std::string name, std::vector<int> world_ranks) {
    comms_.push_back(std::make_unique<comm_state>(std::move(name), std::move(world_ranks)));
    comms_.back()->owner = this;
    return *comms_.back();
}

void engine::comm_unused(comm_state& comm) {
    if (&comm == comms_.front().get() || !comm.idle()) return;
    // From the back: communicators made last are usually dropped first. The order of the others
    // stays, as the scheduler's choices among their mailboxes depend on it (resolve_wildcard).
    const auto it = std::find_if(comms_.rbegin(), comms_.rend(), [&](const auto& c) { return c.get() == &comm; });
    comms_.erase(std::next(it).base());
}

const std::string& engine::replay_hint() const { return replay_; }

}  // namespace baton::sim::detail
