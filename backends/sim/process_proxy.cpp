// A process rank's proxy (process_proxy.hpp).
#include "process_proxy.hpp"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include <baton/detail/grid.hpp>
#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include "engine.hpp"
#include "payload_area.hpp"
#include "process_errors.hpp"
#include "process_ranks.hpp"
#include "process_reductions.hpp"
#include "process_wire.hpp"
#include "request.hpp"
#include "user_boundary.hpp"

namespace baton::sim::detail {

namespace {

using wire::verb;

// The most elements a receive buffer may claim: the engine holds a copy of it.
constexpr std::uint64_t largest_buffer_bytes = std::uint64_t{1} << 36;

// Where a rank's receive sides take room and find bytes they may share: the rank's half of what
// the engine writes, the whole area, and the blocks of other ranks' halves that the rank's last
// answer named, held until the rank's process has read them (its next call).
struct receive_room {
    payload_space* own;
    process_ranks* processes;
    std::vector<payload_block>* held_for_answer;
};

// A buffer in the engine standing for one in the rank's memory: the engine receives into it, and
// what arrived goes back to the rank with the answer. A large one lies in the rank's half of the
// shared payload area, where the rank copies it from: the answer carries only where it is. A
// collective whose receivers get the same bytes may instead give it another rank's copy there
// (share): the rank's process reads that one.
//
// Its own block may be given back (the call over, the request completed) as soon as the answer is
// written: the engine takes room in a rank's half only while serving that rank's calls or
// matching a message for it, never between an answer and the rank's next call, which the rank
// sends once it has copied what arrived. A shared block is another rank's to take again: the
// answer holds it (receive_room::held_for_answer) until that next call.
struct receive_side {
    payload_bytes bytes;
    std::size_t element = 1;
    bool resizable = false;
    backend::recv_buffer buffer;
    backend::buffer_origin origin;  // the rank's buffer
    receive_room room{};
    // What it holds instead of its own bytes, when it shares another copy.
    payload_block shared;
    const std::byte* shared_at = nullptr;
    std::size_t shared_bytes = 0;

    const std::byte* data() const { return shared_at ? shared_at : bytes.data(); }
    std::size_t size() const { return shared_at ? shared_bytes : bytes.size(); }

    static bool share(void* self, const void* from, std::size_t n) {
        auto& side = *static_cast<receive_side*>(self);
        payload_block held = side.room.processes->share(from, n * side.element);
        if (!held.data()) return false;
        side.shared = std::move(held);
        side.shared_at = static_cast<const std::byte*>(from);
        side.shared_bytes = n * side.element;
        return true;
    }
    // Its own bytes again, a copy of what it shared (nothing resizes a buffer after its
    // collective wrote it: this only keeps resize() true to what it holds).
    void stop_sharing() {
        if (!shared_at) return;
        bytes.assign(shared_bytes, false);
        std::memcpy(bytes.data(), shared_at, shared_bytes);
        shared_at = nullptr;
        shared = {};
    }
    static void* resize(void* self, std::size_t n) {
        auto& side = *static_cast<receive_side*>(self);
        side.stop_sharing();
        side.bytes.resize(n * side.element);
        return side.bytes.data();
    }
    static backend::container_shape shape(const void* self) {
        const auto& side = *static_cast<const receive_side*>(self);
        if (side.shared_at) return {side.shared_at, side.shared_bytes / side.element, side.shared_bytes / side.element};
        return {side.bytes.data(), side.bytes.size() / side.element, side.bytes.capacity() / side.element};
    }
    // Reads the buffer's description: its type, how many elements it holds, whether it can grow.
    // Its bytes start as zeros, what the rank gets where nothing arrived, unless `filled`: every
    // byte is written before the answer (a broadcast's, which completes only with as many
    // elements as the root's on every rank, and whose root's bytes follow in the frame), where
    // zeroing a large block first would double the engine's work.
    void read(wire::reader& in, receive_room where, bool filled = false) {
        const type_desc type = in.get_type();
        const auto count = in.get<std::uint64_t>();
        resizable = in.get<std::uint8_t>() != 0;
        if (count > largest_buffer_bytes / type.size) throw wire::malformed_frame("a receive buffer too large");
        element = type.size;
        room = where;
        bytes = payload_bytes(room.own);
        bytes.assign(static_cast<std::size_t>(count) * element, !filled);
        buffer = {bytes.data(), static_cast<std::size_t>(count), type};
        origin.data = in.get_address();
        origin.object = in.get_address();
        buffer.origin = &origin;
        buffer.share = &share;
        buffer.sharer = this;
        if (resizable) {
            buffer.resize = &resize;
            buffer.container = this;
            buffer.shape = &shape;
        }
    }
    // A broadcast's data, at its root: what the buffer holds in the rank's memory.
    void take_root_data(wire::reader& in) {
        const auto given = in.get_payload(bytes.size());
        if (!given.empty()) std::memcpy(bytes.data(), given.data(), given.size());
    }
    // What arrived, for the rank: all of a resizable buffer, `elements` of a fixed one.
    void write(wire::writer& out, std::size_t elements) const {
        const std::size_t n = resizable ? size() / element : std::min(elements, buffer.count);
        wire::put_arrived(out, data(), n, element);
        if (shared_at) room.held_for_answer->push_back(shared.share());
    }
};

// `origin` is where the data is in the rank's memory; it must outlive the call.
backend::send_view read_send(wire::reader& in, backend::buffer_origin& origin) {
    backend::send_view view;
    view.type = in.get_type();
    const auto count = in.get<std::uint64_t>();
    if (count > largest_buffer_bytes / view.type.size) throw wire::malformed_frame("a message too large");
    view.count = static_cast<std::size_t>(count);
    origin.data = in.get_address();
    view.origin = &origin;
    view.data = in.get_payload(count * view.type.size).data();
    return view;
}

// Whether rank `rank` (of the communicator) gets data from collective `v` rooted at `root`.
bool receives(verb v, int rank, int root) {
    switch (v) {
        case verb::bcast: return rank != root;
        case verb::gather:
        case verb::gatherv:
        case verb::reduce: return rank == root;
        case verb::exscan: return rank != 0;
        default: return true;
    }
}

// A send verb's name and its call on the communicator: blocking (send, ssend, bsend, rsend) or
// starting a request (isend, issend, ibsend, irsend).
struct send_call {
    const char* name;
    void (backend::comm_impl::*blocking)(const backend::send_view&, int, int, backend::location);
    std::unique_ptr<backend::request_impl> (backend::comm_impl::*starting)(backend::send_view, int, int,
                                                                           backend::location);
};
send_call send_call_of(verb v) {
    using backend::comm_impl;
    switch (v) {
        case verb::ssend: return {"ssend", &comm_impl::ssend, nullptr};
        case verb::bsend: return {"bsend", &comm_impl::bsend, nullptr};
        case verb::rsend: return {"rsend", &comm_impl::rsend, nullptr};
        case verb::isend: return {"isend", nullptr, &comm_impl::isend};
        case verb::issend: return {"issend", nullptr, &comm_impl::issend};
        case verb::ibsend: return {"ibsend", nullptr, &comm_impl::ibsend};
        case verb::irsend: return {"irsend", nullptr, &comm_impl::irsend};
        default: return {"send", &comm_impl::send, nullptr};
    }
}

class proxy;

// A reduction that lives in a rank's process: the engine asks that rank to apply it.
struct remote_operation {
    proxy* owner = nullptr;
    std::size_t element = 1;
};
void apply_remotely(const void* in, void* inout, std::size_t n, const void* context);

class proxy {
public:
    proxy(engine& eng, process_ranks& processes, int rank, std::unique_ptr<backend::comm_impl> world)
        : eng_(eng), processes_(processes), rank_(rank) {
        comms_.push_back(std::move(world));
    }

