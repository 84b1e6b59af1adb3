#include "comm.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include "buffer_checks.hpp"
#include "collective_costs.hpp"
#include "comm_state.hpp"
#include "copy_bytes.hpp"

namespace baton::sim::detail {

namespace {

// Bytes that match a message of any type: MPI's MPI_PACKED as the C API names it (MPI-3.1 §4.2: a
// message of any type may be received packed, and packed bytes may be received as any type).
bool is_packed(const type_desc& type) { return type.kind == element_kind::bytes && type.name == "MPI_PACKED"; }

// Whether a message of elements `sent` may be received into elements `receive`.
bool receivable(const type_desc& sent, const type_desc& receive) {
    // Both made from one type's type_name_v (the usual case): the same name, by address.
    if (same_literal(sent.name, receive.name) && sent.kind == receive.kind && sent.size == receive.size) return true;
    return sent == receive || is_packed(sent) || is_packed(receive);
}

std::string elements(std::size_t count, const type_desc& type) {
    if (type.kind == element_kind::serialized) return fmt::format("{} bytes of serialized {}", count, type.name);
    return fmt::format("{} elements of {}", count, type.name);
}

// Waits for a message a probe accepts (or, for an iprobe that found none, describes what it
// polls for).
class probe_blocker final : public blocker {
public:
    probe_blocker(const comm_state& comm, int rank, const call_record& call) : comm_(comm), rank_(rank), call_(call) {}
    bool ready() const override {
        return !comm_.mailboxes[static_cast<std::size_t>(rank_)].candidates(call_.asked.rank, call_.asked.tag).empty();
    }
    std::string describe() const override { return detail::describe(call_); }
    const comm_state* comm() const override { return &comm_; }
    rank_list waits_for() const override { return awaited(call_, comm_); }

private:
    const comm_state& comm_;
    int rank_;
    const call_record& call_;
};

// The record of a blocking collective call of `comm`'s rank `rank` (world rank `world`).
call_record collective_record(const collective_call& call, const comm_state& comm, int rank, int world) {
    call_record record = make_call(call_kind::collective, operation_of(call), comm, rank, call.root, -1,
                                   call.send.count * call.send.type.size, call.where, world);
    record.collective = &call;
    return record;
}

// Waits for the other ranks to reach a collective. Its text is made from the call when a report
// asks: the call's record is not kept on the waiting rank's stack (issue 17: each line of a
// blocked rank's frames is a line its resumption reads back, a miss at 100 000 ranks).
class collective_blocker final : public blocker {
public:
    collective_blocker(comm_state& comm, std::uint64_t sequence, collective_call& call, int rank)
        : comm_(comm), sequence_(sequence), call_(call), rank_(rank) {}
    // Done when it left early, or when complete() marked it; complete() for a slot whose inputs
    // were gathered marks no call, only the communicator (collective.hpp: gather_input).
    bool ready() const override { return call_.done || comm_.completed > sequence_; }
    // MPI may let this rank leave at once (collective_mode::local); this run did not.
    bool buffering_dependent() const override { return may_complete_locally(call_, rank_); }
    // Lets it leave now, as collective_mode::local would have: its data stays in the slot.
    void grant_buffering() const override { leave_early(comm_, sequence_, call_, rank_); }
    bool check_partial_deadlock() const override { return false; }
    const comm_state* comm() const override { return &comm_; }
    std::string describe() const override {
        return detail::describe(collective_record(call_, comm_, rank_, comm_.world_rank(rank_)));
    }
    rank_list waits_for() const override { return missing_from_collective(comm_, sequence_); }

private:
    comm_state& comm_;
    std::uint64_t sequence_;
    collective_call& call_;
    int rank_;
};

std::atomic<std::size_t> comm_states{0};

// The messages a receive or probe could take, as a report of the choice names them.
std::vector<std::string> offered(const comm_state& comm, const candidate_list& candidates) {
    std::vector<std::string> senders;
    for (const message* m : candidates)
        senders.push_back(fmt::format("{}'s {} at {}", comm.member(m->source), m->operation,
                                      baton::detail::format_location(m->sent_at)));
    return senders;
}

// The choice of a message for a receive (or a probe) of rank `rank`.
choice_site message_choice(const comm_state& comm, int rank, const std::string& call, const std::source_location& where,
                           const candidate_list& candidates, std::string_view verb) {
    const std::string location = baton::detail::format_location(where);
    return {{comm.world_rank(rank), call, location, {}, {}, comm.in_comm(comm.world_rank(rank))},
            fmt::format("what {}'s {} at {} {}", comm.member(rank), call, location, verb),
            offered(comm, candidates)};
}

}  // namespace

comm_state::comm_state(std::string comm_name, std::vector<int> members)
    : label(std::move(comm_name)), world_ranks(std::move(members)), mailboxes(world_ranks.size()) {
    comm_states.fetch_add(1, std::memory_order_relaxed);
}

comm_state::~comm_state() { comm_states.fetch_sub(1, std::memory_order_relaxed); }

std::string comm_state::peer(int rank) const {
    if (rank == proc_null) return "proc_null";
    if (rank < 0) return "any_source";
    if (name == "world") return std::to_string(rank);
    return fmt::format("{} (world rank {})", rank, world_rank(rank));
}

std::string comm_state::member(int rank) const {
    return baton::detail::format_rank(world_rank(rank), name, rank);
}

std::string comm_state::in_comm(int world) const {
    if (name == "world") return {};
    const auto it = std::find(world_ranks.begin(), world_ranks.end(), world);
    return it == world_ranks.end() ? std::string() : fmt::format("rank {} of {}", it - world_ranks.begin(), name);
}

std::string never_received(const comm_state& comm, std::size_t dest, const message& m) {
    const int to = static_cast<int>(dest);
    return fmt::format("message never received: {} sent {} bytes to {} (tag {}, comm {}) and rank {} finished "
                       "without receiving it",
                       comm.member(m.source), m.data.size(), comm.member(to), m.tag, comm.name, comm.world_rank(to));
}

rank_call sender_of(const comm_state& comm, std::size_t dest, const message& m) {
    return {comm.world_rank(m.source),
            describe(sent_call(comm, static_cast<int>(dest), m.source, m.tag, m.operation, m.sent_at, m.id)),
            baton::detail::format_location(m.sent_at), {}, {}, comm.in_comm(comm.world_rank(m.source))};
}

bool comm_state::idle() const {
    return collectives.empty() && std::all_of(mailboxes.begin(), mailboxes.end(), [](const mailbox& m) { return m.idle(); });
}

comm_handle::~comm_handle() {
    if (--comm_->handles > 0) return;
    if (comm_->owner)
        comm_->owner->comm_unused(*comm_);
    else
        delete comm_;  // the engine is gone and gave it to its last handle
}

std::size_t live_comm_states() { return comm_states.load(std::memory_order_relaxed); }

void deliver(sim_request& receive, int source, int tag, const type_desc& type, const void* data, std::size_t count,
             std::string_view sent_by, const std::source_location& sent_at, std::uint64_t id) {
    const status result{source, tag, count * type.size};
    receive.call().message = id;
    auto& buffer = receive.buffer;
    const auto& comm = receive.comm();
    // A message that does not fit its receive: the error names both calls and both lines, as the
    // fix may be at either end.
    auto fail = [&](auto error_type, const std::string& what) {
        const int owner = comm.world_rank(receive.owner()), sender = comm.world_rank(source);
        const std::string received_at = baton::detail::format_location(receive.posted_at());
        const std::string sent_text = baton::detail::format_location(sent_at);
        std::vector<rank_call> calls{
            {owner, receive.describe(), received_at, {}, {}, comm.in_comm(owner)},
            {sender, describe(sent_call(comm, receive.owner(), source, tag, sent_by, sent_at, id)), sent_text, {}, {},
             comm.in_comm(sender)}};
        if (sender < owner) std::swap(calls[0], calls[1]);  // in rank order
        if (sender == owner) calls.pop_back();              // a message to itself: one rank, its receive
        receive.complete(result, std::make_exception_ptr(decltype(error_type)(
                                     fmt::format("{}: {} at {}: the message from {} ({} at {}, tag {}) {}",
                                                 comm.member(receive.owner()), receive.describe(), received_at,
                                                 comm.member(source), sent_by, sent_text, tag, what),
                                     std::move(calls))));
    };
    if (!receivable(type, buffer.type))
        return fail(type_mismatch_error(""), fmt::format("holds {} but the receive is for {}", type.name, buffer.type.name));
    // In bytes: packed bytes hold elements of another size.
    if (!buffer.resizable() && count * type.size > buffer.count * buffer.type.size)
        return fail(truncation_error(""), fmt::format("has {}, more than the {} the receive buffer holds",
                                                      elements(count, type), buffer.count));
    if (receive.deferred()) {
        receive.keep_until_completion(data, count * type.size);
    } else {
        void* to = buffer.resizable() ? buffer.resize(buffer.container, count * type.size / buffer.type.size) : buffer.data;
        copy_bytes(to, data, count * type.size);
    }
    receive.complete(result);
}

sim_comm::sim_comm(engine& eng, comm_state& state, int rank, bool placed)
    : eng_(eng), state_(state), rank_(rank), world_rank_(state.world_rank(rank)), placed_(placed) {}

const std::string& sim_comm::name() const { return state_.name; }

void learn_from_message(happens_before& order, const comm_state& comm, int receiver, const message& m) {
    order.learn(comm.world_rank(receiver), m.sent_clock);
    if (m.sync_sender) order.learn_from(comm.world_rank(m.source), comm.world_rank(receiver));
}

namespace {

// When the receive and the send (a synchronous one's request, if any) of a matched message are
// done, in simulated time. (Local, so that its three callers have it inline.)
void time_match(const simulated_time& time, sim_request& receive, const sent_timing& sent, sim_request* sender) {
    const auto done = time.match(sent, receive.posted_time);
    receive.done_time = done.receiver;
    if (sender) sender->done_time = done.sender;
}

}  // namespace

void match_deferred(comm_state& comm, int rank, scheduler& sched, happens_before& order, const simulated_time& time) {
    auto& box = comm.mailboxes[static_cast<std::size_t>(rank)];
    auto deliver_message = [&](sim_request& receive, message m) {
        receive.posted = false;
        learn_from_message(order, comm, rank, m);
        time_match(time, receive, m.timing, m.sync_sender);
        deliver(receive, m.source, m.tag, m.type, m.data.data(), m.count, m.operation, m.sent_at, m.id);
        if (m.sync_sender) m.sync_sender->complete({rank, m.tag, m.data.size()});
    };
    // The first posted receive is a wildcard: every message it could take is there now; the
    // scheduler chooses (and an exploration tries each in turn).
    sim_request* wildcard = box.wildcard_ready();
    const auto candidates = box.candidates(wildcard->peer(), wildcard->tag());
    message chosen = box.take(candidates[sched.choose(candidates.size(), [&] {
        return message_choice(comm, rank, wildcard->describe(), wildcard->posted_at(), candidates, "took");
    })]);
    box.cancel(wildcard);
    deliver_message(*wildcard, std::move(chosen));
    // Then the receives posted after it, up to the next wildcard, as MPI would match them.
    message next;
    while (sim_request* receive = box.next_match_before_wildcard(next)) deliver_message(*receive, std::move(next));
}

// ---- Point-to-point ------------------------------------------------------------------------

std::unique_ptr<sim_request> sim_comm::start_send(const backend::send_view& data, int dest, int tag,
                                                  std::string_view operation, const backend::location& where,
                                                  bool always_request, send_kind kind) {
    eng_.schedule_point(world_rank());
    const std::size_t bytes = data.count * data.type.size;
    const bool to_nobody = dest == proc_null;  // no message: nothing to match or wait for
    const bool buffered = kind == send_kind::buffered, must_match = kind == send_kind::synchronous;
    const std::size_t room = buffered && !to_nobody ? check_bsend_room(bytes, dest, tag, operation, where) : 0;
    if (kind == send_kind::ready && !to_nobody) check_ready(dest, tag, bytes, operation, where);
    call_record call = make_call(call_kind::send, operation, state_, rank_, dest, tag, bytes, where);
    const std::uint64_t id = call.message = to_nobody ? 0 : ++state_.arrivals;
    eng_.checks().log(call);
    const auto& opts = eng_.opts();
    const bool synchronous = !to_nobody && !buffered &&
                             (must_match || opts.sends == send_mode::synchronous ||
                              (opts.sends == send_mode::eager && bytes > opts.eager_limit));
    // Sending from the buffer of a pending irecv of its own (buffer_checks.hpp).
    const bool conflict =
        eng_.checks().check_buffer_use(world_rank(), checked_data(data), bytes, nullptr, false, operation, where);
    std::unique_ptr<sim_request> request;
    if (always_request || synchronous)
        request = std::make_unique<sim_request>(eng_, state_, rank_, std::move(call));
    if (request) request->must_match = must_match;
    if (always_request && !buffered) request->watch_send_buffer(data);  // an ibsend's data is copied at once
    if (conflict && request) request->mark_reported();  // the irecv's completion will change its data too
    if (to_nobody) {
        if (request) request->complete({dest, tag, bytes});
        return request;
    }
    const sent_timing sent =
        eng_.time().send(world_rank(), state_.world_ranks[static_cast<std::size_t>(dest)], bytes, synchronous);

    auto& box = state_.mailboxes[static_cast<std::size_t>(dest)];
    const bool systematic = opts.schedule == schedule::systematic;
    if (sim_request* receive = box.take_posted(rank_, tag, systematic)) {
        // Matched at once: each side learns of the other (the sender more than MPI promises, for
        // a standard send: learning more only hides races).
        const int receiver = state_.world_ranks[static_cast<std::size_t>(dest)];
        eng_.order().learn_from(receiver, world_rank());
        eng_.order().learn_from(world_rank(), receiver);
        time_match(eng_.time(), *receive, sent, synchronous ? request.get() : nullptr);
        deliver(*receive, rank_, tag, data.type, data.data, data.count, operation, where, id);
        if (request) request->complete({dest, tag, bytes});
        return request;
    }
    message m;
    m.source = rank_;
    m.tag = tag;
    m.type = data.type;
    m.count = data.count;
    const auto* first = static_cast<const std::byte*>(data.data);
    m.data.assign(first, first + bytes);
    m.arrival = id;
    m.id = id;
    m.sent_at = where;
    m.operation = operation;
    m.sent_clock = eng_.order().of(world_rank());
    m.timing = sent;
    if (buffered) m.claim = std::make_unique<bsend_claim>(eng_.bsend_buffer_of(world_rank()), room,
                                                          state_.world_ranks[static_cast<std::size_t>(dest)]);
    if (synchronous) {
        m.sync_sender = request.get();
        request->unmatched_sync_send = true;
    } else if (request) {
        request->complete({dest, tag, bytes});  // buffered: complete at once
    }
    box.store(std::move(m));
    eng_.notify(state_.world_ranks[static_cast<std::size_t>(dest)]);  // it may be probing
    return request;
}

void sim_comm::start_receive(sim_request& request, const backend::recv_buffer& into, int source, int tag,
                             const backend::location& where, bool blocking) {
    const std::string_view operation = request.call().operation;
    // Receiving into the buffer of a pending isend or irecv of its own (buffer_checks.hpp): one
    // finding for both, not a second one when this receive completes.
    if (eng_.checks().check_buffer_use(world_rank(), checked_data(into), into.count * into.type.size,
                                       checked_object(into), true, operation, where))
        request.mark_reported();
    request.buffer = into;
    request.blocking = blocking;
    request.posted_time = eng_.time().now(world_rank());
    if (source == proc_null) {
        // Nothing arrives, at once: a fixed buffer keeps its bytes (no poison either), a
        // resizable one is resized to the nothing that came, as to any message.
        if (into.resizable()) into.resize(into.container, 0);
        request.complete({proc_null, any_tag, 0});
        return;
    }
    if (!blocking) request.defer_delivery();
    auto& box = state_.mailboxes[static_cast<std::size_t>(rank_)];
    if (box.has_messages() && receive_stored(request, box, source, tag, where)) return;
    box.post(source, tag, &request);
    request.posted_clock = eng_.order().now(world_rank());
    request.posted = true;
}

bool sim_comm::receive_stored(sim_request& request, mailbox& box, int source, int tag, const backend::location& where) {
    // A systematic run matches a wildcard (and whatever was posted after one) only when every
    // rank is blocked: then every message it could take is there to choose from.
    const bool wait_for_choice = eng_.opts().schedule == schedule::systematic &&
                                 (source == any_source || box.has_posted_wildcard());
    message m;
    if (!wait_for_choice && source >= 0) {
        if (!box.take_first(source, tag, m)) return false;  // one sender: no choice to make
    } else if (const auto candidates = wait_for_choice ? candidate_list{} : box.candidates(source, tag);
               !candidates.empty()) {
        m = box.take(candidates[eng_.sched().choose(candidates.size(), [&] {
            return message_choice(state_, rank_, request.describe(), where, candidates, "took");
        })]);
    } else {
        return false;
    }
    learn_from_message(eng_.order(), state_, rank_, m);
    time_match(eng_.time(), request, m.timing, m.sync_sender);
    deliver(request, m.source, m.tag, m.type, m.data.data(), m.count, m.operation, m.sent_at, m.id);
    if (m.sync_sender) m.sync_sender->complete({rank_, m.tag, m.data.size()});
    return true;
}

void sim_comm::send(const backend::send_view& data, int dest, int tag, backend::location where) {
    blocking_send(data, dest, tag, "send", where, send_kind::standard);
}

void sim_comm::blocking_send(const backend::send_view& data, int dest, int tag, std::string_view operation,
                             const backend::location& where, send_kind kind) {
    if (auto pending = start_send(data, dest, tag, operation, where, false, kind)) {
        pending->blocking = true;
        pending->wait(where);
    }
}

status sim_comm::recv(const backend::recv_buffer& into, int source, int tag, backend::location where) {
    eng_.schedule_point(world_rank());
    // On this rank's stack: the recv waits for it before it returns, and a heap request per call
    // was a malloc and a free in every ping-pong's receive.
    sim_request request(eng_, state_, rank_, make_call(call_kind::receive, "recv", state_, rank_, source, tag, 0, where));
    start_receive(request, into, source, tag, where, true);
    return request.wait(where);
}

std::unique_ptr<backend::request_impl> sim_comm::isend(backend::send_view data, int dest, int tag,
                                                       backend::location where) {
    return start_send(data, dest, tag, "isend", where, true);
}

std::unique_ptr<backend::request_impl> sim_comm::irecv(backend::recv_buffer into, int source, int tag,
                                                       backend::location where) {
    eng_.schedule_point(world_rank());
    auto request = std::make_unique<sim_request>(
        eng_, state_, rank_, make_call(call_kind::receive, "irecv", state_, rank_, source, tag, 0, where));
    start_receive(*request, into, source, tag, where, false);
    return request;
}

// ---- Point-to-point: per-call send modes -----------------------------------------------------

void sim_comm::ssend(const backend::send_view& data, int dest, int tag, backend::location where) {
    blocking_send(data, dest, tag, "ssend", where, send_kind::synchronous);
}

std::unique_ptr<backend::request_impl> sim_comm::issend(backend::send_view data, int dest, int tag,
                                                        backend::location where) {
    return start_send(data, dest, tag, "issend", where, true, send_kind::synchronous);
}

std::optional<status> sim_comm::find_message(int source, int tag, const blocker& probe, const backend::location& where,
                                             bool may_miss) {
    const auto candidates = state_.mailboxes[static_cast<std::size_t>(rank_)].candidates(source, tag);
    if (candidates.empty()) return std::nullopt;
    const std::size_t chosen = eng_.sched().choose(candidates.size() + (may_miss ? 1 : 0), [&] {
        auto site = message_choice(state_, rank_, probe.describe(), where, candidates, "saw");
        if (may_miss) site.alternatives.push_back("nothing yet");
        return site;
    });
    if (chosen == candidates.size()) return std::nullopt;  // not arrived yet, as far as this poll sees
    const message* m = candidates[chosen];
    eng_.order().learn(world_rank(), m->sent_clock);  // a probe that sees a message knows it was sent
    return status{m->source, m->tag, m->data.size()};
}

status sim_comm::probe(int source, int tag, backend::location where) {
    eng_.schedule_point(world_rank());
    if (source == proc_null) return {proc_null, any_tag, 0};  // "arrived" at once, as on MPI
    const call_record call = make_call(call_kind::probe, "probe", state_, rank_, source, tag, 0, where);
    probe_blocker until_message(state_, rank_, call);
    eng_.wait_until(world_rank(), until_message, where);
    return *find_message(source, tag, until_message, where);
}

std::optional<status> sim_comm::iprobe(int source, int tag, backend::location where) {
    if (source == proc_null) {  // found at once, as on MPI: not a poll that may have to wait
        eng_.schedule_point(world_rank());
        return status{proc_null, any_tag, 0};
    }
    eng_.schedule_point(world_rank(), engine::call_effect::polls);
    std::optional<status> found;
    const call_record call = make_call(call_kind::probe, "iprobe", state_, rank_, source, tag, 0, where);
    const probe_blocker poll(state_, rank_, call);
    if (!poll.ready() && eng_.poll_wait_chosen(world_rank(), poll, where))
        found = find_message(source, tag, poll, where);
    else
        found = find_message(source, tag, poll, where, eng_.poll_may_miss(world_rank()));
    if (found) eng_.poll_succeeded(world_rank());
    else eng_.poll_failed(world_rank(), poll, where);
    return found;
}

// ---- Collectives ---------------------------------------------------------------------------

sim_comm::arrival sim_comm::arrive(collective_call& call, sim_request* pending, std::uint64_t& sequence) {
    // Not a scheduling point: who arrives at a collective when changes nothing in its outcome,
    // and every rank but the last blocks there anyway. Letting another rank run first would
    // double the hand-offs a collective costs.
    eng_.call_without_switch(world_rank());
    const auto& traits = traits_of(call.kind);
    const auto operation = operation_of(call);
    // MPI_IN_PLACE, as the typed layer asks for it (backend.hpp).
    call.overwrites_input = in_place(call, rank_);
    if (eng_.order().kept()) call.owned.make().joined_clock = eng_.order().of(world_rank());
    call.joined_at = eng_.time().now(world_rank());
    eng_.checks().log(collective_record(call, state_, rank_, world_rank()));
    // A collective reads and writes the rank's buffers too: not those of its pending requests. (A
    // bcast's root only reads its buffer; elsewhere the buffer is written.)
    const bool in_place = traits.in_place, root = call.root == rank_;
    if (!in_place || root)
        eng_.checks().check_buffer_use(world_rank(), checked_data(call.send), call.send.count * call.send.type.size,
                                       nullptr, false, operation, call.where);
    if (!in_place || !root)
        eng_.checks().check_buffer_use(world_rank(), checked_data(call.recv), call.recv.count * call.recv.type.size,
                                       checked_object(call.recv), true, operation, call.where);
    sequence = next_collective_++;
    auto& slot = state_.slot_of(sequence);
    if (slot.calls.empty()) slot.calls.assign(static_cast<std::size_t>(size()), nullptr);
    // A non-blocking one's caller leaves anyway: its call stays in the slot until completion,
    // unless it completes here as the blocking one's caller would leave (then its request too).
    const bool early = eng_.opts().collectives == collective_mode::local && may_complete_locally(call, rank_) &&
                       slot.arrived + 1 < size();
    call.request = pending;
    // Known to the request before anything below can throw (a mismatch ends the run from here):
    // one destroyed while it unwinds detaches its call into this slot, not another.
    if (pending) pending->collective_sequence = sequence;
    slot.calls[static_cast<std::size_t>(rank_)] = early ? detach(call, slot, state_, rank_) : &call;
    ++slot.arrived;
    if (pending) ++slot.with_request;
    joined_collective(slot, call, rank_, size());
    // Checked against the first arrival only: whatever differs between two ranks differs between
    // one of them and the first. Most arrivals are plainly alike, and say so without a call.
    if (slot.first < 0) slot.first = rank_;
    else if (!plainly_alike(call, *slot.calls[static_cast<std::size_t>(slot.first)]))
        if (const auto why = mismatch(slot, call, rank_, state_); !why.empty()) fail_with_mismatch(slot, sequence, why);
    if (slot.arrived == size())
        if (const auto why = mismatch_at_completion(slot, state_); !why.empty()) fail_with_mismatch(slot, sequence, why);
    gather_input(slot, call, rank_, size());
    if (slot.arrived == size()) {
        slot.completing = &call;
        time_collective(slot, eng_.time(), state_.world_ranks);
        complete(slot, state_, eng_);
        state_.erase_slot(sequence);
        if (!pending) {
            take_result(call, state_, rank_);
            eng_.time().reach(world_rank(), call.leaves_at);
        }
        return arrival::returns;
    }
    if (pending) {
        if (early) {
            call.done = true;
            pending->complete({}, call.error);
        }
        return arrival::returns;
    }
    // One that left early is done: the others will find its data in the slot.
    return early ? arrival::left_early : arrival::waits;
}

void sim_comm::collective(collective_call& call, sim_request* pending) {
    std::uint64_t sequence = 0;
    const arrival arrived = arrive(call, pending, sequence);
    if (pending) return;  // a non-blocking call's outcome, its error too, is its request's
    // The rank that completed the collective (arrival::returns) has its result, or its error (a
    // result larger than its fixed buffer), as much as one that waited for it.
    if (arrived == arrival::waits) {
        collective_blocker until_complete(state_, sequence, call, rank_);
        // What the rank needs after the wait, on its stack: this object is on the heap, cold when
        // the rank is resumed at 100 000 ranks and more (a cache and TLB miss per rank).
        engine& eng = eng_;
        const int world = world_rank();
        eng.wait_until(world, until_complete, call.where);
        take_result(call, state_, rank_);
        eng.time().reach(world, call.leaves_at);
    }
    if (call.error) std::rethrow_exception(call.error);
}

void sim_comm::fail_with_mismatch(const collective_slot& slot, std::uint64_t sequence, const std::string& why) {
    std::vector<rank_call> table;
    for (int r = 0; r < size(); ++r) {
        const auto* each = slot.calls[static_cast<std::size_t>(r)];
        const int world = state_.world_rank(r);
        if (each)
            table.push_back({world, describe(*each, &state_), baton::detail::format_location(each->where), {}, {},
                             state_.in_comm(world)});
        else
            table.push_back({world, "not there yet", "", {}, {}, state_.in_comm(world)});
    }
    auto f = eng_.checks().make_finding(finding_kind::collective_mismatch,
                                        fmt::format("collective mismatch on {} (its collective #{}): {}", state_.name,
                                                    sequence + 1, why),
                                        std::move(table));
    eng_.fail_run(std::make_exception_ptr(collective_mismatch(std::move(f))));
}

std::unique_ptr<backend::request_impl> sim_comm::start_collective(std::unique_ptr<collective_call> call) {
    call->nonblocking = true;
    const auto& traits = traits_of(call->kind);
    auto request = std::make_unique<sim_request>(
        eng_, state_, rank_,
        make_call(call_kind::collective, operation_of(*call), state_, rank_, call->root, -1,
                  call->send.count * call->send.type.size, call->where));
    request->call().collective = call.get();
    // The reduce_op the caller passed ends with the call: the request keeps a copy.
    if (call->op) {
        auto& copied = call->owned.make().op;
        copied = *call->op;
        call->op = &copied;
    }
    auto& owned = *call;
    request->own_collective(std::move(call));
    collective(owned, request.get());
    // Its data must not change until completion: a bcast's only at the root, which sends it.
    // Watched once the call has checked its buffers against the rank's pending ones (in place, its
    // receive buffer is this data), unless it completed in the call and watches its result already.
    if (traits.typed && (!traits.in_place || owned.root == rank_) && !request->watching())
        request->watch_send_buffer(owned.send);
    // Its receive buffer must not be written, nor read, until then either: watched from what it
    // holds now (the result, if the call completed it).
    if (gets_result(owned, rank_)) request->watch_result_buffer(owned.recv);
    return request;
}

// ---- Non-blocking collectives (issue 14): the blocking ones' calls, made by start_collective ----

std::unique_ptr<backend::request_impl> sim_comm::ibarrier(backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{.kind = collective_kind::barrier, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::ibcast(backend::recv_buffer data, int root, backend::location where) {
    auto call = std::make_unique<collective_call>(
        collective_call{.kind = collective_kind::bcast, .root = root, .recv = data, .where = where});
    call->send = {data.data, data.count, data.type, data.origin};
    return start_collective(std::move(call));
}

std::unique_ptr<backend::request_impl> sim_comm::ireduce(backend::send_view mine, backend::recv_buffer result,
                                                         const reduce_op& op, int root, backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::reduce, .root = root, .send = mine, .recv = result, .op = &op, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::iallreduce(backend::send_view mine, backend::recv_buffer result,
                                                            const reduce_op& op, backend::location where) {
    return start_collective(std::make_unique<collective_call>(
        collective_call{.kind = collective_kind::allreduce, .send = mine, .recv = result, .op = &op, .where = where}));
}

// ---- Non-blocking gathers, scatters and all-to-alls (issue 14: igather): the blocking rows' calls ----

std::unique_ptr<backend::request_impl> sim_comm::igather(backend::send_view mine, backend::recv_buffer all, int root,
                                                         backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::gather, .root = root, .send = mine, .recv = all, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::iallgather(backend::send_view mine, backend::recv_buffer all,
                                                            backend::location where) {
    return start_collective(std::make_unique<collective_call>(
        collective_call{.kind = collective_kind::allgather, .send = mine, .recv = all, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                          backend::location where) {
    if (rank_ != root) all.count = 0;
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::scatter, .root = root, .send = all, .recv = mine, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::ialltoall(backend::send_view all, backend::recv_buffer mine,
                                                           backend::location where) {
    return start_collective(std::make_unique<collective_call>(
        collective_call{.kind = collective_kind::alltoall, .send = all, .recv = mine, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::igatherv(backend::send_view mine, backend::recv_buffer all,
                                                          std::span<const std::size_t> expected, int root,
                                                          backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::gatherv, .root = root, .send = mine, .recv = all, .counts_expected = expected,
        .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                             std::span<const std::size_t> expected,
                                                             backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::allgatherv, .send = mine, .recv = all, .counts_expected = expected, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                           backend::recv_buffer mine, int root,
                                                           backend::location where) {
    if (rank_ != root) all.count = 0;
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::scatterv, .root = root, .send = all, .recv = mine, .counts_in = counts,
        .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                            backend::recv_buffer mine,
                                                            std::span<const std::size_t> expected,
                                                            backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::alltoallv, .send = all, .recv = mine, .counts_in = counts,
        .counts_expected = expected, .where = where}));
}

// ---- Non-blocking scans and reduce-scatter (issue 14: iscan): the blocking ones' calls too ----

std::unique_ptr<backend::request_impl> sim_comm::iscan(backend::send_view mine, backend::recv_buffer result,
                                                       const reduce_op& op, backend::location where) {
    return start_collective(std::make_unique<collective_call>(
        collective_call{.kind = collective_kind::scan, .send = mine, .recv = result, .op = &op, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::iexscan(backend::send_view mine, backend::recv_buffer result,
                                                         const reduce_op& op, backend::location where) {
    return start_collective(std::make_unique<collective_call>(
        collective_call{.kind = collective_kind::exscan, .send = mine, .recv = result, .op = &op, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::ireduce_scatter_block(backend::send_view mine,
                                                                       backend::recv_buffer result,
                                                                       const reduce_op& op, backend::location where) {
    return start_collective(std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::reduce_scatter_block, .send = mine, .recv = result, .op = &op, .where = where}));
}

std::unique_ptr<backend::request_impl> sim_comm::ireduce_scatter(backend::send_view mine,
                                                                 std::span<const std::size_t> counts,
                                                                 backend::recv_buffer result, const reduce_op& op,
                                                                 backend::location where) {
    auto call = std::make_unique<collective_call>(collective_call{
        .kind = collective_kind::reduce_scatter, .send = mine, .recv = result, .op = &op, .where = where});
    auto& copied = call->owned.make().counts;
    copied.assign(counts.begin(), counts.end());  // the caller's may go before completion
    call->counts_in = copied;
    return start_collective(std::move(call));
}

void sim_comm::barrier(backend::location where) {
    collective_call call{.kind = collective_kind::barrier, .where = where};
    collective(call);
}

void sim_comm::bcast(backend::recv_buffer data, int root, backend::location where) {
    collective_call call{.kind = collective_kind::bcast, .root = root, .recv = data, .where = where};
    call.send = {data.data, data.count, data.type, data.origin};
    collective(call);
}

void sim_comm::scatter(backend::send_view all, backend::recv_buffer mine, int root, backend::location where) {
    collective_call call{.kind = collective_kind::scatter, .root = root, .send = all, .recv = mine, .where = where};
    if (rank_ != root) call.send.count = 0;
    collective(call);
}

void sim_comm::gather(backend::send_view mine, backend::recv_buffer all, int root, backend::location where) {
    collective_call call{.kind = collective_kind::gather, .root = root, .send = mine, .recv = all, .where = where};
    collective(call);
}

void sim_comm::allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) {
    collective_call call{.kind = collective_kind::allgather, .send = mine, .recv = all, .where = where};
    collective(call);
}

void sim_comm::alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) {
    collective_call call{.kind = collective_kind::alltoall, .send = all, .recv = mine, .where = where};
    collective(call);
}

void sim_comm::reduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, int root,
                      backend::location where) {
    collective_call call{.kind = collective_kind::reduce, .root = root, .send = mine, .recv = result, .op = &op,
                         .where = where};
    collective(call);
}

void sim_comm::allreduce(const backend::send_view& mine, const backend::recv_buffer& result, const reduce_op& op,
                         backend::location where) {
    collective_call call{.kind = collective_kind::allreduce, .send = mine, .recv = result, .op = &op, .where = where};
    collective(call);
}

void sim_comm::scan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, backend::location where) {
    collective_call call{.kind = collective_kind::scan, .send = mine, .recv = result, .op = &op, .where = where};
    collective(call);
}

void sim_comm::exscan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                      backend::location where) {
    collective_call call{.kind = collective_kind::exscan, .send = mine, .recv = result, .op = &op, .where = where};
    collective(call);
}

void sim_comm::gatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts, int root,
                       backend::location where) {
    collective_call call{.kind = collective_kind::gatherv, .root = root, .send = mine, .recv = all,
                         .counts_out = counts, .where = where};
    collective(call);
}

void sim_comm::allgatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                          backend::location where) {
    collective_call call{.kind = collective_kind::allgatherv, .send = mine, .recv = all, .counts_out = counts,
                         .where = where};
    collective(call);
}

void sim_comm::scatterv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                        int root, backend::location where) {
    collective_call call{.kind = collective_kind::scatterv, .root = root, .send = all, .recv = mine,
                         .counts_in = counts, .where = where};
    if (rank_ != root) call.send.count = 0;
    collective(call);
}

void sim_comm::alltoallv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                         std::vector<std::size_t>* counts_out, backend::location where) {
    collective_call call{.kind = collective_kind::alltoallv, .send = all, .recv = mine, .counts_out = counts_out,
                         .counts_in = counts, .where = where};
    collective(call);
}

void sim_comm::reduce_scatter(backend::send_view mine, std::span<const std::size_t> counts,
                              backend::recv_buffer result, const reduce_op& op, backend::location where) {
    collective_call call{.kind = collective_kind::reduce_scatter, .send = mine, .recv = result, .op = &op,
                         .counts_in = counts, .where = where};
    collective(call);
}

void sim_comm::reduce_scatter_block(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                                    backend::location where) {
    collective_call call{.kind = collective_kind::reduce_scatter_block, .send = mine, .recv = result, .op = &op,
                         .where = where};
    collective(call);
}

std::unique_ptr<backend::comm_impl> sim_comm::split(int color, int key, backend::location where) {
    std::unique_ptr<backend::comm_impl> result;
    collective_call call{.kind = collective_kind::split, .color = color, .key = key, .new_comm = &result, .where = where};
    collective(call);
    return result;
}

std::unique_ptr<backend::comm_impl> sim_comm::dup(backend::location where) {
    std::unique_ptr<backend::comm_impl> result;
    collective_call call{.kind = collective_kind::dup, .new_comm = &result, .where = where};
    collective(call);
    return result;
}

std::vector<int> sim_comm::members() const { return state_.world_ranks; }

// A one-member communicator needs nobody else's agreement: made here, at once, without a
// scheduling point (the run's choices and replay tokens stay those of the same program without it).
std::unique_ptr<backend::comm_impl> sim_comm::self(backend::location) {
    auto& state = eng_.make_comm(fmt::format("self({})", world_rank()), {world_rank()});
    return std::make_unique<sim_comm>(eng_, state, 0);
}

// ---- Cartesian topologies and neighbour collectives (issue 14) ---------------------------------

std::unique_ptr<backend::comm_impl> sim_comm::cart_create(const backend::cartesian_grid& grid, bool /*reorder*/,
                                                          backend::location where) {
    std::unique_ptr<backend::comm_impl> result;
    collective_call call{.kind = collective_kind::cart_create, .new_comm = &result, .grid = &grid, .where = where};
    collective(call);
    return result;
}

std::unique_ptr<backend::comm_impl> sim_comm::cart_sub(const std::vector<bool>& keep, backend::location where) {
    std::unique_ptr<backend::comm_impl> result;
    collective_call call{.kind = collective_kind::cart_sub, .new_comm = &result, .keep = &keep, .where = where};
    collective(call);
    return result;
}

const backend::cartesian_grid* sim_comm::grid() const { return state_.grid ? &*state_.grid : nullptr; }

void sim_comm::neighbor_allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) {
    collective_call call{.kind = collective_kind::neighbor_allgather, .send = mine, .recv = all, .where = where};
    collective(call);
}

void sim_comm::neighbor_alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) {
    collective_call call{.kind = collective_kind::neighbor_alltoall, .send = all, .recv = mine, .where = where};
    collective(call);
}

// ---- Ending the run ----------------------------------------------------------------------------

void sim_comm::abort(int code, backend::location where) {
    // The program's own end of the run, not a finding: every other rank is unwound as when a rank
    // fails (a process rank's process ended), and sim::run throws it.
    eng_.fail_run(std::make_exception_ptr(aborted(world_rank(), code, baton::detail::format_location(where))));
}

}  // namespace baton::sim::detail
