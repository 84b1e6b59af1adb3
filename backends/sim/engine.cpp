#include "engine.hpp"
#include "process_errors.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <system_error>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include <baton/errors.hpp>

#include "collective.hpp"
#include "comm.hpp"
#include "comm_state.hpp"
#include "core_binding.hpp"
#include "debugger_stop.hpp"
#include "process_exit.hpp"
#include "rank_output.hpp"

namespace baton::sim::detail {

engine::engine(const options& opts, const std::function<void(communicator&)>& body)
    : opts_(opts), body_(body), scheduler_(opts, opts.ranks),
      replay_(opts.program.empty() ? "sim::run with " + to_flags(opts)
                                   : opts.program + ' ' + to_flags(opts) +
                                         (opts.program_args.empty() ? "" : ' ' + opts.program_args)),
      watch_(opts.rank_timeout_seconds, true,
             [this](const std::string& headline) { return checker_.state_report(headline, watch_.running_rank()); }) {
    if (opts.ranks < 1)
        throw usage_error("sim::run: ranks must be at least 1, not " + std::to_string(opts.ranks));
    if (opts.strict_buffers && opts.context == rank_context::process)
        throw usage_error("sim::run: --strict-buffers protects pages of the engine's process, and a process rank's "
                          "buffers are in a process of its own: use it with --context thread or fiber");
    // First: the contexts say at once when the ranks cannot fit (fiber stacks), before the rest
    // takes memory for each rank.
    auto entry = [this](int rank) { rank_main(rank); };
    // A process rank's context in the engine is a fiber too: its proxy (process_ranks.hpp).
    // A fiber rank keeps its slot in the rank table, its world communicator's two objects and its
    // recent calls at the top of its own stack (contexts.hpp: rank_rooms), a cache line for the
    // first, then the others.
    constexpr std::size_t slot_room = room_lines(sizeof(rank_slot));
    const std::size_t world_room = room_lines(sizeof(sim_comm)) + room_lines(boundary_bytes());
    contexts_ = opts.context == rank_context::thread
                    ? make_thread_contexts(opts.ranks, entry)
                    : make_fiber_contexts(opts.ranks, opts.fiber_stack_bytes, entry,
                                          slot_room + world_room + call_history::room_bytes(),
                                          slot_room + world_room);  // the history: hand_off reads ahead
    reads_ahead_ = contexts_->reads_ahead();
    const rank_rooms rooms = contexts_->rooms();
    world_rooms_ = rooms.part(slot_room, world_room);
    std::vector<int> everyone(static_cast<std::size_t>(opts.ranks));
    for (int r = 0; r < opts.ranks; ++r) everyone[static_cast<std::size_t>(r)] = r;
    make_comm("world", std::move(everyone));
    ranks_.make_room(opts.ranks, rooms.part(0, slot_room));
    checker_.make_room(opts.ranks, rooms.part(slot_room + world_room, call_history::room_bytes()));
    if (opts.profile) {
        profile_ = std::make_unique<baton::detail::profile_recorder>(opts.ranks);
        checker_.profile_into(profile_.get());
    }
    brackets_work_ = profile_ || time_.measures_computing() || checker_.times_events();
    install_exit_handlers();
}

engine::~engine() {
    // A bsend message in a communicator that outlives the run gives its room back to nobody.
    for (auto& buffer : bsend_buffers_)
        if (buffer) buffer->eng = nullptr;
    // A communicator still in use outlives the run (a program kept one past it): its last handle
    // frees it. Every other one goes with the engine.
    for (auto& comm : comms_) {
        comm->owner = nullptr;
        if (comm->handles > 0) (void)comm.release();
    }
}

run_outcome engine::run() {
    active_run fatal_signals_reported;  // a rank that faults is named (process_exit.hpp)
    // Before any rank's thread or process exists: they inherit the core.
    const one_core_scope one_core(binds_to_one_core(opts_));
    // Fiber ranks run on this thread and set its clock: the caller's (an MPI rank's) comes back after.
    const baton::detail::clock_scope callers_clock(nullptr);
    try {
        if (opts_.context == rank_context::process) {
            processes_ = std::make_unique<process_ranks>(opts_.ranks, body_);
            for (int r = 0; r < opts_.ranks; ++r) time_.compute_in_process(r, processes_->pid_of(r));
        }
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
            ++ranks_.started;
        }
    } catch (const std::exception& e) {
        // Not enough threads or memory: let the ranks already started unwind without running.
        error_ = std::make_exception_ptr(
            error("sim::run: could not start rank " + std::to_string(ranks_.started) + ": " + e.what()));
        aborting_ = true;
        if (ranks_.started == 0) return {{}, {}, error_};
    }
    contexts_->run(scheduler_.pick(-1));
    time_.ranks_ended();
    processes_.reset();  // every process ended, and reaped
    watch_.running(-1);
    fatal_signals_reported.ranks_done();  // fibers ran on this very thread
    if (!error_) checker_.check_unreceived();
    if (const auto& why = scheduler_.divergence();
        opts_.plan_is_exact && (why || scheduler_.choices_made() < opts_.plan.size())) {
        // Whatever else happened, this was not the run being replayed.
        const std::string detail = why ? *why : fmt::format("the recorded run made {} choices and this one {}",
                                                            opts_.plan.size(), scheduler_.choices_made());
        error_ = std::make_exception_ptr(check_failed({checker_.make_finding(
            finding_kind::nondeterminism,
            "nondeterminism the scheduler does not control: " + detail +
                "; does the program read the clock, rand(), addresses or input that changed?",
            {})}));
    }
    if (!error_ && checker_.has_findings()) error_ = std::make_exception_ptr(check_failed(checker_.take_findings()));
    if (profile_)
        *opts_.profile = time_.asked() ? profile_->result("simulator", fmt::format("simulated (network {})", time_.network().name), true)
                                       : profile_->result("simulator", "real (steady clock; one rank runs at a time)", false);
    return {checker_.take_events(), scheduler_.choices(), error_, poison_choice_,
            !error_ && time_.asked() ? time_.summary() : std::string()};
}