    void serve(const result_taker* take) {
        std::vector<std::byte> start;
        wire::writer(start, verb::start).put<std::int32_t>(comms_.front()->size()).finish();
        processes_.send(rank_, start);
        for (;;) {
            processes_.receive(rank_, frame_);
            // The rank's process has read the last answer: what other ranks' halves it named may go.
            held_for_answer_.clear();
            // After the rank's own code ran: what it did (a kill) is seen before its next call.
            notice_processes_ended();
            wire::reader in(frame_);
            in.with_shared(processes_.from_rank(rank_));
            const verb v = in.get_verb();
            if (v == verb::finished) {
                processes_.finished(rank_);
                if (in.get<std::uint8_t>() != 0) {
                    const std::string result = in.get_string();
                    if (take) (*take)(rank_, std::as_bytes(std::span(result)));
                }
                return;
            }
            if (v == verb::failed) {
                processes_.finished(rank_);
                std::uint32_t index = 0;
                std::exception_ptr thrown = wire::get_exception(in, index);
                std::rethrow_exception(index < forwarded_.size() ? forwarded_[index] : thrown);
            }
            answer(v, in);
        }
    }

    // Whether the buffers of this rank's request `id` changed since its call: asked of the rank's
    // process, which waits for the answer to its wait or test meanwhile.
    request_changes look(std::uint64_t id) {
        std::vector<std::byte> frame;
        wire::writer out(frame, verb::look);
        out.put(id);
        processes_.send(rank_, out.finish());
        processes_.receive(rank_, frame);
        wire::reader answer(frame);
        if (answer.get_verb() != verb::looked) throw wire::malformed_frame("no answer about a request's buffer");
        return request_changes::from_bits(answer.get<std::uint8_t>());
    }

    // For apply_remotely, from whichever rank's proxy runs the reduction.
    void apply(const void* in, void* inout, std::size_t n, std::size_t element) {
        std::vector<std::byte> frame;
        wire::writer out(frame, verb::apply);
        out.put<std::uint64_t>(n).put<std::uint64_t>(element);
        out.put_bytes(in, n * element).put_bytes(inout, n * element);
        processes_.send(rank_, out.finish());
        processes_.receive(rank_, frame);
        wire::reader answer(frame);
        if (answer.get_verb() != verb::applied) throw wire::malformed_frame("no answer to a reduction");
        if (answer.get<std::uint8_t>() == 0) {
            std::uint32_t ignored = 0;
            std::rethrow_exception(wire::get_exception(answer, ignored));
        }
        std::memcpy(inout, answer.get_bytes(n * element).data(), n * element);
    }

private:
    // The operation of the non-blocking reduction this rank is starting, applied in its process
    // while it is in that call (start_collective), never later.
    remote_operation starting_reduction_;

