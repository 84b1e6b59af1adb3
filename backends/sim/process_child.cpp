// A process rank's side (process_child.hpp): a communicator and requests that forward every call
// over the rank's socket to its proxy in the engine, and wait for the answer.
#include "process_child.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <unordered_map>

#include <baton/clock.hpp>
#include <baton/detail/results.hpp>
#include <baton/errors.hpp>

#include "buffer_watch.hpp"
#include "debugger_stop.hpp"
#include "payload_area.hpp"
#include "process_errors.hpp"
#include "process_exit.hpp"
#include "process_wire.hpp"

namespace baton::sim::detail {

namespace {

using wire::verb;

bool in_child = false;
std::optional<std::vector<std::byte>> handed_back;  // what the rank function returned

// What the program printed so far goes out before the engine runs another rank: one rank runs at
// a time, so the output keeps the schedule's order, as on threads.
void flush_output() {
    std::cout.flush();
    std::fflush(nullptr);
}

// The rank's end of its socket.
class link {
public:
    // `outgoing` is this rank's half of the shared payload area, `incoming` all that the engine
    // writes for ranks (read-only here).
    link(int socket, std::span<std::byte> outgoing, std::span<const std::byte> incoming)
        : socket_(socket), outgoing_(outgoing), incoming_(incoming) {}

    void send(std::span<const std::byte> frame) {
        while (!frame.empty()) {
            const ssize_t sent = ::send(socket_, frame.data(), frame.size(), MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR) continue;
            if (sent <= 0) engine_gone();
            frame = frame.subspan(static_cast<std::size_t>(sent));
        }
    }
    wire::reader receive() {
        std::uint32_t length = 0;
        read_exactly(&length, sizeof length);
        in_.resize(length);
        read_exactly(in_.data(), length);
        wire::reader in(in_);
        in.with_shared(incoming_);
        return in;
    }
    // Bytes read from the socket and not yet taken: one read usually takes a frame's length and
    // its body at once.
    std::vector<std::byte> unread_ = std::vector<std::byte>(4096);
    std::size_t unread_begin_ = 0, unread_end_ = 0;

    // A new call's frame: its verb, communicator and line. The blocks of the last call's payloads
    // are free again: its answer came, and the engine reads them no more.
    wire::writer begin(verb v, std::uint32_t comm, const std::source_location& where) {
        sending_.clear();
        wire::writer out(out_, v);
        out.with_shared(outgoing_.half());
        out.put<std::uint32_t>(comm);
        out.put_location(where);
        return out;
    }
    // `bytes` of the call's data at `data`, for the engine: a large payload is copied once into a
    // block of the shared area, which the frame names, else into the frame.
    void put_payload(wire::writer& out, const void* data, std::size_t bytes) {
        payload_block block(&outgoing_, bytes);
        if (!block.data()) {
            out.put_payload(data, bytes);
            return;
        }
        std::memcpy(block.data(), data, bytes);
        out.put_payload(block.data(), bytes);
        sending_.push_back(std::move(block));
    }
    void put_send(wire::writer& out, const backend::send_view& data) {
        out.put_type(data.type);
        out.put<std::uint64_t>(data.count);
        out.put_address(data.data);  // for the engine's checks of pending buffers
        put_payload(out, data.data, data.count * data.type.size);
    }
    // The blocks of the call just answered, for the request it started: the engine reads them
    // until that request completes.
    std::vector<payload_block> take_payloads() { return std::move(sending_); }

