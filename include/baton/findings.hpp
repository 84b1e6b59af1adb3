// What the simulator's checks find: one `finding` per problem, as text for people, as JSON for
// tools, and (for deadlocks) as a Graphviz wait-for graph.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace baton {

// One rank's part in a finding: its call and where it was made.
struct rank_call {
    int rank = -1;                // rank in the world
    std::string call;             // e.g. "recv(source=1, tag=0, comm=world)"; in a communicator
                                  // other than the world, its ranks say their world rank:
                                  // "recv(source=0 (world rank 2), tag=0, comm=world.split1(color=0))";
                                  // for a rank that threw something not baton's, "threw T after send"
    std::string location;         // "file.cpp:42" in the user's code (empty if unknown)
    std::vector<int> waits_for;   // world ranks this call needs before it can finish (deadlocks)
    // Deadlocks: the rank's last few communication calls before this one, newest first, e.g.
    // "step 12: send to rank 1, tag 0, 4 B at ring.cpp:17": how it got here.
    std::vector<std::string> recent;
    // The rank's number in the call's communicator when that is not the world, as reports name
    // it after the world rank: "rank 1 of world.split1(color=0)". Text only: JSON has `call`.
    std::string in_comm;
};

enum class finding_kind {
    deadlock,                 // ranks that can never progress, whatever MPI does
    potential_deadlock,       // ranks that cannot progress because a send or collective was not
                              // buffered in this run; MPI is allowed to do the same
    collective_mismatch,      // ranks called a collective differently
    type_mismatch,            // a message's element type differs from its receive's
    truncation,               // a message longer than its receive buffer
    invalid_argument,         // a bad rank, tag, root, count or communicator
    request_leak,             // a request that was never completed by wait or test
    unreceived_message,       // a message still unreceived when the run ended
    send_buffer_modified,     // an isend's data changed before the isend completed
    receive_buffer_modified,  // an irecv's buffer was written before the irecv completed
    rank_failure,             // a rank threw something else, or aborted
    schedule_dependence,      // the program's result differs between schedules
    nondeterminism,           // a replay diverged: something the scheduler does not control
                              // (the clock, rand(), addresses) changed the program's course
    ready_send_without_receive,  // an rsend or irsend started before its receive was posted
};

// "deadlock", "potential-deadlock", "collective-mismatch", ...
std::string_view to_string(finding_kind kind);

struct finding {
    finding_kind kind = finding_kind::rank_failure;
    std::string summary;           // one line: what is wrong
    std::vector<rank_call> calls;  // every rank involved, in rank order
    std::vector<int> cycle;        // deadlocks: ranks each waiting for the next, first == last
    std::vector<int> finished;     // deadlocks: ranks that had already finished
    std::string replay;            // how to reproduce the run
    // What else points at the fix, a line each: messages waiting unreceived in a stuck rank's
    // mailbox, the first line each execution printed differently, the wildcard choice that made
    // the difference, hints.
    std::vector<std::string> notes;

    // The report for people: the summary, one line per rank (with its recent calls under it), the
    // finished ranks, the cycle, the notes, the replay command.
    std::string text() const;
};

// The findings as JSON: {"schema": "baton-findings", "version": 2, "findings": [...]}, one object
// per finding (kind, summary, calls, cycle, finished, notes, replay); docs/report-schema.md has
// each field.
std::string to_json(const std::vector<finding>& findings);

// The wait-for graph of a deadlock in Graphviz DOT: a node per blocked rank labelled with its
// call and line, an edge to each rank it waits for, the cycle in red.
std::string to_dot(const finding& deadlock);

}  // namespace baton