    struct pending {
        std::unique_ptr<receive_side> receive;  // an irecv's, a non-blocking collective's
        std::vector<std::byte> sent;            // an isend's data from the frame, owned until it completes
        // What goes back to the rank when it completes, after its status.
        enum class result { none, message, collective } gives = result::none;
        reduce_op op;  // a non-blocking reduction's, applied here
        std::vector<std::size_t> counts, expected;  // a non-blocking v-collective's (issue 14: igather)
        // Last, so that it goes first: a collective let go while pending copies its data then.
        std::unique_ptr<backend::request_impl> request;
    };

    // A process that ended early, found by SIGCHLD, ends the run as that rank's failure.
    void notice_processes_ended() {
        std::string how;
        const int ended = processes_.ended_early(how);
        if (ended >= 0 && ended != rank_) eng_.fail_rank(ended, std::make_exception_ptr(rank_process_ended(how)));
    }

    void answer(verb v, wire::reader& in) {
        out_.clear();
        try {
            wire::writer out(out_, verb::reply);
            out.with_shared(processes_.to_ranks());
            const auto comm_id = in.get<std::uint32_t>();
            const std::source_location where = in.get_location();
            if (comm_id >= comms_.size() || !comms_[comm_id]) throw wire::malformed_frame("an unknown communicator");
            make_call(v, *comms_[comm_id], comm_id, where, in, out);
        } catch (...) {
            // The call threw: so does the rank's, with the same exception.
            const std::exception_ptr error = std::current_exception();
            rethrow_if_not_the_calls(error);
            out_.clear();
            wire::writer out(out_, verb::error);
            forward(out, error);
        }
        processes_.send(rank_, wire::finish(out_));
    }

    // What ends this proxy's service, not only the rank's call: the run aborting, the rank's
    // process broken or gone.
    static void rethrow_if_not_the_calls(const std::exception_ptr& error) {
        try {
            std::rethrow_exception(error);
        } catch (const run_aborted&) {
            throw;
        } catch (const wire::malformed_frame&) {
            throw;
        } catch (const rank_process_ended&) {
            throw;
        } catch (...) {
        }
    }
    // An exception the engine threw into the rank's call, for the rank to throw (the rank
    // passes its index back if it ends the rank, so that the run reports this very object).
    void forward(wire::writer& out, const std::exception_ptr& error) {
        forwarded_.push_back(error);
        try {
            std::rethrow_exception(error);
        } catch (...) {
            wire::put_current_exception(out, static_cast<std::uint32_t>(forwarded_.size() - 1));
        }
    }