    // Sends the call begun and waits for its answer, applying the call's reduction (`op`) when the
    // engine asks. Throws what the engine threw into the call.
    wire::reader call(wire::writer& frame, const reduce_op* op = nullptr) {
        flush_output();
        send(frame.finish());
        for (;;) {
            wire::reader in = receive();
            switch (in.get_verb()) {
                case verb::reply: return in;
                case verb::error: throw_forwarded(in);
                case verb::apply: apply(in, op); break;
                case verb::look: look(in); break;
                case verb::debug_stop: stop_for_debugger(); break;
                default: throw wire::malformed_frame("an answer the rank did not expect");
            }
        }
    }
    // Throws the exception the engine threw into this rank's call (proxy::forward).
    [[noreturn]] void throw_forwarded(wire::reader& in) {
        std::uint32_t index = 0;
        std::exception_ptr error = wire::get_exception(in, index);
        forwarded_.emplace_back(error, index);
        std::rethrow_exception(error);
    }
    // The buffers of this rank's pending requests, by request id, for the engine's look: what it
    // gives or an irecv's buffer, and a non-blocking collective's receive buffer (or null).
    struct watched {
        const buffer_watch* data = nullptr;
        const buffer_watch* result = nullptr;
    };
    void watch(std::uint64_t id, watched buffers) { watches_[id] = buffers; }
    void unwatch(std::uint64_t id) { watches_.erase(id); }
    // The index of `error` among those the engine threw into this rank's calls, if it is one.
    std::uint32_t forwarded_index(const std::exception_ptr& error) const {
        for (const auto& [e, index] : forwarded_)
            if (e == error) return index;
        return UINT32_MAX;
    }

private:
    [[noreturn]] static void engine_gone() { ::_exit(1); }  // nothing to report to
    void read_exactly(void* data, std::size_t bytes) {
        auto* at = static_cast<std::byte*>(data);
        // First what was read already.
        const std::size_t buffered = std::min(bytes, unread_end_ - unread_begin_);
        std::memcpy(at, unread_.data() + unread_begin_, buffered);
        unread_begin_ += buffered;
        at += buffered;
        bytes -= buffered;
        if (bytes == 0) return;
        // Then a large rest straight into place, or a small one through the buffer, taking
        // whatever else has come.
        unread_begin_ = unread_end_ = 0;
        while (bytes > 0) {
            const bool direct = bytes >= unread_.size();
            const ssize_t got = direct ? ::read(socket_, at, bytes) : ::read(socket_, unread_.data(), unread_.size());
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) engine_gone();
            const auto n = static_cast<std::size_t>(got);
            if (direct) {
                at += n;
                bytes -= n;
                continue;
            }
            const std::size_t used = std::min(bytes, n);
            std::memcpy(at, unread_.data(), used);
            at += used;
            bytes -= used;
            unread_begin_ = used;
            unread_end_ = n;
        }
    }
    // in: n elements of `size` bytes twice (in, inout); out: inout after op(in, inout).
    void apply(wire::reader& in, const reduce_op* op) {
        const auto n = in.get<std::uint64_t>();
        const auto size = in.get<std::uint64_t>();
        const auto a = in.get_bytes(n * size), b = in.get_bytes(n * size);
        std::vector<std::byte> left(a.begin(), a.end()), right(b.begin(), b.end());  // aligned copies
        std::vector<std::byte> frame;
        wire::writer out(frame, verb::applied);
        try {
            if (!op) throw wire::malformed_frame("a reduction asked of a call that has none");
            op->apply(left.data(), right.data(), static_cast<std::size_t>(n), op->context);
            out.put<std::uint8_t>(1);
            out.put_bytes(right.data(), right.size());
        } catch (...) {
            out.put<std::uint8_t>(0);
            wire::put_current_exception(out);
        }
        send(out.finish());
    }

    // in: a request's id; out: whether its buffers changed (nothing watched: no change).
    void look(wire::reader& in) {
        const auto at = watches_.find(in.get<std::uint64_t>());
        request_changes seen;
        if (at != watches_.end()) {
            if (at->second.data) seen.data = at->second.data->change();
            if (at->second.result) seen.result = at->second.result->change();
        }
        std::vector<std::byte> frame;
        wire::writer out(frame, verb::looked);
        out.put(seen.bits());
        send(out.finish());
    }

