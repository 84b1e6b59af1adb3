// One rank's handle on a simulated communicator: the backend interface, implemented on the engine.
#pragma once

#include <cstdint>
#include <memory>

#include <baton/backend.hpp>

#include "collective.hpp"
#include "comm_state.hpp"
#include "engine.hpp"
#include "request.hpp"

namespace baton::sim::detail {

struct comm_state;

class sim_comm final : public backend::comm_impl {
public:
    sim_comm(engine& eng, comm_state& state, int rank);

    int rank() const override { return rank_; }
    int size() const override;
    const std::string& name() const override;
    int world_rank() const override;

    void send(backend::send_view data, int dest, int tag, backend::location where) override;
    status recv(backend::recv_buffer into, int source, int tag, backend::location where) override;
    std::unique_ptr<backend::request_impl> isend(backend::send_view data, int dest, int tag,
                                                 backend::location where) override;
    std::unique_ptr<backend::request_impl> irecv(backend::recv_buffer into, int source, int tag,
                                                 backend::location where) override;
    status probe(int source, int tag, backend::location where) override;
    std::optional<status> iprobe(int source, int tag, backend::location where) override;

    // Per-call send modes.
    void ssend(backend::send_view data, int dest, int tag, backend::location where) override;
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
    void allreduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
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

    // Ending the run (issue 14).
    [[noreturn]] void abort(int code, backend::location where) override;

private:
    // Matches or stores a send. Returns the request of a synchronous send still waiting for its
    // match, or null when the send is complete. `must_match`: synchronous whatever the run's
    // mode, and never completed by buffering (ssend, issend).
    std::unique_ptr<sim_request> start_send(const backend::send_view& data, int dest, int tag,
                                            std::string_view operation, const backend::location& where,
                                            bool always_request, bool must_match = false);
    std::unique_ptr<sim_request> start_receive(const backend::recv_buffer& into, int source, int tag,
                                               std::string_view operation, const backend::location& where,
                                               bool blocking);
    // A message a probe (source, tag) accepts; the scheduler chooses among several, and with
    // `may_miss` "none yet" is one more alternative. `probe` and `where` describe the choice.
    std::optional<status> find_message(int source, int tag, const blocker& probe, const backend::location& where,
                                       bool may_miss = false);
    void collective(collective_call& call);

    engine& eng_;
    comm_state& state_;
    comm_handle keep_{state_};
    int rank_;
    std::uint64_t next_collective_ = 0;
};

// Copies a matched message into a receive and completes it (with an error if it does not fit or
// its element type differs). `data` holds `count` elements of `type`; `sent_by` ("send",
// "isend") and `sent_at` are the sender's call.
void deliver(sim_request& receive, int source, int tag, const type_desc& type, const void* data,
             std::size_t count, std::string_view sent_by, const std::source_location& sent_at, std::uint64_t id);

// schedule::systematic, when no rank can run: the first posted receive of `rank`'s mailbox is a
// wildcard with candidates; let the scheduler choose its message, then match what follows it.
void match_deferred(comm_state& comm, int rank, scheduler& sched);

}  // namespace baton::sim::detail