    void make_call(verb v, backend::comm_impl& comm, std::uint32_t comm_id, const std::source_location& where,
                   wire::reader& in, wire::writer& out) {
        switch (v) {
            case verb::send:
            case verb::ssend:
            case verb::bsend:
            case verb::rsend: {
                const send_call call = send_call_of(v);
                const int dest = peer(comm, in, false, call.name, true), tag = in.get_int();
                (comm.*call.blocking)(read_send(in), dest, tag, where);
                return;
            }
            case verb::isend:
            case verb::issend:
            case verb::ibsend:
            case verb::irsend: {
                const send_call call = send_call_of(v);
                const int dest = peer(comm, in, false, call.name, true), tag = in.get_int();
                pending p;
                p.request = (comm.*call.starting)(keep_sent(in, p), dest, tag, where);
                out.put(keep(std::move(p)));
                return;
            }
            case verb::recv: {
                const int source = peer(comm, in, true, "recv", true), tag = in.get_int();
                receive_side side;
                side.read(in, room());
                const status s = comm.recv(side.buffer, source, tag, where);
                out.put_status(s);
                side.write(out, s.bytes / side.element);
                return;
            }
            case verb::irecv: {
                const int source = peer(comm, in, true, "irecv", true), tag = in.get_int();
                pending p;
                p.receive = std::make_unique<receive_side>();
                p.receive->read(in, room());
                p.gives = pending::result::message;
                p.request = comm.irecv(p.receive->buffer, source, tag, where);
                // What the buffer holds now goes to the rank's own: the poison a pending irecv's
                // buffer holds on every context (engine::irecv_poison), or the message itself.
                const receive_side& side = *p.receive;
                out.put(keep(std::move(p)));
                // From proc_null nothing came: the rank's buffer keeps its bytes (this copy has none).
                side.write(out, source == proc_null ? 0 : side.buffer.count);
                return;
            }
            case verb::probe: {
                const int source = peer(comm, in, true, "probe", true), tag = in.get_int();
                out.put_status(comm.probe(source, tag, where));
                return;
            }
            case verb::iprobe: {
                const int source = peer(comm, in, true, "iprobe", true), tag = in.get_int();
                const auto found = comm.iprobe(source, tag, where);
                out.put<std::uint8_t>(found.has_value());
                if (found) out.put_status(*found);
                return;
            }
            case verb::ibarrier:
            case verb::ibcast:
            case verb::ireduce:
            case verb::iallreduce:
            case verb::iscan:  // non-blocking scans and reduce-scatter (issue 14: iscan)
            case verb::iexscan:
            case verb::ireduce_scatter_block:
            case verb::ireduce_scatter: out.put(start_collective(v, comm, where, in)); return;
            case verb::igather:
            case verb::iallgather:
            case verb::iscatter:
            case verb::ialltoall:
            case verb::igatherv:
            case verb::iallgatherv:
            case verb::iscatterv:
            case verb::ialltoallv: out.put(start_gathering(v, comm, where, in)); return;
            case verb::barrier: comm.barrier(where); return;
            case verb::bcast: {
                const int root = peer(comm, in, false, "bcast");
                receive_side side;
                side.read(in, room(), /*filled=*/true);
                if (comm.rank() == root) side.take_root_data(in);
                comm.bcast(side.buffer, root, where);
                give_back(out, side, receives(v, comm.rank(), root));
                return;
            }
            case verb::scatter:
            case verb::gather:
            case verb::allgather:
            case verb::alltoall:
            case verb::reduce:
            case verb::allreduce:
            case verb::scan:
            case verb::exscan: collective(v, comm, where, in, out); return;
            case verb::gatherv:
            case verb::allgatherv: {
                const int root = v == verb::gatherv ? peer(comm, in, false, "gatherv") : in.get_int();
                const auto mine = read_send(in);
                receive_side side;
                side.read(in, room());
                std::vector<std::size_t> counts;
                if (v == verb::gatherv)
                    comm.gatherv(mine, side.buffer, &counts, root, where);
                else
                    comm.allgatherv(mine, side.buffer, &counts, where);
                const bool gets = v == verb::allgatherv || comm.rank() == root;
                give_back(out, side, gets);
                out.put<std::uint8_t>(gets);
                if (gets) {
                    out.put<std::uint64_t>(counts.size());
                    for (const std::size_t c : counts) out.put<std::uint64_t>(c);
                }
                return;
            }
            case verb::scatterv: {
                const int root = peer(comm, in, false, "scatterv");
                const auto all = read_send(in);
                const auto n = in.get<std::uint64_t>();
                if (n > static_cast<std::uint64_t>(comm.size())) throw wire::malformed_frame("too many counts");
                std::vector<std::size_t> counts(static_cast<std::size_t>(n));
                for (auto& c : counts) c = static_cast<std::size_t>(in.get<std::uint64_t>());
                receive_side side;
                side.read(in, room());
                comm.scatterv(all, counts, side.buffer, root, where);
                give_back(out, side, true);
                return;
            }
            case verb::split: {
                const int color = in.get_int(), key = in.get_int();
                auto made = comm.split(color, key, where);
                out.put<std::uint8_t>(made != nullptr);
                if (made) describe_new(out, std::move(made));
                return;
            }
            case verb::dup: describe_new(out, comm.dup(where)); return;
            case verb::self: describe_new(out, comm.self(where)); return;
            case verb::wtime: out.put<double>(eng_.wtime(rank_)); return;
            // ---- issue 14's buffer for bsend ----
            case verb::attach_buffer: comm.attach_buffer(static_cast<std::size_t>(in.get<std::uint64_t>()), where); return;
            case verb::detach_buffer: out.put<std::uint64_t>(comm.detach_buffer(where)); return;
            case verb::abort: {
                const int code = in.get_int();
                if (code < 0 || code > 255) throw wire::malformed_frame("an abort code that is no exit status");
                comm.abort(code, where);
                std::abort();  // unreachable: the simulator's abort unwinds this proxy
            }
            // issue 14's collectives
            case verb::alltoallv: {
                (void)in.get_int();  // no root
                const auto all = read_send(in);
                const auto counts = read_blocks(in, comm, all.count);
                receive_side side;
                side.read(in, room());
                std::vector<std::size_t> received;
                comm.alltoallv(all, counts, side.buffer, &received, where);
                give_back(out, side, true);
                out.put<std::uint8_t>(1);
                out.put<std::uint64_t>(received.size());
                for (const std::size_t c : received) out.put<std::uint64_t>(c);
                return;
            }
            case verb::reduce_scatter:
            case verb::reduce_scatter_block: collective(v, comm, where, in, out); return;
            // Cartesian topologies (issue 14)
            case verb::cart_create: {
                const auto grid = wire::get_grid(in);
                const bool reorder = in.get<std::uint8_t>() != 0;
                check_grid(comm, grid);
                auto made = comm.cart_create(grid, reorder, where);
                out.put<std::uint8_t>(made != nullptr);
                if (made) describe_new(out, std::move(made));
                return;
            }
            case verb::cart_sub: {
                const auto keep = wire::get_flags(in);
                if (!comm.grid() || keep.size() != comm.grid()->dims.size())
                    throw wire::malformed_frame("a cart_sub that does not fit the communicator's grid");
                describe_new(out, comm.cart_sub(keep, where));
                return;
            }
            case verb::neighbor_allgather:
            case verb::neighbor_alltoall:
                if (!comm.grid()) throw wire::malformed_frame("a neighbour collective without a grid");
                collective(v, comm, where, in, out);
                return;
            case verb::free_comm:
                if (comm_id == 0) throw wire::malformed_frame("the world freed");
                comms_[comm_id].reset();
                return;
            case verb::wait: {
                // Forgotten only once complete: a wait that throws leaves the request to the rank.
                const auto id = in.get<std::uint64_t>();
                const status s = find(id).request->wait(where);
                auto done = take(id);
                completed(out, done, s);
                return;
            }
            case verb::test: {
                const auto id = in.get<std::uint64_t>();
                const auto s = find(id).request->test(where);
                out.put<std::uint8_t>(s.has_value());
                if (s) {
                    auto done = take(id);
                    completed(out, done, *s);
                }
                return;
            }
            case verb::wait_any: {
                const request_set set = read_set(in);
                status s;
                const std::size_t index = set.any->wait_any(set.requests, s, where);
                out.put<std::uint64_t>(index);
                auto done = take(set.ids.at(index));
                completed(out, done, s);
                return;
            }
            case verb::complete_set: {
                const auto how = in.get<backend::request_impl::completion_rule>();
                if (how > backend::request_impl::completion_rule::test_all)
                    throw wire::malformed_frame("an unknown way to complete requests");
                const request_set set = read_set(in);
                std::vector<backend::request_impl::completed> done;
                // A request that fails (a message of another type, say) ends the call, but those
                // completed before it are completed: the rank takes them, then throws its error,
                // as the typed layer does on threads.
                std::exception_ptr failed;
                try {
                    set.any->complete_set(how, set.requests, done, where);
                } catch (...) {
                    failed = std::current_exception();
                    rethrow_if_not_the_calls(failed);
                }
                out.put<std::uint64_t>(done.size());
                for (const auto& d : done) {
                    out.put<std::uint64_t>(d.index);
                    auto p = take(set.ids.at(d.index));
                    completed(out, p, d.result);
                }
                out.put<std::uint8_t>(failed != nullptr);
                if (failed) forward(out, failed);
                return;
            }
            case verb::cancel: find(in.get<std::uint64_t>()).request->cancel(where); return;
            case verb::free_request: (void)take(in.get<std::uint64_t>()); return;
            default: throw wire::malformed_frame("a request the engine does not take from a rank");
        }
    }

