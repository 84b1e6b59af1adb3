// The buffered and ready send modes on the simulator (issue 14): attach_buffer, detach_buffer,
// bsend, ibsend (bsend_buffer.hpp counts the room), rsend and irsend (their receive must be
// posted first, or the run has a ready-send-without-receive finding). The sends themselves are
// comm.cpp's start_send in another mode.
#include <fmt/format.h>

#include <baton/communicator.hpp>
#include <baton/detail/validate.hpp>

#include "bsend_buffer.hpp"
#include "comm.hpp"
#include "comm_state.hpp"
#include "engine.hpp"
#include "request.hpp"

namespace baton::sim::detail {

namespace {

using baton::detail::format_location;
using baton::detail::throw_usage;

// detach_buffer waiting until every message its buffer holds has been received.
class detach_blocker final : public blocker {
public:
    explicit detach_blocker(const bsend_buffer& buffer) : buffer_(buffer) {}
    bool ready() const override { return buffer_.messages == 0; }
    std::string describe() const override {
        return fmt::format("detach_buffer() waiting for {} bsend{} to be received", buffer_.messages,
                           buffer_.messages == 1 ? "" : "s");
    }
    rank_list waits_for() const override {
        rank_list ranks;
        for (const auto& [rank, count] : buffer_.to) ranks.push_back(rank);
        return ranks;
    }

private:
    const bsend_buffer& buffer_;
};

}  // namespace

void sim_comm::attach_buffer(std::size_t bytes, backend::location where) {
    bsend_buffer& buffer = *eng_.bsend_buffer_of(world_rank());
    if (buffer.is_attached)
        throw_usage(*this, "attach_buffer",
                    fmt::format("a buffer of {} is attached already (at {}); detach_buffer first, as MPI "
                                "holds one per process",
                                bytes_text(buffer.attached), format_location(buffer.attached_at)),
                    where);
    buffer.is_attached = true;
    buffer.attached = bytes;
    buffer.attached_at = where;
}

std::size_t sim_comm::detach_buffer(backend::location where) {
    eng_.schedule_point(world_rank());
    bsend_buffer& buffer = *eng_.bsend_buffer_of(world_rank());
    if (!buffer.is_attached) throw_usage(*this, "detach_buffer", "no buffer is attached (attach_buffer)", where);
    buffer.detaching = true;
    const detach_blocker waiting(buffer);
    eng_.wait_until(world_rank(), waiting, where);
    buffer.detaching = false;
    buffer.is_attached = false;
    return std::exchange(buffer.attached, 0);
}

std::size_t sim_comm::check_bsend_room(std::size_t bytes, int dest, int tag, std::string_view operation,
                                       const backend::location& where) {
    const bsend_buffer& buffer = *eng_.bsend_buffer_of(world_rank());
    const std::size_t room = bytes + bsend_overhead;
    const std::string what = fmt::format("{}(dest={}, tag={}): its {} and the {} of overhead each bsend takes", operation,
                                         state_.peer(dest), tag, bytes_text(bytes), bytes_text(bsend_overhead));
    if (!buffer.is_attached)
        throw_usage(*this, operation, what + " need an attached buffer, and none is attached (attach_buffer)", where);
    if (room > buffer.attached - buffer.used)
        throw_usage(*this, operation,
                    fmt::format("{} do not fit in the attached buffer: {} attached at {}, of which {} held by {} "
                                "bsend{} not yet received, {} free",
                                what, bytes_text(buffer.attached), format_location(buffer.attached_at),
                                bytes_text(buffer.used), buffer.messages, buffer.messages == 1 ? "" : "s",
                                bytes_text(buffer.attached - buffer.used)),
                    where);
    return room;
}

void sim_comm::bsend(const backend::send_view& data, int dest, int tag, backend::location where) {
    (void)start_send(data, dest, tag, "bsend", where, false, send_kind::buffered);  // never waits
}

std::unique_ptr<backend::request_impl> sim_comm::ibsend(backend::send_view data, int dest, int tag,
                                                        backend::location where) {
    return start_send(data, dest, tag, "ibsend", where, true, send_kind::buffered);
}

void sim_comm::check_ready(int dest, int tag, std::size_t bytes, std::string_view operation,
                           const backend::location& where) {
    const sim_request* posted = state_.mailboxes[static_cast<std::size_t>(dest)].posted_for(rank_, tag);
    // Posted, and (in a systematic run, which knows) before the rsend on every schedule: nothing
    // the receiver did after posting it need have reached this rank for that.
    const int receiver = state_.world_ranks[static_cast<std::size_t>(dest)];
    if (posted && eng_.order().knows(world_rank(), receiver, posted->posted_clock)) return;
    const std::string at = format_location(where);
    const std::string call = fmt::format("{}(dest={}, tag={}, comm={})", operation, state_.peer(dest), tag, state_.name);
    const std::string when =
        posted ? fmt::format("started after {} posted a receive that matches it at {} in this schedule, but nothing "
                             "orders the two: on another schedule the {} starts first",
                             state_.member(dest), format_location(posted->posted_at()), operation)
               : fmt::format("started before {} posted a receive that matches it", state_.member(dest));
    auto& checks = eng_.checks();
    checks.add_finding(checks.make_finding(
        finding_kind::ready_send_without_receive,
        fmt::format("ready send without a posted receive: {}'s {} of {} to {} (tag {}, comm {}) {}; MPI requires the "
                    "receive first, and may lose the message or fail",
                    state_.member(rank_), operation, bytes_text(bytes), state_.member(dest), tag, state_.name, when),
        {{world_rank(), call, at, {}, {}, state_.in_comm(world_rank())}}));
}

void sim_comm::rsend(const backend::send_view& data, int dest, int tag, backend::location where) {
    blocking_send(data, dest, tag, "rsend", where, send_kind::ready);
}

std::unique_ptr<backend::request_impl> sim_comm::irsend(backend::send_view data, int dest, int tag,
                                                        backend::location where) {
    return start_send(data, dest, tag, "irsend", where, true, send_kind::ready);
}

}  // namespace baton::sim::detail