    int socket_;
    payload_space outgoing_;
    std::span<const std::byte> incoming_;
    std::vector<payload_block> sending_;  // the blocks of the call being made
    std::unordered_map<std::uint64_t, watched> watches_;
    std::vector<std::byte> out_, in_;
    std::vector<std::pair<std::exception_ptr, std::uint32_t>> forwarded_;
};

void put_receive(wire::writer& out, const backend::recv_buffer& into) {
    out.put_type(into.type);
    out.put<std::uint64_t>(into.count);
    out.put<std::uint8_t>(into.resizable());
    out.put_address(into.data);
    out.put_address(into.target ? into.target : into.resizable() ? into.container : nullptr);
}

void put_op(wire::writer& out, const reduce_op& op) {
    out.put(op.id);
    out.put_literal(op.name);
    out.put<std::uint8_t>(op.commutative);
    out.put<std::uint64_t>(reinterpret_cast<std::uintptr_t>(op.apply));  // tells user operations apart
}

// What arrived for a receive buffer, if anything did.
void take_data(wire::reader& in, const backend::recv_buffer& into) {
    const auto got = wire::get_arrived(in, into.type.size);
    if (!got) return;
    const auto n = got->elements;
    const auto bytes = got->bytes;
    void* data = into.data;
    if (into.resizable())
        data = into.resize(into.container, static_cast<std::size_t>(n));
    else if (n > into.count)
        throw wire::malformed_frame("more elements than the buffer holds");
    if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
}

// baton::wtime() in a rank's process: its simulated clock is the engine's.
class forwarding_clock final : public baton::detail::clock_impl {
public:
    explicit forwarding_clock(link& l) : link_(l) {}
    double now() override {
        auto frame = link_.begin(verb::wtime, 0, {});
        return link_.call(frame).get<double>();
    }
    double tick() override { return 1e-12; }  // a picosecond (sim_clock.hpp)

private:
    link& link_;
};

// A pending isend, irecv or non-blocking collective. Its buffers are in this process, so this is
// where they are watched: when it completes, the engine asks whether they changed since the call
// (buffer_watch.hpp): the data it gives or the irecv's buffer, and a collective's receive buffer.
class forwarding_request final : public backend::request_impl {
public:
    forwarding_request(link& l, std::uint64_t id, std::optional<backend::recv_buffer> into, buffer_watch watch,
                       std::optional<buffer_watch> result = std::nullopt)
        : link_(l), id_(id), into_(into), watch_(watch), result_watch_(result), sent_(l.take_payloads()) {
        link_.watch(id_, {&watch_, result_watch_ ? &*result_watch_ : nullptr});
    }
    ~forwarding_request() override {
        link_.unwatch(id_);
        if (done_) return;
        try {
            auto frame = link_.begin(verb::free_request, 0, {});
            frame.put(id_);
            link_.call(frame);
        } catch (...) {
        }
    }
    status wait(backend::location where) override {
        auto frame = link_.begin(verb::wait, 0, where);
        frame.put(id_);
        auto in = link_.call(frame);
        return completed(in);
    }
    std::optional<status> test(backend::location where) override {
        auto frame = link_.begin(verb::test, 0, where);
        frame.put(id_);
        auto in = link_.call(frame);
        if (in.get<std::uint8_t>() == 0) return std::nullopt;
        return completed(in);
    }
    std::size_t wait_any(std::span<backend::request_impl* const> requests, status& result,
                         backend::location where) override {
        auto frame = link_.begin(verb::wait_any, 0, where);
        put_set(frame, requests);
        auto in = link_.call(frame);
        const auto index = in.get<std::uint64_t>();
        if (index >= requests.size() || !requests[index]) throw wire::malformed_frame("wait_any chose no request");
        result = static_cast<forwarding_request*>(requests[index])->completed(in);
        return static_cast<std::size_t>(index);
    }

    void complete_set(completion_rule how, std::span<backend::request_impl* const> requests,
                      std::vector<completed>& done, backend::location where) override {
        auto frame = link_.begin(verb::complete_set, 0, where);
        frame.put(how);
        put_set(frame, requests);
        auto in = link_.call(frame);
        const auto n = in.get<std::uint64_t>();
        if (n > requests.size()) throw wire::malformed_frame("more requests completed than given");
        for (std::uint64_t k = 0; k < n; ++k) {
            const auto index = in.get<std::uint64_t>();
            if (index >= requests.size() || !requests[index] || (!done.empty() && index <= done.back().index))
                throw wire::malformed_frame("a completed request out of the set or out of order");
            done.push_back({static_cast<std::size_t>(index),
                            static_cast<forwarding_request*>(requests[index])->completed(in)});
        }
        // A request that failed after these: its error, once they are taken.
        if (in.get<std::uint8_t>() != 0) link_.throw_forwarded(in);
    }

    void cancel(backend::location where) override {
        auto frame = link_.begin(verb::cancel, 0, where);
        frame.put(id_);
        link_.call(frame);
    }

private:
    static void put_set(wire::writer& frame, std::span<backend::request_impl* const> requests) {
        frame.put<std::uint64_t>(requests.size());
        for (auto* r : requests) frame.put<std::uint64_t>(r ? static_cast<forwarding_request*>(r)->id_ : 0);
    }

    // The engine completed it (and forgot it): its status, then what arrived, nothing unless this
    // request receives (proxy::completed).
    status completed(wire::reader& in) {
        const status s = in.get_status();
        if (into_) take_data(in, *into_);
        else if (wire::get_arrived(in, 1)) throw wire::malformed_frame("data for a request that receives none");
        done_ = true;
        sent_.clear();
        return s;
    }