    // The collectives where every rank gives a view and has a receive buffer.
    void collective(verb v, backend::comm_impl& comm, const std::source_location& where, wire::reader& in,
                    wire::writer& out) {
        const bool rooted = v == verb::scatter || v == verb::gather || v == verb::reduce;
        const int root = rooted ? peer(comm, in, false, "root") : in.get_int();
        auto give = read_send(in);
        receive_side side;
        side.read(in, room());
        const bool reduces = v == verb::reduce || v == verb::allreduce || v == verb::scan || v == verb::exscan ||
                             v == verb::reduce_scatter || v == verb::reduce_scatter_block;
        reduce_op op;
        remote_operation remote{this, give.type.size};
        std::vector<std::byte> aligned;  // a reduction reads the elements as what they are
        if (reduces) {
            const auto* begin = static_cast<const std::byte*>(give.data);
            aligned.assign(begin, begin + give.count * give.type.size);
            give.data = aligned.data();
            op.id = in.get<builtin_op>();
            if (op.id > builtin_op::maxloc) throw wire::malformed_frame("an unknown reduction");
            op.name = in.get_literal();
            op.commutative = in.get<std::uint8_t>() != 0;
            op.identity = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(in.get<std::uint64_t>()));
            if (op.id == builtin_op::user || !use_local_reduction(give.type.kind, op)) {
                op.apply = &apply_remotely;
                op.context = &remote;
            }
            // In place in the rank's memory: in place here too, so that the checks see it.
            if (in.get<std::uint8_t>() != 0) {
                if (side.bytes.size() != aligned.size()) throw wire::malformed_frame("an in-place buffer of two sizes");
                std::memcpy(side.bytes.data(), aligned.data(), aligned.size());
                give.data = side.bytes.data();
            }
        }
        if (v == verb::gather || v == verb::allgather || v == verb::alltoall)
            place_here(v == verb::alltoall, comm, in, give, side);
        std::vector<std::size_t> blocks;
        if (v == verb::reduce_scatter) blocks = read_blocks(in, comm, give.count);
        switch (v) {
            case verb::scatter: comm.scatter(give, side.buffer, root, where); break;
            case verb::gather: comm.gather(give, side.buffer, root, where); break;
            case verb::allgather: comm.allgather(give, side.buffer, where); break;
            case verb::alltoall: comm.alltoall(give, side.buffer, where); break;
            case verb::reduce: comm.reduce(give, side.buffer, op, root, where); break;
            case verb::allreduce: comm.allreduce(give, side.buffer, op, where); break;
            case verb::scan: comm.scan(give, side.buffer, op, where); break;
            case verb::reduce_scatter: comm.reduce_scatter(give, blocks, side.buffer, op, where); break;
            case verb::reduce_scatter_block: comm.reduce_scatter_block(give, side.buffer, op, where); break;
            case verb::neighbor_allgather: comm.neighbor_allgather(give, side.buffer, where); break;
            case verb::neighbor_alltoall: comm.neighbor_alltoall(give, side.buffer, where); break;
            default: comm.exscan(give, side.buffer, op, where); break;
        }
        give_back(out, side, receives(v, comm.rank(), root));
    }

