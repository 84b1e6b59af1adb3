// A simulated isend or irecv, and the checks of its lifecycle: a request must be completed by a
// wait or a test; an isend's data must not change before then; an irecv's buffer must not be
// written before then (and reads before then see poison, not the message).
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include <baton/backend.hpp>

#include "engine.hpp"

namespace baton::sim::detail {

struct comm_state;

class sim_request final : public backend::request_impl {
public:
    enum class kind { send, receive };

    sim_request(engine& eng, comm_state& comm, int owner, kind k, std::string_view operation, int peer,
                int tag, const std::source_location& posted_at);
    // A pending receive is taken off its mailbox; a request never completed is a finding.
    ~sim_request() override;

    status wait(backend::location where) override;
    std::optional<status> test(backend::location where) override;
    std::size_t wait_any(std::span<backend::request_impl* const> requests, status& result,
                         backend::location where) override;

    // Called by whichever rank completes the operation; wakes the owner.
    void complete(const status& result, std::exception_ptr failure = nullptr);
    // A synchronous send still waiting for its receive completes as if MPI had buffered it: its
    // message stays in the receiver's mailbox. Nothing for a receive or a send already done.
    void complete_as_buffered();
    bool done() const { return done_; }
    bool is_send() const { return kind_ == kind::send; }

    // "irecv(source=1, tag=0, comm=world)"
    std::string describe() const;
    // World ranks this operation waits for.
    rank_list waits_for() const;

    // An isend remembers a checksum of the caller's data, to catch changes before completion.
    void watch_send_buffer(const void* data, std::size_t bytes);
    // An irecv poisons its fixed buffer and keeps a matched message aside until completion, so a
    // program that reads early sees poison and one that writes early is caught.
    void defer_delivery();
    bool deferred() const { return deferred_; }
    void keep_until_completion(const void* data, std::size_t bytes);

    backend::recv_buffer buffer;  // where a receive writes
    bool posted = false;          // a receive sitting in its mailbox's posted list
    bool unmatched_sync_send = false;  // a synchronous send whose message is still in a mailbox
    bool blocking = false;             // made by a blocking send or recv, not by isend/irecv
    std::uint64_t message_id = 0;      // the message a receive matched, for the event log

    int owner() const { return owner_; }  // rank in the communicator
    int peer() const { return peer_; }
    int tag() const { return tag_; }
    comm_state& comm() const { return comm_; }
    const std::source_location& posted_at() const { return posted_at_; }

private:
    // What wait/test return: the status, or the operation's error. Runs the completion checks.
    status take_result(const backend::location& where);
    int world_owner() const;

    engine& eng_;
    comm_state& comm_;
    comm_handle keep_{comm_};  // a request may outlive its communicator, as in MPI
    int owner_;
    kind kind_;
    std::string_view operation_;  // a literal: "isend", "recv", ...
    int peer_;
    int tag_;
    std::source_location posted_at_;
    bool done_ = false;
    bool consumed_ = false;  // returned by wait, test or wait_any
    status result_;
    std::exception_ptr failure_;

    const void* watched_ = nullptr;  // the isend's data, or the irecv's poisoned buffer
    std::size_t watched_bytes_ = 0;
    std::uint64_t checksum_ = 0;
    bool deferred_ = false;
    std::vector<std::byte> kept_;    // a deferred receive's message
};

}  // namespace baton::sim::detail
