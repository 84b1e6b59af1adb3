// A simulated isend or irecv.
#pragma once

#include <exception>
#include <optional>
#include <source_location>
#include <string>

#include <baton/backend.hpp>

#include "engine.hpp"

namespace baton::sim::detail {

struct comm_state;

class sim_request final : public backend::request_impl {
public:
    enum class kind { send, receive };

    sim_request(engine& eng, comm_state& comm, int owner, kind k, std::string_view operation, int peer,
                int tag, const std::source_location& posted_at);
    ~sim_request() override;  // a pending receive is taken off its mailbox

    status wait(backend::location where) override;
    std::optional<status> test(backend::location where) override;
    std::size_t wait_any(std::span<backend::request_impl* const> requests, status& result,
                         backend::location where) override;

    // Called by whichever rank completes the operation; wakes the owner.
    void complete(const status& result, std::exception_ptr failure = nullptr);
    bool done() const { return done_; }

    // "irecv(source=1, tag=0, comm=world)"
    std::string describe() const;
    // World ranks this operation waits for.
    std::vector<int> waits_for() const;

    backend::recv_buffer buffer;  // where a receive writes
    bool posted = false;          // a receive sitting in its mailbox's posted list
    bool unmatched_sync_send = false;  // a synchronous send whose message is still in a mailbox
    bool blocking = false;             // made by a blocking send or recv, not by isend/irecv

    int owner() const { return owner_; }  // rank in the communicator
    int peer() const { return peer_; }
    int tag() const { return tag_; }
    comm_state& comm() const { return comm_; }
    const std::source_location& posted_at() const { return posted_at_; }

private:
    status take_result();

    engine& eng_;
    comm_state& comm_;
    int owner_;
    kind kind_;
    std::string operation_;
    int peer_;
    int tag_;
    std::source_location posted_at_;
    bool done_ = false;
    status result_;
    std::exception_ptr failure_;
};

}  // namespace baton::sim::detail