    // A gather's root, an allgather or an alltoall in place in the rank's memory (the frame's
    // flag says) is in place here too, so that the simulator sees it: what the rank gives is put
    // in its place in the engine's copy of the receive buffer (its own block, or all of it when
    // `whole`: an alltoall's, a non-blocking reduction's), and given from there.
    static bool place_here(bool whole, const backend::comm_impl& comm, wire::reader& in, backend::send_view& give,
                           receive_side& side) {
        if (in.get<std::uint8_t>() == 0) return false;
        const std::size_t bytes = give.count * give.type.size;
        const std::size_t offset = whole ? 0 : static_cast<std::size_t>(comm.rank()) * bytes;
        if (side.resizable || side.element != give.type.size || offset + bytes > side.bytes.size() ||
            (whole && bytes != side.bytes.size()))
            throw wire::malformed_frame("an in-place buffer that does not hold what the rank gives");
        std::memcpy(side.bytes.data() + offset, give.data, bytes);
        give.data = side.bytes.data() + offset;
        return true;
    }

    // A non-blocking collective (issue 14: icoll): its request, its data and its result are kept
    // until it completes. A reduction the engine cannot make itself (a user operation) is applied
    // in the rank's process, which listens while in this call: the simulator applies only the
    // operation of the rank whose arrival completes the collective (collective_slot::completing).
    std::uint64_t start_collective(verb v, backend::comm_impl& comm, const std::source_location& where,
                                   wire::reader& in) {
        pending p;
        if (v == verb::ibarrier) {
            p.request = comm.ibarrier(where);
            return keep(std::move(p));
        }
        const bool rooted = v == verb::ibcast || v == verb::ireduce;
        const int root = rooted ? peer(comm, in, false, "root") : in.get_int();
        if (!rooted && root != -1) throw wire::malformed_frame("a root for a collective that has none");
        p.receive = std::make_unique<receive_side>();
        if (v == verb::ibcast) {
            p.receive->read(in, room(), /*filled=*/true);
            auto& side = *p.receive;
            if (comm.rank() == root) side.take_root_data(in);
            if (comm.rank() != root) p.gives = pending::result::collective;
            p.request = comm.ibcast(side.buffer, root, where);
            return keep(std::move(p));
        }
        backend::send_view give = keep_sent(in, p);
        p.receive->read(in, room());
        p.op.id = in.get<builtin_op>();
        if (p.op.id > builtin_op::maxloc) throw wire::malformed_frame("an unknown reduction");
        p.op.name = in.get_literal();
        p.op.commutative = in.get<std::uint8_t>() != 0;
        p.op.identity = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(in.get<std::uint64_t>()));
        if (p.op.id == builtin_op::user || !use_local_reduction(give.type.kind, p.op)) {
            starting_reduction_ = {this, give.type.size};
            p.op.apply = &apply_remotely;
            p.op.context = &starting_reduction_;
        }
        std::vector<std::size_t> blocks;  // ireduce_scatter's, copied by the call
        if (v == verb::ireduce_scatter) blocks = read_blocks(in, comm, give.count);
        const bool in_place = v != verb::ireduce_scatter && v != verb::ireduce_scatter_block &&
                              place_here(true, comm, in, give, *p.receive);
        backend::recv_buffer into = p.receive->buffer;
        const bool gets = v == verb::ireduce ? comm.rank() == root : !(v == verb::iexscan && comm.rank() == 0);
        if (!gets && !in_place) {
            // Rank 0 gets nothing from an iexscan, and expects nothing back: no buffer here either
            // (in place, the one its input is in, which the collective leaves as it was).
            into = {nullptr, 0, into.type};
            p.receive.reset();
        }
        if (gets) p.gives = pending::result::collective;
        switch (v) {
            case verb::ireduce: p.request = comm.ireduce(give, into, p.op, root, where); break;
            case verb::iallreduce: p.request = comm.iallreduce(give, into, p.op, where); break;
            case verb::iscan: p.request = comm.iscan(give, into, p.op, where); break;
            case verb::iexscan: p.request = comm.iexscan(give, into, p.op, where); break;
            case verb::ireduce_scatter_block: p.request = comm.ireduce_scatter_block(give, into, p.op, where); break;
            default: p.request = comm.ireduce_scatter(give, blocks, into, p.op, where); break;
        }
        return keep(std::move(p));
    }

