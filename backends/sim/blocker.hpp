// What a blocked rank waits for. The operations (comm.cpp, request.cpp, polling) make one for each
// wait; the kernel (engine) keeps the rank off the scheduler until it is ready, and the checker
// reads it to tell a deadlock and to describe it.
#pragma once

#include <string>

#include "call_record.hpp"

namespace baton::sim::detail {

struct comm_state;

class blocker {
public:
    virtual ~blocker() = default;
    virtual bool ready() const = 0;
    virtual std::string describe() const = 0;       // e.g. "recv(source=1, tag=0, comm=world)"
    virtual rank_list waits_for() const = 0;  // world ranks it needs
    // One of those, when it is known without making the list (-1: ask waits_for). A rank blocked
    // on one that can run is not stuck: checker::stuck_with's usual answer at every blocking
    // receive, which the list took most of (issue 17).
    virtual int one_awaited() const { return -1; }
    // The communicator it waits on, if one: reports say which rank of it the waiting rank is.
    virtual const comm_state* comm() const { return nullptr; }
    // True when it waits only because this run did not buffer something MPI may buffer (a send
    // above the eager limit): a deadlock through it may be a potential one (see deadlock.cpp).
    virtual bool buffering_dependent() const { return false; }
    // Ends the wait as MPI's buffering would have (the send completes, the root leaves the
    // collective); called only when buffering_dependent(). It changes what the blocker refers to.
    virtual void grant_buffering() const {}
    // Whether blocking on it should look for a deadlock among some ranks at once. Collectives say
    // no: their waits_for lists every rank not there yet, which would make each collective O(P^2);
    // a stuck collective is still found when no rank can run, or through the rank it waits for.
    virtual bool check_partial_deadlock() const { return true; }
    // A wait an exploration chose for a poll (engine::poll_wait_chosen): when nothing else can
    // happen it ends empty-handed instead of being a deadlock.
    virtual bool ends_when_nothing_else_can_happen() const { return false; }
    virtual void end() const {}
};

}  // namespace baton::sim::detail