    link& link_;
    std::uint64_t id_;
    std::optional<backend::recv_buffer> into_;
    buffer_watch watch_;
    std::optional<buffer_watch> result_watch_;
    std::vector<payload_block> sent_;  // the shared blocks of its data, which the engine reads until it completes
    bool done_ = false;
};

class forwarding_comm final : public backend::comm_impl {
public:
    forwarding_comm(link& l, std::uint32_t id, int rank, int size, std::string name, int world_rank)
        : link_(l), id_(id), rank_(rank), size_(size), name_(std::move(name)), world_rank_(world_rank) {}
    ~forwarding_comm() override {
        if (id_ == 0) return;  // the world goes when the rank function is over
        try {
            auto frame = link_.begin(verb::free_comm, id_, {});
            link_.call(frame);
        } catch (...) {
        }
    }

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    const std::string& name() const override { return name_; }
    int world_rank() const override { return world_rank_; }

    void send(const backend::send_view& data, int dest, int tag, backend::location where) override {
        send_call(verb::send, data, dest, tag, where);
    }
    status recv(const backend::recv_buffer& into, int source, int tag, backend::location where) override {
        auto frame = begin(verb::recv, where);
        frame.put<std::int32_t>(source).put<std::int32_t>(tag);
        put_receive(frame, into);
        auto in = link_.call(frame);
        const status s = in.get_status();
        take_data(in, into);
        return s;
    }
    std::unique_ptr<backend::request_impl> isend(backend::send_view data, int dest, int tag,
                                                 backend::location where) override {
        return start_send(verb::isend, data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> irecv(backend::recv_buffer into, int source, int tag,
                                                 backend::location where) override {
        auto frame = begin(verb::irecv, where);
        frame.put<std::int32_t>(source).put<std::int32_t>(tag);
        put_receive(frame, into);
        auto in = link_.call(frame);
        const auto id = in.get<std::uint64_t>();
        take_data(in, into);  // the poison a pending irecv's buffer holds on every context
        return std::make_unique<forwarding_request>(link_, id, into, buffer_watch::of_receive(into));
    }
    status probe(int source, int tag, backend::location where) override {
        auto frame = begin(verb::probe, where);
        frame.put<std::int32_t>(source).put<std::int32_t>(tag);
        auto in = link_.call(frame);
        return in.get_status();
    }
    std::optional<status> iprobe(int source, int tag, backend::location where) override {
        auto frame = begin(verb::iprobe, where);
        frame.put<std::int32_t>(source).put<std::int32_t>(tag);
        auto in = link_.call(frame);
        if (in.get<std::uint8_t>() == 0) return std::nullopt;
        return in.get_status();
    }

    // ---- Point-to-point: per-call send modes (framed as send and isend) ----
    void ssend(const backend::send_view& data, int dest, int tag, backend::location where) override {
        send_call(verb::ssend, data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> issend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override {
        return start_send(verb::issend, data, dest, tag, where);
    }

    // ---- Non-blocking collectives (issue 14: icoll) ----
    std::unique_ptr<backend::request_impl> ibarrier(backend::location where) override {
        auto frame = begin(verb::ibarrier, where);
        return start_collective(frame, std::nullopt, {});
    }
    std::unique_ptr<backend::request_impl> ibcast(backend::recv_buffer data, int root,
                                                  backend::location where) override {
        auto frame = begin(verb::ibcast, where);
        frame.put<std::int32_t>(root);
        put_receive(frame, data);
        if (rank_ != root) return start_collective(frame, data, {});
        link_.put_payload(frame, data.data, data.count * data.type.size);
        return start_collective(frame, std::nullopt, buffer_watch::of_send({data.data, data.count, data.type}));
    }
    std::unique_ptr<backend::request_impl> ireduce(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, int root, backend::location where) override {
        return start_reduction(verb::ireduce, root, mine, result, op, where);
    }
    std::unique_ptr<backend::request_impl> iallreduce(backend::send_view mine, backend::recv_buffer result,
                                                      const reduce_op& op, backend::location where) override {
        return start_reduction(verb::iallreduce, -1, mine, result, op, where);
    }
    // ---- Non-blocking scans and reduce-scatter (issue 14: iscan) ----
    std::unique_ptr<backend::request_impl> iscan(backend::send_view mine, backend::recv_buffer result,
                                                 const reduce_op& op, backend::location where) override {
        return start_reduction(verb::iscan, -1, mine, result, op, where);
    }
    std::unique_ptr<backend::request_impl> iexscan(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, backend::location where) override {
        return start_reduction(verb::iexscan, -1, mine, result, op, where);
    }
    std::unique_ptr<backend::request_impl> ireduce_scatter_block(backend::send_view mine, backend::recv_buffer result,
                                                                 const reduce_op& op,
                                                                 backend::location where) override {
        return start_reduction(verb::ireduce_scatter_block, -1, mine, result, op, where);
    }
    std::unique_ptr<backend::request_impl> ireduce_scatter(backend::send_view mine, std::span<const std::size_t> counts,
                                                           backend::recv_buffer result, const reduce_op& op,
                                                           backend::location where) override {
        return start_reduction(verb::ireduce_scatter, -1, mine, result, op, where, counts);
    }

    // ---- Non-blocking gathers, scatters and all-to-alls (issue 14: igather) ----
    std::unique_ptr<backend::request_impl> igather(backend::send_view mine, backend::recv_buffer all, int root,
                                                   backend::location where) override {
        return start_gathering(verb::igather, root, mine, {}, all, {}, where);
    }
    std::unique_ptr<backend::request_impl> iallgather(backend::send_view mine, backend::recv_buffer all,
                                                      backend::location where) override {
        return start_gathering(verb::iallgather, -1, mine, {}, all, {}, where);
    }
    std::unique_ptr<backend::request_impl> iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                    backend::location where) override {
        return start_gathering(verb::iscatter, root, all, {}, mine, {}, where);
    }
    std::unique_ptr<backend::request_impl> ialltoall(backend::send_view all, backend::recv_buffer mine,
                                                     backend::location where) override {
        return start_gathering(verb::ialltoall, -1, all, {}, mine, {}, where);
    }
    std::unique_ptr<backend::request_impl> igatherv(backend::send_view mine, backend::recv_buffer all,
                                                    std::span<const std::size_t> expected, int root,
                                                    backend::location where) override {
        return start_gathering(verb::igatherv, root, mine, {}, all, expected, where);
    }
    std::unique_ptr<backend::request_impl> iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                       std::span<const std::size_t> expected,
                                                       backend::location where) override {
        return start_gathering(verb::iallgatherv, -1, mine, {}, all, expected, where);
    }
    std::unique_ptr<backend::request_impl> iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                     backend::recv_buffer mine, int root,
                                                     backend::location where) override {
        return start_gathering(verb::iscatterv, root, all, counts, mine, {}, where);
    }
    std::unique_ptr<backend::request_impl> ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                      backend::recv_buffer mine, std::span<const std::size_t> expected,
                                                      backend::location where) override {
        return start_gathering(verb::ialltoallv, -1, all, counts, mine, expected, where);
    }