    // A non-blocking gather, scatter or all-to-all (issue 14: igather), kept as start_collective
    // keeps its request, with the block counts it gives and expects. Only a rank that gets a
    // result keeps a receive side (the others' answer carries no data).
    std::uint64_t start_gathering(verb v, backend::comm_impl& comm, const std::source_location& where,
                                  wire::reader& in) {
        const bool rooted = v == verb::igather || v == verb::iscatter || v == verb::igatherv || v == verb::iscatterv;
        const int root = rooted ? peer(comm, in, false, "root") : in.get_int();
        if (!rooted && root != -1) throw wire::malformed_frame("a root for a collective that has none");
        const bool at_root = comm.rank() == root;
        pending p;
        backend::send_view give = keep_sent(in, p);
        if (v == verb::ialltoallv || (v == verb::iscatterv && at_root)) p.counts = read_blocks(in, comm, give.count);
        else if (in.get<std::uint64_t>() != 0) throw wire::malformed_frame("block counts where none belong");
        p.receive = std::make_unique<receive_side>();
        p.receive->read(in, room());
        if (v == verb::iallgatherv || v == verb::ialltoallv || (v == verb::igatherv && at_root))
            p.expected = read_blocks(in, comm, p.receive->buffer.count);
        else if (in.get<std::uint64_t>() != 0) throw wire::malformed_frame("expected counts where none belong");
        if (v == verb::igather || v == verb::iallgather || v == verb::ialltoall)
            place_here(v == verb::ialltoall, comm, in, give, *p.receive);
        const bool gets_result = (v != verb::igather && v != verb::igatherv) || at_root;
        backend::recv_buffer into{nullptr, 0, p.receive->buffer.type};
        if (gets_result) {
            into = p.receive->buffer;
            p.gives = pending::result::collective;
        } else {
            p.receive.reset();
        }
        switch (v) {
            case verb::igather: p.request = comm.igather(give, into, root, where); break;
            case verb::iallgather: p.request = comm.iallgather(give, into, where); break;
            case verb::iscatter: p.request = comm.iscatter(give, into, root, where); break;
            case verb::ialltoall: p.request = comm.ialltoall(give, into, where); break;
            case verb::igatherv: p.request = comm.igatherv(give, into, p.expected, root, where); break;
            case verb::iallgatherv: p.request = comm.iallgatherv(give, into, p.expected, where); break;
            case verb::iscatterv: p.request = comm.iscatterv(give, p.counts, into, root, where); break;
            default: p.request = comm.ialltoallv(give, p.counts, into, p.expected, where); break;
        }
        return keep(std::move(p));
    }

    // A peer, root, source or destination: a rank of the communicator (or a wildcard; or, for a
    // point-to-point call, proc_null).
    static int peer(const backend::comm_impl& comm, wire::reader& in, bool wildcard_ok, std::string_view what,
                    bool null_ok = false) {
        const int r = in.get_int();
        if ((r < 0 || r >= comm.size()) && !(wildcard_ok && r == any_source) && !(null_ok && r == proc_null))
            throw wire::malformed_frame(std::string(what) + " names no rank of the communicator");
        return r;
    }

    // A grid the typed layer would have let through: positive dimensions whose product the
    // communicator has, one period each.
    static void check_grid(const backend::comm_impl& comm, const backend::cartesian_grid& grid) {
        const std::int64_t ranks = baton::detail::grid_size(grid.dims);
        const bool positive = std::ranges::all_of(grid.dims, [](int d) { return d > 0; });
        if (grid.dims.empty() || !positive || ranks < 0 || ranks > comm.size())
            throw wire::malformed_frame("a grid that does not fit the communicator");
    }

    // A non-blocking send's data, copied into its pending request, which keeps it until the send
    // completes (the frame it came in is overwritten by the next call).
    backend::send_view keep_sent(wire::reader& in, pending& p) {
        auto sent = read_send(in);
        // Data in the shared area stays there: the rank's process keeps its block until the
        // request completes (forwarding_request). Data in the frame is copied before the next.
        const auto* begin = static_cast<const std::byte*>(sent.data);
        const auto shared = processes_.from_rank(rank_);
        if (sent.count > 0 && begin >= shared.data() && begin < shared.data() + shared.size()) return sent;
        p.sent.assign(begin, begin + sent.count * sent.type.size);
        sent.data = p.sent.data();
        return sent;
    }

    // Where the engine takes room for large data this rank receives, and finds what it may share.
    receive_room room() { return {&processes_.to_rank(rank_), &processes_, &held_for_answer_}; }

    // The data a call sends, read from its frame. Where it is in the rank's memory is kept in
    // sent_from_ for the call's buffer checks: one call at a time, and a collective that leaves
    // early forgets it (collective.cpp, detach).
    backend::send_view read_send(wire::reader& in) { return detail::read_send(in, sent_from_); }

    // One block count per rank of the communicator, adding up to the `total` elements given.
    static std::vector<std::size_t> read_blocks(wire::reader& in, const backend::comm_impl& comm, std::size_t total) {
        const auto n = in.get<std::uint64_t>();
        if (n != static_cast<std::uint64_t>(comm.size())) throw wire::malformed_frame("a block count per rank expected");
        std::vector<std::size_t> counts(static_cast<std::size_t>(n));
        std::uint64_t sum = 0;
        for (auto& c : counts) {
            c = static_cast<std::size_t>(in.get<std::uint64_t>());
            sum += c;
            if (c > total || sum > total) throw wire::malformed_frame("block counts beyond the elements given");
        }
        if (sum != total) throw wire::malformed_frame("block counts that do not add up to the elements given");
        return counts;
    }