double engine::profile_now(int rank) const noexcept {
    if (time_.asked()) return seconds(time_.now(rank));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void engine::rank_main(int self) {
    entering(self);  // the watchdog's view: the rank runs baton's code until its body starts
    // The rank's thread reads the run's clock (one for every rank: it reads the running one's
    // time), set once: fibers share the thread, and a run nested in a rank puts it back.
    baton::detail::use_clock(&clock_);
    resumed(self);
    if (self == opts_.debug_rank && !aborting_) stop_for_debugger(self, 0);  // --debug-rank: before its code
    if (!aborting_) {
        try {
            // The rank's world communicator is read at each call of the program's (issue 17). In
            // the rank's room where it has one (fibers): in the page it runs on, read with the
            // room before the rank is resumed, where on the heap each rank's was a TLB miss more.
            std::byte* const room = world_rooms_.base ? world_rooms_.of(self) : nullptr;
            std::unique_ptr<sim_comm> inner(room ? new (room) sim_comm(*this, this->world(), self, /*placed=*/true)
                                                 : new sim_comm(*this, this->world(), self));
            const void* const inner_at = inner.get();
            auto world = at_user_boundary(*this, std::move(inner), self,
                                          room ? room + room_lines(sizeof(sim_comm)) : nullptr);
            if (!room) contexts_->read_when_resumed(self, world.get(), inner_at, sizeof(sim_comm));
            // The body is the rank's own code, however it ends (a return or an exception); a
            // process rank's proxy waits for the process's calls as if they were the rank's own.
            const struct back_in_baton {
                engine& eng;
                int rank;
                ~back_in_baton() {
                    eng.entering(rank);
                    if (eng.profile_) eng.profile_->finished(rank, eng.profile_now(rank));
                }
            } back{*this, self};
            leaving(self);
            if (profile_) profile_->started(self, profile_now(self));
            contexts_->program_starts(self);
            if (processes_) {
                serve_process_rank(*this, *processes_, self, std::move(world), result_taker_);
            } else {
                communicator user_world(std::move(world));
                // In this frame, above the program's (program_starts), yet read at each of its calls.
                if (room) contexts_->read_when_resumed(self, &user_world, nullptr, sizeof user_world);
                body_(user_world);
            }
        } catch (const run_aborted&) {
            // The run is being torn down; whatever ended it is already recorded.
        } catch (...) {
            if (!error_) error_ = checker_.failure_of(self, std::current_exception());
            begin_abort();
        }
    }
    finish(self);
}

void engine::finish(int self) {
    ranks_.state(self) = rank_state::finished;
    ++ranks_.ended;
    scheduler_.remove(self);
    checker_.acted(self);  // what others poll for may now never come: count their polls afresh
    hand_off(self);
}

void engine::hand_off(int self) {
    int next = scheduler_.pick(self);
    if (next < 0) {
        if (ranks_.ended == ranks_.started) {
            contexts_->leave(self, -1);
            return;
        }
        // Nobody can run. A wait satisfied without a notify would be a bug, but cheap to rule out
        // here before calling it a deadlock.
        for (int r = 0; r < ranks_.started; ++r) {
            const auto& slot = ranks_[r];
            if (ranks_.blocked(r) && slot.waiting && slot.waiting->ready()) notify(r);
        }
        // A process rank that died while blocked is why nobody can run: its failure, not a deadlock.
        if (scheduler_.empty() && !aborting_ && a_process_rank_died()) begin_abort();
        if (scheduler_.empty() && !aborting_) go_on_at_quiescence();
        // Buffering MPI may do (and this run withheld) may let the run go on; if not, a deadlock.
        if (scheduler_.empty() && (aborting_ || !settle_stuck(blocked_ranks()))) begin_abort();
        next = scheduler_.pick(self);
    }
    if (next == self) {
        resumed(self, /*kept_cpu=*/true);
        return;
    }
    // Of `next`'s room, what only the engine knows it reads: the lines of its history its next call
    // writes (the contexts read the rest). Nobody (-1) when a finished rank leaves a run that ends.
    if (reads_ahead_ && next >= 0) {
        checker_.read_ahead(next);
        // And the first line of the rank that may run after it, while it runs (a guess).
        if (const int after = scheduler_.guess_after(next); after >= 0) contexts_->read_soon(after);
    }
    if (ranks_.finished(self)) {
        contexts_->leave(self, next);
        return;
    }
    scheduler_.read_ahead(next);
    contexts_->transfer(self, next);
    resumed(self);
}

void engine::resumed(int self, bool kept_cpu) {
    // Fibers share one thread: say which rank runs now. A rank picked again while it held the CPU
    // (about half the picks between two runnable ranks) is named there already.
    if (!kept_cpu) {
        mark_rank_thread(self, &replay_, checker_.last_call(self));
        watch_.running(self);
        rank_output::running(this, self);  // what was printed until now was the previous rank's
    }
    // Each step picks one rank, which resumes here (or in rank_main): stop the debugger in the
    // rank that runs at the step asked for (see README, "Finding the bugs that show up only
    // sometimes").
    if (opts_.break_at_step != 0 && scheduler_.steps() == opts_.break_at_step && !aborting_)
        stop_for_debugger(self, opts_.break_at_step);
}

void engine::stop_for_debugger(int self, std::uint64_t step) {
    // A process rank's proxy runs here, in the engine's process: the rank's own process stops,
    // and says which one to attach to.
    if (processes_) {
        say_rank_stops_for_debugger(self, processes_->pid_of(self), step);
        processes_->stop_for_debugger(self);
    } else if (step != 0) {
        std::raise(SIGTRAP);  // --break-at: under the debugger the user started the program in
    } else {
        // --debug-rank: the classic "wait until gdb attaches" of MPI programs, for one rank: under
        // a debugger (or a SIGTRAP handler of the program's) it stops at once, otherwise it says
        // where to attach and waits (debugger_stop.hpp).
        say_rank_stops_for_debugger(self, static_cast<long>(::getpid()), 0);
        detail::stop_for_debugger();
    }
}

void engine::call_without_switch(int self) {
    if (aborting_) throw run_aborted{};
    order_.tick(self);
    checker_.acted(self);
}

void engine::schedule_point(int self, call_effect effect) {
    if (aborting_) throw run_aborted{};
    order_.tick(self);
    if (effect == call_effect::acts) checker_.acted(self);
    hand_off(self);
    if (aborting_) throw run_aborted{};
}

void engine::wait_until(int self, const blocker& what, const std::source_location& where) {
    if (aborting_) throw run_aborted{};
    auto& slot = ranks_[self];
    while (!what.ready()) {
        ranks_.state(self) = rank_state::blocked;
        slot.waiting = &what;
        slot.waiting_at = where;
        scheduler_.remove(self);
        // A deadlock among some ranks is reported now, even while others still run.
        if (what.check_partial_deadlock())
            if (const auto stuck = checker_.stuck_with(self); !stuck.empty() && !settle_stuck(stuck)) fail_run(error_);
        hand_off(self);
        slot.waiting = nullptr;
        if (aborting_) throw run_aborted{};
    }
}

void engine::notify(int rank) {
    auto& state = ranks_.state(rank);
    if (state != rank_state::blocked) return;
    state = rank_state::runnable;
    scheduler_.add(rank);
}

void engine::notify_all(std::span<const int> ranks) {
    for (const int rank : ranks) notify(rank);
}

void engine::comm_gone(int rank, const void* comm) { contexts_->forget_when_resumed(rank, comm); }

void engine::fail_rank(int rank, std::exception_ptr error) { fail_run(checker_.failure_of(rank, std::move(error))); }

void engine::fail_run(std::exception_ptr error) {
    if (!error_) error_ = std::move(error);
    begin_abort();
    throw run_aborted{};
}

void engine::begin_abort() {
    aborting_ = true;
    for (int r = 0; r < ranks_.started; ++r) {
        auto& state = ranks_.state(r);
        if (state == rank_state::finished) continue;
        state = rank_state::runnable;
        scheduler_.add(r);
    }
}

bool engine::a_process_rank_died() {
    if (!processes_) return false;
    std::string how;
    const int dead = processes_->ended_early(how, /*look_anyway=*/true);
    if (dead < 0) return false;
    if (!error_) error_ = checker_.failure_of(dead, std::make_exception_ptr(rank_process_ended(how)));
    return true;
}

bool engine::settle_stuck(const std::vector<int>& stuck) {
    // Ranks waiting for one whose process died (a partial deadlock found at once, before nobody
    // can run) are stuck because of it: its failure is the report.
    if (a_process_rank_died()) return false;
    stuck_verdict verdict = checker_.judge_stuck(stuck);
    if (verdict.error) error_ = std::move(verdict.error);
    if (verdict.deadlock()) return false;
    for (int r : verdict.grant) {
        const blocker& wait = *ranks_[r].waiting;
        wait.grant_buffering();
        if (wait.ready()) notify(r);
    }
    for (sim_request* send : verdict.buffer) send->complete_as_buffered();
    checker_.progress();
    return true;
}

std::vector<int> engine::blocked_ranks() const {
    std::vector<int> blocked;
    for (int r = 0; r < ranks_.started; ++r)
        if (ranks_.blocked(r)) blocked.push_back(r);
    return blocked;
}

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

double engine::wtime(int rank) {
    entering(rank);
    const double now = seconds(time_.now(rank));
    leaving(rank);
    return now;
}

const std::shared_ptr<bsend_buffer>& engine::bsend_buffer_of(int rank) {
    if (bsend_buffers_.empty()) bsend_buffers_.resize(static_cast<std::size_t>(opts_.ranks));
    auto& buffer = bsend_buffers_[static_cast<std::size_t>(rank)];
    if (!buffer) {
        buffer = std::make_shared<bsend_buffer>();
        buffer->eng = this;
        buffer->rank = rank;
    }
    return buffer;
}

}  // namespace baton::sim::detail
