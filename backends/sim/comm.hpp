// One rank's handle on a simulated communicator: the backend interface, implemented on the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <baton/backend.hpp>

#include "collective.hpp"
#include "comm_state.hpp"
#include "engine.hpp"
#include "request.hpp"

namespace baton::sim::detail {

struct comm_state;

class sim_comm final : public backend::comm_impl {
public:
    // `placed`: made in its rank's room (engine::rank_main's world), not on the heap.
    sim_comm(engine& eng, comm_state& state, int rank, bool placed = false);
    void operator delete(sim_comm* comm, std::destroying_delete_t) { delete_unless_placed(comm, comm->placed_); }

    int rank() const override { return rank_; }
    int size() const override { return state_.size(); }
    const std::string& name() const override;
    // Inline: every call of the rank's asks it, some several times.
    int world_rank() const override { return world_rank_; }

    void send(const backend::send_view& data, int dest, int tag, backend::location where) override;
    status recv(const backend::recv_buffer& into, int source, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> isend(backend::send_view data, int dest, int tag,
                                                 backend::location where) override;
    std::unique_ptr<backend::request_impl> irecv(backend::recv_buffer into, int source, int tag,
                                                 backend::location where) override;
    status probe(int source, int tag, backend::location where) override;
    std::optional<status> iprobe(int source, int tag, backend::location where) override;

    // Per-call send modes.
    void ssend(const backend::send_view& data, int dest, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> issend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override;

    void barrier(backend::location where) override;
    void bcast(backend::recv_buffer data, int root, backend::location where) override;
    void scatter(backend::send_view all, backend::recv_buffer mine, int root, backend::location where) override;
    void gather(backend::send_view mine, backend::recv_buffer all, int root, backend::location where) override;
    void allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override;
    void alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override;
    void reduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, int root,
                backend::location where) override;
    void allreduce(const backend::send_view& mine, const backend::recv_buffer& result, const reduce_op& op,
                   backend::location where) override;
    void scan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
              backend::location where) override;
    void exscan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                backend::location where) override;
    void gatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts, int root,
                 backend::location where) override;
    void allgatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                    backend::location where) override;
    void scatterv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine, int root,
                  backend::location where) override;
    void alltoallv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                   std::vector<std::size_t>* counts_out, backend::location where) override;
    void reduce_scatter(backend::send_view mine, std::span<const std::size_t> counts, backend::recv_buffer result,
                        const reduce_op& op, backend::location where) override;
    void reduce_scatter_block(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                              backend::location where) override;
    std::unique_ptr<backend::comm_impl> split(int color, int key, backend::location where) override;
    std::unique_ptr<backend::comm_impl> dup(backend::location where) override;
    std::vector<int> members() const override;
    std::unique_ptr<backend::comm_impl> self(backend::location where) override;

    // Cartesian topologies and neighbour collectives (issue 14).
    std::unique_ptr<backend::comm_impl> cart_create(const backend::cartesian_grid& grid, bool reorder,
                                                    backend::location where) override;
    std::unique_ptr<backend::comm_impl> cart_sub(const std::vector<bool>& keep, backend::location where) override;
    const backend::cartesian_grid* grid() const override;
    void neighbor_allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override;
    void neighbor_alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override;

    // Buffered and ready send modes (issue 14; send_modes.cpp), ending the run.
    void attach_buffer(std::size_t bytes, backend::location where) override;
    std::size_t detach_buffer(backend::location where) override;
    void bsend(const backend::send_view& data, int dest, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> ibsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override;
    void rsend(const backend::send_view& data, int dest, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> irsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override;
    [[noreturn]] void abort(int code, backend::location where) override;

    // Non-blocking collectives (issue 14: icoll).
    std::unique_ptr<backend::request_impl> ibarrier(backend::location where) override;
    std::unique_ptr<backend::request_impl> ibcast(backend::recv_buffer data, int root, backend::location where) override;
    std::unique_ptr<backend::request_impl> ireduce(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, int root, backend::location where) override;
    std::unique_ptr<backend::request_impl> iallreduce(backend::send_view mine, backend::recv_buffer result,
                                                      const reduce_op& op, backend::location where) override;
    // Non-blocking scans and reduce-scatter (issue 14: iscan).
    std::unique_ptr<backend::request_impl> iscan(backend::send_view mine, backend::recv_buffer result,
                                                 const reduce_op& op, backend::location where) override;
    std::unique_ptr<backend::request_impl> iexscan(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, backend::location where) override;
    std::unique_ptr<backend::request_impl> ireduce_scatter_block(backend::send_view mine, backend::recv_buffer result,
                                                                 const reduce_op& op, backend::location where) override;
    std::unique_ptr<backend::request_impl> ireduce_scatter(backend::send_view mine, std::span<const std::size_t> counts,
                                                           backend::recv_buffer result, const reduce_op& op,
                                                           backend::location where) override;

    // Non-blocking gathers, scatters and all-to-alls (issue 14: igather).
    std::unique_ptr<backend::request_impl> igather(backend::send_view mine, backend::recv_buffer all, int root,
                                                   backend::location where) override;
    std::unique_ptr<backend::request_impl> iallgather(backend::send_view mine, backend::recv_buffer all,
                                                      backend::location where) override;
    std::unique_ptr<backend::request_impl> iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                    backend::location where) override;
    std::unique_ptr<backend::request_impl> ialltoall(backend::send_view all, backend::recv_buffer mine,
                                                     backend::location where) override;
    std::unique_ptr<backend::request_impl> igatherv(backend::send_view mine, backend::recv_buffer all,
                                                    std::span<const std::size_t> expected, int root,
                                                    backend::location where) override;
    std::unique_ptr<backend::request_impl> iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                       std::span<const std::size_t> expected,
                                                       backend::location where) override;
    std::unique_ptr<backend::request_impl> iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                     backend::recv_buffer mine, int root,
                                                     backend::location where) override;
    std::unique_ptr<backend::request_impl> ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                      backend::recv_buffer mine, std::span<const std::size_t> expected,
                                                      backend::location where) override;

