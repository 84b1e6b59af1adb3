#include "engine.hpp"

#include <system_error>

#include <baton/errors.hpp>

#include "comm.hpp"
#include "comm_state.hpp"

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

}  // namespace

engine::engine(const options& opts, const std::function<void(communicator&)>& body)
    : opts_(opts), body_(body), scheduler_(opts.schedule, opts.seed, opts.ranks) {
    if (opts.ranks < 1)
        throw usage_error("sim::run: ranks must be at least 1, not " + std::to_string(opts.ranks));
    std::vector<int> everyone(static_cast<std::size_t>(opts.ranks));
    for (int r = 0; r < opts.ranks; ++r) everyone[static_cast<std::size_t>(r)] = r;
    make_comm("world", std::move(everyone));
    ranks_.reserve(static_cast<std::size_t>(opts.ranks));
    for (int r = 0; r < opts.ranks; ++r) ranks_.push_back(std::make_unique<rank_slot>());
}

engine::~engine() {
    for (auto& slot : ranks_)
        if (slot->thread.joinable()) slot->thread.join();
}

std::vector<event> engine::run() {
    try {
        for (int r = 0; r < opts_.ranks; ++r) {
            ranks_[static_cast<std::size_t>(r)]->thread = std::thread([this, r] { thread_main(r); });
            scheduler_.add(r);
            ++started_;
        }
    } catch (const std::system_error& e) {
        // Not enough threads: let the ranks already started unwind without running.
        error_ = std::make_exception_ptr(
            error("sim::run: could not start rank " + std::to_string(started_) + ": " + e.what()));
        aborting_ = true;
        if (started_ == 0) throw;
    }
    ranks_[static_cast<std::size_t>(scheduler_.pick(-1))]->turn.release();
    done_.acquire();
    for (auto& slot : ranks_)
        if (slot->thread.joinable()) slot->thread.join();
    if (error_) std::rethrow_exception(error_);
    return std::move(events_);
}

void engine::thread_main(int self) {
    ranks_[static_cast<std::size_t>(self)]->turn.acquire();
    if (!aborting_) {
        try {
            communicator world(std::make_unique<sim_comm>(*this, this->world(), self));
            body_(world);
        } catch (const run_aborted&) {
            // The run is being torn down; whatever ended it is already recorded.
        } catch (...) {
            if (!error_) {
                auto original = std::current_exception();
                error_ = std::make_exception_ptr(rank_failed(self, original, describe_exception(original)));
            }
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
    hand_off(self);
}

void engine::hand_off(int self) {
    int next = scheduler_.pick(self);
    if (next < 0) {
        if (finished_ == started_) {
            done_.release();
            return;
        }
        // Nobody can run. A wait satisfied without a notify would be a bug, but cheap to rule out
        // here before calling it a deadlock.
        for (int r = 0; r < started_; ++r) {
            auto& slot = *ranks_[static_cast<std::size_t>(r)];
            if (slot.state == rank_state::blocked && slot.waiting && slot.waiting->ready()) notify(r);
        }
        if (scheduler_.empty()) {
            if (!error_) error_ = deadlock_report();
            begin_abort();
        }
        next = scheduler_.pick(self);
    }
    if (next == self) return;
    // Read before the release: from then on `next` runs and owns all engine state.
    auto& own = *ranks_[static_cast<std::size_t>(self)];
    const bool finished = own.state == rank_state::finished;
    ranks_[static_cast<std::size_t>(next)]->turn.release();
    if (!finished) own.turn.acquire();
}

void engine::schedule_point(int self) {
    if (aborting_) throw run_aborted{};
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

void engine::record(event e) {
    e.step = scheduler_.steps();
    events_.push_back(std::move(e));
}

comm_state& engine::make_comm(std::string name, std::vector<int> world_ranks) {
    comms_.push_back(std::make_unique<comm_state>(std::move(name), std::move(world_ranks)));
    return *comms_.back();
}

std::string engine::replay_hint() const {
    return opts_.replay_command.empty() ? "sim::run with " + to_flags(opts_) : opts_.replay_command;
}

}  // namespace baton::sim::detail