    void barrier(backend::location where) override {
        auto frame = begin(verb::barrier, where);
        link_.call(frame);
    }
    void bcast(backend::recv_buffer data, int root, backend::location where) override {
        auto frame = begin(verb::bcast, where);
        frame.put<std::int32_t>(root);
        put_receive(frame, data);
        if (rank_ == root) link_.put_payload(frame, data.data, data.count * data.type.size);
        auto in = link_.call(frame);
        take_data(in, data);
    }
    void scatter(backend::send_view all, backend::recv_buffer mine, int root, backend::location where) override {
        give_and_take(verb::scatter, root, all, mine, nullptr, where);
    }
    void gather(backend::send_view mine, backend::recv_buffer all, int root, backend::location where) override {
        give_and_take(verb::gather, root, mine, all, nullptr, where);
    }
    void allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override {
        give_and_take(verb::allgather, -1, mine, all, nullptr, where);
    }
    void alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override {
        give_and_take(verb::alltoall, -1, all, mine, nullptr, where);
    }
    void reduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, int root,
                backend::location where) override {
        give_and_take(verb::reduce, root, mine, result, &op, where);
    }
    void allreduce(const backend::send_view& mine, const backend::recv_buffer& result, const reduce_op& op,
                   backend::location where) override {
        give_and_take(verb::allreduce, -1, mine, result, &op, where);
    }
    void scan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
              backend::location where) override {
        give_and_take(verb::scan, -1, mine, result, &op, where);
    }
    void exscan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                backend::location where) override {
        give_and_take(verb::exscan, -1, mine, result, &op, where);
    }
    void gatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts, int root,
                 backend::location where) override {
        auto frame = begin(verb::gatherv, where);
        frame.put<std::int32_t>(root);
        link_.put_send(frame, mine);
        put_receive(frame, all);
        auto in = link_.call(frame);
        take_data(in, all);
        take_counts(in, counts);
    }
    void allgatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                    backend::location where) override {
        auto frame = begin(verb::allgatherv, where);
        frame.put<std::int32_t>(-1);
        link_.put_send(frame, mine);
        put_receive(frame, all);
        auto in = link_.call(frame);
        take_data(in, all);
        take_counts(in, counts);
    }
    void scatterv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine, int root,
                  backend::location where) override {
        auto frame = begin(verb::scatterv, where);
        frame.put<std::int32_t>(root);
        link_.put_send(frame, all);
        put_counts(frame, counts);
        put_receive(frame, mine);
        auto in = link_.call(frame);
        take_data(in, mine);
    }
    void alltoallv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                   std::vector<std::size_t>* counts_out, backend::location where) override {
        auto frame = begin(verb::alltoallv, where);
        frame.put<std::int32_t>(-1);
        link_.put_send(frame, all);
        put_counts(frame, counts);
        put_receive(frame, mine);
        auto in = link_.call(frame);
        take_data(in, mine);
        take_counts(in, counts_out);
    }
    void reduce_scatter(backend::send_view mine, std::span<const std::size_t> counts, backend::recv_buffer result,
                        const reduce_op& op, backend::location where) override {
        give_and_take(verb::reduce_scatter, -1, mine, result, &op, where, counts);
    }
    void reduce_scatter_block(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                              backend::location where) override {
        give_and_take(verb::reduce_scatter_block, -1, mine, result, &op, where);
    }
    std::unique_ptr<backend::comm_impl> split(int color, int key, backend::location where) override {
        auto frame = begin(verb::split, where);
        frame.put<std::int32_t>(color).put<std::int32_t>(key);
        auto in = link_.call(frame);
        if (in.get<std::uint8_t>() == 0) return nullptr;
        return made(in);
    }
    std::unique_ptr<backend::comm_impl> dup(backend::location where) override {
        auto frame = begin(verb::dup, where);
        auto in = link_.call(frame);
        return made(in);
    }
    // The members came with the communicator (describe_new); the world's are every rank.
    std::vector<int> members() const override {
        if (!members_.empty()) return members_;
        std::vector<int> everyone(static_cast<std::size_t>(size_));
        for (int r = 0; r < size_; ++r) everyone[static_cast<std::size_t>(r)] = r;
        return everyone;
    }
    std::unique_ptr<backend::comm_impl> self(backend::location where) override {
        auto frame = begin(verb::self, where);
        auto in = link_.call(frame);
        return made(in);
    }
    // ---- Buffered and ready send modes (framed as send and isend), ending the run ----
    void attach_buffer(std::size_t bytes, backend::location where) override {
        auto frame = begin(verb::attach_buffer, where);
        frame.put<std::uint64_t>(bytes);
        link_.call(frame);
    }
    std::size_t detach_buffer(backend::location where) override {
        auto frame = begin(verb::detach_buffer, where);
        return static_cast<std::size_t>(link_.call(frame).get<std::uint64_t>());
    }
    void bsend(const backend::send_view& data, int dest, int tag, backend::location where) override {
        send_call(verb::bsend, data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> ibsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override {
        return start_send(verb::ibsend, data, dest, tag, where);
    }
    void rsend(const backend::send_view& data, int dest, int tag, backend::location where) override {
        send_call(verb::rsend, data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> irsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override {
        return start_send(verb::irsend, data, dest, tag, where);
    }
    [[noreturn]] void abort(int code, backend::location where) override {
        auto frame = begin(verb::abort, where);
        frame.put<std::int32_t>(code);
        link_.call(frame);  // the engine ends the run: this process is ended, never answered
        ::_exit(code);
    }

    // ---- Cartesian topologies and neighbour collectives (issue 14) ----
    std::unique_ptr<backend::comm_impl> cart_create(const backend::cartesian_grid& grid, bool reorder,
                                                    backend::location where) override {
        auto frame = begin(verb::cart_create, where);
        wire::put_grid(frame, grid);
        frame.put<std::uint8_t>(reorder);
        auto in = link_.call(frame);
        if (in.get<std::uint8_t>() == 0) return nullptr;
        return made(in);
    }
    std::unique_ptr<backend::comm_impl> cart_sub(const std::vector<bool>& keep, backend::location where) override {
        auto frame = begin(verb::cart_sub, where);
        wire::put_flags(frame, keep);
        auto in = link_.call(frame);
        return made(in);
    }
    const backend::cartesian_grid* grid() const override { return grid_ ? &*grid_ : nullptr; }
    void neighbor_allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override {
        give_and_take(verb::neighbor_allgather, -1, mine, all, nullptr, where);
    }
    void neighbor_alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override {
        give_and_take(verb::neighbor_alltoall, -1, all, mine, nullptr, where);
    }

private:
    wire::writer begin(verb v, const backend::location& where) { return link_.begin(v, id_, where); }
    // A send of any mode, and its answer.
    wire::reader send_call(verb v, const backend::send_view& data, int dest, int tag, const backend::location& where) {
        auto frame = begin(v, where);
        frame.put<std::int32_t>(dest).put<std::int32_t>(tag);
        link_.put_send(frame, data);
        return link_.call(frame);
    }
    // An isend or issend: the request, watching the data it sends.
    std::unique_ptr<backend::request_impl> start_send(verb v, const backend::send_view& data, int dest, int tag,
                                                      const backend::location& where) {
        auto in = send_call(v, data, dest, tag, where);
        return std::make_unique<forwarding_request>(link_, in.get<std::uint64_t>(), std::nullopt,
                                                    buffer_watch::of_send(data));
    }
    // A non-blocking collective: the engine keeps its request, its copy of the data and its result
    // until the wait or test that completes it brings the result back (into `into`, if this rank
    // gets one); the data it sends stays watched here, as an isend's, and so does the buffer the
    // result goes into (unless `in_place`: then that is the data it sends), as on other ranks.
    // A reduction's `op` is applied here if this rank's call is the one that completes it.
    std::unique_ptr<backend::request_impl> start_collective(wire::writer& frame,
                                                            std::optional<backend::recv_buffer> into,
                                                            buffer_watch watch, const reduce_op* op = nullptr,
                                                            bool in_place = false) {
        // Watched as it is when the call is made: the engine writes nothing here before the wait.
        std::optional<buffer_watch> result;
        if (into && !in_place && (into->count > 0 || into->resizable())) result = buffer_watch::of_receive(*into);
        auto in = link_.call(frame, op);
        const auto id = in.get<std::uint64_t>();
        return std::make_unique<forwarding_request>(link_, id, into, watch, result);
    }
    // ireduce_scatter adds its block counts; iexscan's rank 0 gets nothing.
    std::unique_ptr<backend::request_impl> start_reduction(verb v, int root, const backend::send_view& mine,
                                                           const backend::recv_buffer& result, const reduce_op& op,
                                                           const backend::location& where,
                                                           std::span<const std::size_t> blocks = {}) {
        auto frame = begin(v, where);
        frame.put<std::int32_t>(root);
        link_.put_send(frame, mine);
        put_receive(frame, result);
        put_op(frame, op);
        const bool in_place = v != verb::ireduce_scatter && backend::in_place(mine, result);
        if (v == verb::ireduce_scatter) put_counts(frame, blocks);
        else frame.put<std::uint8_t>(in_place);  // the engine's copy in place too
        const bool gets = root < 0 ? !(v == verb::iexscan && rank_ == 0) : root == rank_;
        return start_collective(frame, gets ? std::optional(result) : std::nullopt,
                                buffer_watch::of_send(mine), &op, in_place);
    }

    // igather ... ialltoallv: what the rank gives (nothing at a scatter's other ranks) and the
    // block counts it gives, where its result goes and the counts it expects there (none where
    // the call has none: the frame's layout is the same for all eight).
    std::unique_ptr<backend::request_impl> start_gathering(verb v, int root, backend::send_view give,
                                                           std::span<const std::size_t> counts,
                                                           const backend::recv_buffer& take,
                                                           std::span<const std::size_t> expected,
                                                           const backend::location& where) {
        const bool scatters = v == verb::iscatter || v == verb::iscatterv;
        if (scatters && rank_ != root) give.count = 0;
        auto frame = begin(v, where);
        frame.put<std::int32_t>(root);
        link_.put_send(frame, give);
        put_counts(frame, counts);
        put_receive(frame, take);
        put_counts(frame, expected);
        // In place (igather's root, iallgather, ialltoall): the engine's copy in place too.
        bool in_place = false;
        if (v == verb::igather || v == verb::iallgather) {
            in_place = (rank_ == root || v == verb::iallgather) && backend::in_place_block(give, take, rank_);
            frame.put<std::uint8_t>(in_place);
        }
        if (v == verb::ialltoall) frame.put<std::uint8_t>(in_place = backend::in_place(give, take));
        const bool gets = (v != verb::igather && v != verb::igatherv) || rank_ == root;
        return start_collective(frame, gets ? std::optional(take) : std::nullopt,
                                buffer_watch::of_send(give), nullptr, in_place);
    }

    // The collectives whose every rank gives a send view and has a receive buffer. A reduction, a
    // gather, an allgather and an alltoall say whether they are in place (the engine makes them in
    // place there too); reduce_scatter adds its block counts.
    void give_and_take(verb v, int root, const backend::send_view& give, const backend::recv_buffer& take,
                       const reduce_op* op, const backend::location& where,
                       std::span<const std::size_t> blocks = {}) {
        auto frame = begin(v, where);
        frame.put<std::int32_t>(root);
        link_.put_send(frame, give);
        put_receive(frame, take);
        if (op) {
            put_op(frame, *op);
            frame.put<std::uint8_t>(backend::in_place(give, take));
        }
        // In place without a reduction (MPI_IN_PLACE in a gather's root, an allgather, an alltoall).
        if (v == verb::gather || v == verb::allgather)
            frame.put<std::uint8_t>(backend::in_place_block(give, take, rank_));
        if (v == verb::alltoall) frame.put<std::uint8_t>(backend::in_place(give, take));
        if (v == verb::reduce_scatter) put_counts(frame, blocks);
        auto in = link_.call(frame, op);
        take_data(in, take);
    }
    static void put_counts(wire::writer& out, std::span<const std::size_t> counts) {
        out.put<std::uint64_t>(counts.size());
        for (const std::size_t c : counts) out.put<std::uint64_t>(c);
    }
    static void take_counts(wire::reader& in, std::vector<std::size_t>* counts) {
        if (in.get<std::uint8_t>() == 0) return;
        const auto n = in.get<std::uint64_t>();
        if (n > 1u << 30) throw wire::malformed_frame("too many counts");
        std::vector<std::size_t> got(static_cast<std::size_t>(n));
        for (auto& c : got) c = static_cast<std::size_t>(in.get<std::uint64_t>());
        if (counts) *counts = std::move(got);
    }
    std::unique_ptr<backend::comm_impl> made(wire::reader& in) {
        const auto id = in.get<std::uint32_t>();
        const int rank = in.get_int(), size = in.get_int();
        auto comm = std::make_unique<forwarding_comm>(link_, id, rank, size, in.get_string(), world_rank_);
        if (in.get<std::uint8_t>() != 0) comm->grid_ = wire::get_grid(in);
        const auto n = in.get<std::uint64_t>();
        if (n != static_cast<std::uint64_t>(size)) throw wire::malformed_frame("a communicator's members not its size");
        comm->members_.resize(static_cast<std::size_t>(n));
        for (int& world : comm->members_) world = in.get_int();
        return comm;
    }

    link& link_;
    std::uint32_t id_;
    int rank_, size_;
    std::string name_;
    int world_rank_;
    std::optional<backend::cartesian_grid> grid_;  // the engine's communicator's (describe_new)
    std::vector<int> members_;  // world ranks, from describe_new; empty for the world
};

}  // namespace

bool in_process_rank() noexcept { return in_child; }

void hand_back(std::vector<std::byte> bytes) { handed_back = std::move(bytes); }

void run_process_rank(int rank, int socket, std::span<std::byte> to_engine_half, std::span<const std::byte> to_ranks,
                      const std::function<void(communicator&)>& body) {
    in_child = true;
    // The engine's process handles Ctrl-C (a state report) and SIGTERM; this one ends with it.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGCHLD, SIG_DFL);
    // A fault or an abort ends this process with its signal, for the engine to report: the
    // handlers of the program's main (a test framework's, baton's own) are the engine's process's.
    for (const int fatal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(fatal, SIG_DFL);
    // A crash, an abort or exit() here is the engine's to report, from how this process ended.
    mark_process_rank(rank);
    // exit() in the rank ends this process as soon as the program's own later handlers have run:
    // the ones from before the fork (static destructors, a leak checker's) are the engine's
    // process's to run, and here would only see a copy of its state.
    ::on_exit([](int status, void*) {
        flush_output();
        ::_exit(status);
    }, nullptr);
    link to_engine(socket, to_engine_half, to_ranks);
    {
        wire::reader start = to_engine.receive();
        verb first = start.get_verb();
        if (first == verb::debug_stop) {  // --break-at the rank's first step: before its code runs
            stop_for_debugger();
            start = to_engine.receive();
            first = start.get_verb();
        }
        if (first != verb::start) ::_exit(1);
        const int size = start.get_int();
        std::vector<std::byte> frame;
        forwarding_clock clock(to_engine);
        baton::detail::use_clock(&clock);
        try {
            {
                communicator world(std::make_unique<forwarding_comm>(to_engine, 0, rank, size, "world", rank));
                body(world);
            }
            wire::writer out(frame, verb::finished);
            out.put<std::uint8_t>(handed_back.has_value());
            if (handed_back) out.put_string({reinterpret_cast<const char*>(handed_back->data()), handed_back->size()});
        } catch (...) {
            frame.clear();
            wire::writer out(frame, verb::failed);
            wire::put_current_exception(out, to_engine.forwarded_index(std::current_exception()));
        }
        flush_output();
        to_engine.send(wire::finish(frame));
    }
    ::_exit(0);
}

}  // namespace baton::sim::detail
