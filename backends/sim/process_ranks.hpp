// The processes of a run on rank_context::process: one per rank, forked when the run starts, each
// joined to the engine by a Unix stream socket (Boost.Asio's local::connect_pair).
//
// The engine still runs one context per rank, a fiber; for a process rank that fiber is the rank's
// proxy (process_proxy.cpp): it starts the rank's process when the rank first gets the CPU, then
// reads its calls one at a time and makes each on the simulator, exactly as the rank's own code
// would on threads, so schedules, matches and reports are the same. Only the running rank's proxy
// waits on its socket; every other process waits for the answer to its last call.
//
// A process that ends before its rank function returned (a crash, abort, exit(), a kill from
// outside) is found either by its proxy (the socket ends) or, for a rank that is not running, by
// SIGCHLD (an Asio signal_set polled at every call), and reported as that rank's failure with how
// it ended. Children die with the engine's thread (PR_SET_PDEATHSIG); the destructor kills those
// left and reaps every one, so no process or zombie outlives the run.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <baton/communicator.hpp>

namespace baton::sim::detail {

class payload_block;
class payload_space;

class process_ranks {
public:
    // Forks `ranks` processes; each waits for its start, then runs `body` (process_child.cpp).
    process_ranks(int ranks, const std::function<void(communicator&)>& body);
    ~process_ranks();
    process_ranks(const process_ranks&) = delete;
    process_ranks& operator=(const process_ranks&) = delete;

    // One frame (length included) to rank `rank`'s process. Throws rank_process_ended if it is gone.
    void send(int rank, std::span<const std::byte> frame);
    // The next frame from it, without its length, into `frame`. Throws rank_process_ended if it
    // is gone, malformed_frame if the length is impossible.
    void receive(int rank, std::vector<std::byte>& frame);
    // --break-at and --debug-rank: rank `rank`'s process is to stop for a debugger
    // (debugger_stop.hpp); it does so before it reads what comes next.
    void stop_for_debugger(int rank);
    // The process rank `rank` runs in (simulated time also reads its CPU clock: sim_clock.hpp).
    pid_t pid_of(int rank) const;
    // Rank `rank`'s halves of the shared payload area: where the engine finds what the rank's
    // process wrote for it, and where the engine takes room for what it writes for the rank.
    std::span<const std::byte> from_rank(int rank) const;
    payload_space& to_rank(int rank);
    // All that the engine writes for ranks: where an answer may name a payload (every rank's
    // process reads all of it).
    std::span<const std::byte> to_ranks() const;
    // Another holder of the engine's block that holds [at, at + bytes) in some rank's half, so
    // that other ranks' processes may read it where it is (payload_space::share); an empty block
    // if none does.
    payload_block share(const void* at, std::size_t bytes);
    // Its rank function has returned or thrown: its process ends now, as it should.
    void finished(int rank);
    // A rank whose process ended before finishing, found by SIGCHLD since the last look (or,
    // with `look_anyway`, by asking about every process), or -1; `how` then says how it ended.
    // Without `look_anyway` it looks at most once a millisecond: asked at every call, looking
    // (a system call) was a fifth of a call's cost beside the socket's, and a death found within a
    // millisecond is found soon enough.
    int ended_early(std::string& how, bool look_anyway = false);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// "died of SIGSEGV (segmentation fault)", "exited with status 3": how a process ended, from its
// wait status.
std::string how_process_ended(int wait_status);

}  // namespace baton::sim::detail