private:
    // A send's mode: standard (send, isend: synchronous or buffered as the run's --sends says);
    // synchronous (ssend, issend: complete only when matched, never granted buffering);
    // buffered (bsend, ibsend: complete at once, the message held in the attached buffer);
    // ready (rsend, irsend: as standard, once the rule that its receive is posted is checked).
    enum class send_kind { standard, synchronous, buffered, ready };
    // Matches or stores a send. Returns the request of a synchronous send still waiting for its
    // match, or null when the send is complete.
    std::unique_ptr<sim_request> start_send(const backend::send_view& data, int dest, int tag,
                                            std::string_view operation, const backend::location& where,
                                            bool always_request, send_kind kind = send_kind::standard);
    // send, ssend and rsend: start_send, then wait for a send that is not complete yet.
    void blocking_send(const backend::send_view& data, int dest, int tag, std::string_view operation,
                       const backend::location& where, send_kind kind);
    // bsend's rule, checked before the send: its bytes and overhead fit in the attached buffer.
    // Returns the room it takes.
    std::size_t check_bsend_room(std::size_t bytes, int dest, int tag, std::string_view operation,
                                 const backend::location& where);
    // rsend's rule: a receive that matches it is posted. A finding, not an error: the send goes
    // on as a standard one, as most MPI libraries would take it.
    void check_ready(int dest, int tag, std::size_t bytes, std::string_view operation, const backend::location& where);
    // Matches `request`, a receive (recv's on the caller's stack, irecv's on the heap) made after
    // the call's scheduling point, with a stored message, or posts it.
    void start_receive(sim_request& request, const backend::recv_buffer& into, int source, int tag,
                       const backend::location& where, bool blocking);
    // start_receive's match with a message stored in `box`, its own mailbox, if there is one it
    // takes: true when `request` is complete. Out of line: most receives find no message stored
    // (a ping-pong's are posted before their message comes), and need no room for one.
    [[gnu::noinline]] bool receive_stored(sim_request& request, mailbox& box, int source, int tag,
                                          const backend::location& where);
    // A message a probe (source, tag) accepts; the scheduler chooses among several, and with
    // `may_miss` "none yet" is one more alternative. `probe` and `where` describe the choice.
    std::optional<status> find_message(int source, int tag, const blocker& probe, const backend::location& where,
                                       bool may_miss = false);
    // Joins a collective. Blocking (no `pending` request): returns once it is done. Non-blocking:
    // returns at once, `pending` completing with the collective (its collective_sequence set
    // first, for a request let go before then).
    void collective(collective_call& call, sim_request* pending = nullptr);
    // The arrival at a collective: logged, checked, matched against the others, completed if it
    // is the last. Out of collective(), so that a rank that then waits keeps only collective()'s
    // small frame on its stack, not this one's (issue 17: a blocked rank's resumption reads its
    // frames back, each line a miss at 100 000 ranks). `sequence` is set to the collective's.
    enum class arrival { returns, waits, left_early };
    [[gnu::noinline]] arrival arrive(collective_call& call, sim_request* pending, std::uint64_t& sequence);
    // Ends the run with the mismatch `why` found in collective `sequence`, with every rank's call.
    // Out of collective(), whose frame every rank blocked in a collective keeps on its stack.
    [[noreturn, gnu::noinline, gnu::cold]] void fail_with_mismatch(const collective_slot& slot, std::uint64_t sequence,
                                                                  const std::string& why);
    std::unique_ptr<backend::request_impl> start_collective(std::unique_ptr<collective_call> call);

    engine& eng_;
    comm_state& state_;
    comm_handle keep_{state_};
    int rank_;
    int world_rank_;  // rank_'s in the world, which never changes
    std::uint64_t next_collective_ = 0;
    bool placed_;
};

// Copies a matched message into a receive and completes it (with an error if it does not fit or
// its element type differs). `data` holds `count` elements of `type`; `sent_by` ("send",
// "isend") and `sent_at` are the sender's call.
void deliver(sim_request& receive, int source, int tag, const type_desc& type, const void* data,
             std::size_t count, std::string_view sent_by, const std::source_location& sent_at, std::uint64_t id);

// schedule::systematic, when no rank can run: the first posted receive of `rank`'s mailbox is a
// wildcard with candidates; let the scheduler choose its message, then match what follows it.
void match_deferred(comm_state& comm, int rank, scheduler& sched, happens_before& order, const simulated_time& time);
// A stored message `m` of `comm` taken by a receive of its rank `receiver`: what the receiver
// learns of the sender, and a sender waiting for the match of the receiver (happens_before.hpp).
void learn_from_message(happens_before& order, const comm_state& comm, int receiver, const message& m);

}  // namespace baton::sim::detail
