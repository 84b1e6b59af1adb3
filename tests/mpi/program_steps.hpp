// The differential test's steps, run by kind in groups, each compiled on its own (one file of every
// step's every element type was the suite's longest compilation, alone at the end of the build).
#pragma once

#include <string>

#include "harness.hpp"
#include "program.hpp"

namespace differential {

// Where a step writes what its rank saw, with communicators named relative to the program's own.
class step_log {
public:
    step_log(harness::record& out, std::string base) : out_(out), base_(std::move(base)) {}

protected:
    std::string shown(const baton::communicator& c) const {
        const std::string& name = c.name();
        return name.starts_with(base_) ? "W" + name.substr(base_.size()) : name;
    }

    harness::record& out_;
    std::string base_;
};

// pair, shift, to_root_any, burst, halo.
void run_point_to_point_step(const step& s, baton::communicator& c, const step_log& log);
// bcast, scatter(v), gather(v), allgather(v), alltoall(v), cartesian.
void run_collective_step(const step& s, baton::communicator& c, const step_log& log);
// reduce, allreduce, scan, exscan, reduce_scatter(_block).
void run_reduction_step(const step& s, baton::communicator& c, const step_log& log);
// in_place: reductions, gathers and exchanges in place.
void run_in_place_step(const step& s, baton::communicator& c, const step_log& log);
// nonblocking: a non-blocking collective with point-to-point while it is under way.
void run_nonblocking_step(const step& s, baton::communicator& c, const step_log& log);
// persistent: send_init/ssend_init and recv_init started several times; cancel: receives cancelled.
void run_persistent_step(const step& s, baton::communicator& c, const step_log& log);

}  // namespace differential
