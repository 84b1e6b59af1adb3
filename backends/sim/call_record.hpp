// One baton call as the simulator sees it. The record is made once, when the call enters the
// simulator; a receive's is matched later (whom its message came from); every report and log then
// describes the call through it: a blocked rank's call in a deadlock report, the rank's recent
// calls, the event log of options::record, the calls a finding names. Its text is made in one place
// (call_record.cpp), so the same call reads the same everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include <baton/sim.hpp>

#include "comm_state.hpp"

namespace baton::sim::detail {

struct collective_call;

// A few world ranks; asked for at every blocking call, so usually without allocation.
using rank_list = boost::container::small_vector<int, 4>;

enum class call_kind : std::uint8_t { send, receive, probe, collective };

// Whom a call addresses, and with which tag.
struct call_peer {
    int rank = -1;   // dest, source or root, in the call's communicator; -1: any_source, or none
    int world = -1;  // the same as a world rank
    int tag = -1;    // -1: any_tag, or none (a collective)
};

struct call_record {
    call_kind kind = call_kind::send;
    std::string_view operation;  // "send", "irecv", "iprobe", "allreduce", ...: always a literal
    int rank = -1;               // the caller's world rank
    // Its communicator, alive while the call is under way. The history, which outlives calls,
    // keeps the communicator's name instead and clears this and `collective`.
    const comm_state* comm = nullptr;
    call_peer asked;             // as the program called it
    // What it was matched with, which the history and the event log show: a send's and a
    // collective's from the start, a receive's once its message came (a wildcard's actual source).
    call_peer matched;
    std::size_t bytes = 0;       // what it sends; a receive's, once matched, what it got
    std::source_location where;  // the program's call
    std::uint64_t message = 0;   // the message sent or received: links the two in the event log
    // A collective's own arguments (op, root, count), for its text.
    const collective_call* collective = nullptr;
};

// A call of `comm`'s rank `comm_rank` to (or from, or rooted at) its rank `peer`. Inline: every
// call makes one.
// `world_rank`, when the caller knows it (a rank's own communicator keeps it), is comm_rank's:
// not read from the communicator's table, where at a million ranks each rank's entry is a miss.
inline call_record make_call(call_kind kind, std::string_view operation, const comm_state& comm, int comm_rank,
                             int peer, int tag, std::size_t bytes, const std::source_location& where,
                             int world_rank = -1) {
    const call_peer asked{peer, peer >= 0 ? comm.world_rank(peer) : peer, tag};
    // A receive learns its match when its message comes (sim_request::complete).
    return {kind, operation, world_rank >= 0 ? world_rank : comm.world_rank(comm_rank), &comm, asked,
            kind == call_kind::receive ? call_peer{} : asked, bytes, where};
}

// What a send was, from its message in `comm`'s mailbox of rank `dest`: for the reports that name
// the sender of a message.
call_record sent_call(const comm_state& comm, int dest, int source, int tag, std::string_view operation,
                      const std::source_location& sent_at, std::uint64_t message);

// The call as the program wrote it: "recv(source=1, tag=0, comm=world)",
// "bcast(root=0 (world rank 2), 1 x int, comm=world.split1(color=0))".
std::string describe(const call_record& call);
// "irecv(source=1, tag=0, comm=world) posted at app.cpp:12", for a request waited on or tested.
std::string describe_posted(const call_record& call);
// A line of the rank's recent calls in a report, the call made at scheduler step `step` on the
// communicator `comm_name` (the communicator may be gone):
// "step 4: send to rank 1, tag 0, 8 B at app.cpp:9".
std::string history_line(std::uint64_t step, const call_record& call, const std::string& comm_name);
// Its event in the log of options::record.
event to_event(std::uint64_t step, const call_record& call);
// The world ranks a point-to-point call (a receive, a probe, a send's match) waits for: its peer,
// or for any_source every other rank of `comm`.
rank_list awaited(const call_record& call, const comm_state& comm);
// The world ranks that have not reached `comm`'s collective number `sequence` yet (none once it is
// done): whom a rank waiting for it waits for.
rank_list missing_from_collective(const comm_state& comm, std::uint64_t sequence);

}  // namespace baton::sim::detail