    static void give_back(wire::writer& out, const receive_side& side, bool gets) {
        if (gets)
            side.write(out, side.buffer.count);
        else
            wire::put_nothing_arrived(out);
    }

    void describe_new(wire::writer& out, std::unique_ptr<backend::comm_impl> made) {
        out.put<std::uint32_t>(static_cast<std::uint32_t>(comms_.size()));
        out.put<std::int32_t>(made->rank()).put<std::int32_t>(made->size());
        out.put_string(made->name());
        out.put<std::uint8_t>(made->grid() != nullptr);
        if (made->grid()) wire::put_grid(out, *made->grid());
        const std::vector<int> members = made->members();
        out.put<std::uint64_t>(members.size());
        for (const int world : members) out.put<std::int32_t>(world);
        comms_.push_back(std::move(made));
    }

    // A pending request, kept until it completes. Its buffer is in the rank's memory, which the
    // engine's copy cannot show: when it completes, the simulator asks the rank whether the
    // program changed it (buffer_watch.hpp).
    std::uint64_t keep(pending p) {
        const std::uint64_t id = next_request_++;
        simulated(*p.request).ask_rank_with([this, id] { return look(id); });
        requests_.emplace(id, std::move(p));
        return id;
    }
    // The requests of a call on several (wait_any, complete_set): the rank's ids (0 for none) and
    // the engine's requests, one of them not null.
    struct request_set {
        std::vector<std::uint64_t> ids;
        std::vector<backend::request_impl*> requests;
        backend::request_impl* any = nullptr;
    };
    request_set read_set(wire::reader& in) {
        const auto n = in.get<std::uint64_t>();
        if (n > (std::uint64_t{1} << 24)) throw wire::malformed_frame("too many requests");
        request_set set;
        set.ids.resize(static_cast<std::size_t>(n));
        set.requests.assign(set.ids.size(), nullptr);
        for (std::size_t i = 0; i < set.ids.size(); ++i) {
            set.ids[i] = in.get<std::uint64_t>();
            if (set.ids[i] != 0) set.any = set.requests[i] = find(set.ids[i]).request.get();
        }
        if (!set.any) throw wire::malformed_frame("a wait or test on no request");
        return set;
    }
    pending& find(std::uint64_t id) {
        const auto at = requests_.find(id);
        if (at == requests_.end()) throw wire::malformed_frame("an unknown request");
        return at->second;
    }
    pending take(std::uint64_t id) {
        pending p = std::move(find(id));
        requests_.erase(id);
        return p;
    }
    // A completion as the rank reads it (forwarding_request::completed): its status, then what
    // arrived, if anything (wire::put_arrived).
    static void completed(wire::writer& out, pending& p, const status& s) {
        out.put_status(s);
        p.request.reset();  // what the rank's request does when it completes
        switch (p.gives) {
            case pending::result::collective: return give_back(out, *p.receive, true);  // no byte count: whole
            case pending::result::message:
                if (!s.cancelled) return p.receive->write(out, s.bytes / p.receive->element);
                break;
            case pending::result::none: break;
        }
        wire::put_nothing_arrived(out);
    }

    engine& eng_;
    process_ranks& processes_;
    int rank_;
    std::vector<std::unique_ptr<backend::comm_impl>> comms_;  // by the id the rank knows them by
    std::unordered_map<std::uint64_t, pending> requests_;
    std::uint64_t next_request_ = 1;  // 0 stands for no request
    std::vector<std::exception_ptr> forwarded_;  // what the engine threw into the rank's calls
    std::vector<std::byte> frame_, out_;
    std::vector<payload_block> held_for_answer_;  // receive_room::held_for_answer
    backend::buffer_origin sent_from_;  // read_send's
};

void apply_remotely(const void* in, void* inout, std::size_t n, const void* context) {
    const auto& remote = *static_cast<const remote_operation*>(context);
    remote.owner->apply(in, inout, n, remote.element);
}

thread_local const result_taker* current_taker = nullptr;

}  // namespace

void serve_process_rank(engine& eng, process_ranks& processes, int rank, std::unique_ptr<backend::comm_impl> world,
                        const result_taker* take) {
    proxy served(eng, processes, rank, std::move(world));
    try {
        served.serve(take);
    } catch (const wire::malformed_frame& e) {
        throw rank_process_ended(std::string("sent the engine a malformed request (") + e.what() +
                                 "): its memory may be corrupt");
    }
}

result_taker_scope::result_taker_scope(result_taker take) : take_(std::move(take)), previous_(current_taker) {
    current_taker = &take_;
}
result_taker_scope::~result_taker_scope() { current_taker = previous_; }
const result_taker* current_result_taker() noexcept { return current_taker; }

}  // namespace baton::sim::detail
