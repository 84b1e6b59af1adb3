// Simulated time (README, "Profiling and simulated time"): every rank has a clock, in integer
// picoseconds (network_model.hpp), that its baton calls advance by a network model and, between
// them, its computing (options::computing: the CPU time it spent, times options::cpu_scale, or
// nothing).
//
// A point-to-point message, by LogGP, with L, o, g and G the network's (network_model.hpp: the
// "shm" model between two ranks of one node, options::ranks_per_node, else options::network), t_s
// the sender's clock at its send and t_r the receiver's at its receive (irecv: when posted):
//
//   inject  = max(t_s, the sender's previous inject + g)         the gap between its messages
//   leaves  = inject + o                                          the sender's clock after the call
//   eager (what the run buffers: below --eager-limit with --sends eager, every send with
//   --sends buffered):
//     arrival       = leaves + L(bytes) + bytes G(bytes)
//     sender done   = leaves
//     receiver done = max(t_r, arrival) + o
//   rendezvous (what waits for its receive: ssend, above --eager-limit with --sends eager,
//   every send with --sends synchronous): the data moves only once both sides are there:
//     handshake     = max(t_r, leaves + L(0))                     the receiver sees the request
//     sender done   = handshake + L(0) + bytes G(bytes)           clear to send, then the data out
//     receiver done = handshake + L(0) + L(bytes) + bytes G(bytes) + o
//
// L(m) and G(m) are the network's for a message of m bytes (network_model.hpp: a model may
// take them by size range; the request and the clear-to-send are messages of 0 bytes).
//
// A call that waits (wait, test that finds it done, a blocking send or receive) sets its rank's
// clock to max(its clock, the operation's done time). A collective: every rank leaves at the
// latest arrival plus the cost of the algorithm real MPI uses (collective_costs.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include <baton/clock.hpp>
#include <baton/sim.hpp>

#include "network_model.hpp"

namespace baton::sim::detail {

// One rank's clock (kept in its rank_slot).
struct rank_clock {
    sim_time now = 0;
    sim_time computing = 0;    // of `now`, the time spent computing (the rest is in calls)
    sim_time next_inject = 0;  // the earliest its next message may leave (the gap)
    // Its CPU clock (ns) when it went back to its own code; -1 before its code first ran. (Fiber
    // ranks share a thread whose CPU clock has counted the ranks that ran before: a rank's first
    // entering, before its code starts, computed nothing.)
    std::int64_t cpu_left = -1;
};

struct rank_table;

// What a message's send side tells its match.
struct sent_timing {
    sim_time leaves = 0;
    std::size_t bytes = 0;
    bool rendezvous = false;
    const network_model* net = nullptr;  // the one between its two ranks
};

class simulated_time {
public:
    simulated_time(const options& opts, rank_table& ranks);

    // Whether the run asked for simulated time (options::network): the end-of-run line and
    // measured compute time only then.
    bool asked() const { return asked_; }
    const network_model& network() const { return network_; }
    // Whether entered() and left() add the CPU time a rank computed (compute_time::measured).
    bool measures_computing() const { return measuring_; }
    // Inside a node: options::ranks_per_node, 0 when not given (every rank a node of its own).
    const network_model& within_node() const { return shm_; }
    int ranks_per_node() const { return ranks_per_node_; }
    int node_of(int world_rank) const { return ranks_per_node_ > 0 ? world_rank / ranks_per_node_ : world_rank; }
    // The model a message from one world rank to another takes.
    const network_model& between(int from, int to) const {
        return node_of(from) == node_of(to) && from != to ? shm_ : network_;
    }

    // Rank `rank` goes back to its own code / calls baton again (engine::leaving, entering):
    // what it computed in between is added to its clock. Inline: every call does both, and only
    // measured compute time has anything to do.
    void left(int rank) {
        if (measuring_) [[unlikely]]
            cpu_mark(rank);
    }
    void entered(int rank) {
        if (measuring_) [[unlikely]]
            add_computing(rank);
    }
    // Process ranks compute in a process of their own: read its CPU clock.
    void compute_in_process(int rank, pid_t pid);
    // Every rank has ended: the thread that ran the fibers lets go of its CPU clock's mark.
    void ranks_ended();

    // now(), reach() and send() are inline, at the end of rank_table.hpp, where a rank's clock is
    // reached: every receive and send asks them (issue 17).
    inline sim_time now(int rank) const;
    // Its clock reaches `t` (a wait that ends then), unless it is later already.
    inline void reach(int rank, sim_time t);

    // A send of `bytes` by `rank` to world rank `to` at its clock: advances its clock past the
    // send's overhead.
    inline sent_timing send(int rank, int to, std::size_t bytes, bool rendezvous);
    // When each side is done, for a message matched with a receive posted at `posted`.
    struct done_times {
        sim_time sender = 0, receiver = 0;
    };
    done_times match(const sent_timing& sent, sim_time posted) const;

    // "baton: simulated time 0.8342 s on 4 ranks (network ib-hdr, 8 ranks per node);
    // communication 37 % of rank-time"
    std::string summary() const;

private:
    std::int64_t cpu_now(int rank) const;
    // left() and entered() when compute time is measured.
    void cpu_mark(int rank);
    void add_computing(int rank);
    // L(bytes) + bytes G(bytes) on `net`, a message's time on the wire. The last one asked is
    // kept: a run's messages are mostly of one size, and each took a search of the size ranges
    // and a division (issue 17: a ping-pong's every message, simulated time asked for or not).
    sim_time wire_time(const network_model& net, std::size_t bytes) const {
        if (&net != wire_net_ || bytes != wire_bytes_) [[unlikely]] {
            wire_ = net.latency_of(bytes) + net.transfer(bytes);
            wire_net_ = &net;
            wire_bytes_ = bytes;
        }
        return wire_;
    }
    mutable const network_model* wire_net_ = nullptr;
    mutable std::size_t wire_bytes_ = 0;
    mutable sim_time wire_ = 0;

    rank_table& ranks_;
    network_model network_;
    network_model shm_;
    int ranks_per_node_;
    bool asked_;
    bool measuring_;  // compute_time::measured, and simulated time asked for
    double cpu_scale_;
    std::vector<clockid_t> cpu_clocks_;  // process ranks' (others: the thread's own)
};

// The rank running on the calling thread reads its simulated clock through baton::wtime().
class simulated_clock final : public baton::detail::clock_impl {
public:
    explicit simulated_clock(class engine& eng) : eng_(eng) {}
    double now() override;
    double tick() override { return 1e-12; }

private:
    class engine& eng_;
};

}  // namespace baton::sim::detail
