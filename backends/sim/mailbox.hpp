// Point-to-point matching for one receiving rank of one communicator.
//
// MPI's rules: messages from one sender with matching tags are received in the order sent; a
// send matches the earliest posted receive that accepts it; a receive takes, from each sender,
// the first message whose tag it accepts. Which sender a wildcard receive takes is the
// scheduler's choice among those candidates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <source_location>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include <baton/datatype.hpp>

#include "bsend_buffer.hpp"
#include "front_indexed_queue.hpp"
#include "happens_before.hpp"
#include "sim_clock.hpp"

namespace baton::sim::detail {

class sim_request;

// A message sent before its receive was posted.
struct message {
    int source = 0;  // rank in the communicator
    int tag = 0;
    type_desc type;
    std::size_t count = 0;
    // Small messages (the common case: a number or two) live inside the message, not on the heap.
    boost::container::small_vector<std::byte, 32> data;
    std::uint64_t arrival = 0;
    sim_request* sync_sender = nullptr;  // a synchronous send waiting for this message's match
    std::uint64_t id = 0;                // links the send's event to the receive's
    std::source_location sent_at;
    std::string_view operation;          // "send" or "isend"
    // A bsend's: the room it holds in its sender's attached buffer until a receive takes it.
    std::unique_ptr<bsend_claim> claim;
    happens_before::clock sent_clock;  // the sender's, at the send (systematic runs)
    sent_timing timing;                // its send in simulated time (sim_clock.hpp)
};

// From each sender, at most one message; rarely more than a few, so they fit without allocation.
using candidate_list = boost::container::small_vector<const message*, 4>;

// One sender's stored messages, oldest first.
using message_queue = front_indexed_queue<message>;

class mailbox {
public:
    // The earliest posted receive that a message (source, tag) matches, taken off the list. With
    // `defer_wildcards`, none when that receive is a wildcard: the message waits for the
    // scheduler to choose among all candidates (schedule::systematic).
    sim_request* take_posted(int source, int tag, bool defer_wildcards);
    bool has_posted_wildcard() const;
    // The first posted receive that accepts a message (source, tag), wildcard or not (rsend's
    // rule); null if none.
    const sim_request* posted_for(int source, int tag) const;
    // The first posted receive, if it is a wildcard with candidates (schedule::systematic).
    sim_request* wildcard_ready() const;
    // The first posted receive before any wildcard that a stored message matches, taken off the
    // list with that message; null if there is none.
    sim_request* next_match_before_wildcard(message& taken);
    void post(int source, int tag, sim_request* receive);
    void cancel(sim_request* receive);

    void store(message&& m);  // moved once, into its sender's queue
    // From each sender, the first stored message a receive (source, tag) accepts, by arrival.
    candidate_list candidates(int source, int tag) const;
    message take(const message* m);
    // A receive from `source` (not a wildcard) takes its first stored message that `tag` accepts,
    // if any, into `taken`: candidates() and take() in one look, as such a receive has no choice.
    bool take_first(int source, int tag, message& taken);
    // A synchronous send's request is gone: its message no longer has anyone to tell.
    void forget_sender(const sim_request* sender);

    bool has_messages() const { return stored_ > 0; }
    // No stored message and no posted receive.
    bool idle() const { return stored_ == 0 && (!queues_ || queues_->posted.empty()); }
    // Every stored message, for end-of-run checks.
    std::vector<const message*> all_messages() const;

    struct posted_receive {
        int source;
        int tag;
        sim_request* request;
    };
    // The receives posted and not matched yet, in the order posted (reports compare them with the
    // messages that wait unreceived).
    using posted_list = front_indexed_queue<posted_receive>;
    const posted_list& posted() const;

private:
    // What a mailbox holds once a message or a receive comes to it. Every rank has a mailbox in
    // every communicator it is in, and most are never used (a million of them in the world of a
    // million ranks that only reduce): until then a mailbox is a null pointer and a count.
    struct queues {
        // By source. A sender's queue stays when it empties: the next message from it reuses it.
        std::map<int, message_queue> unexpected;
        posted_list posted;  // in the order posted
    };
    queues& used();  // made at the first use

    std::unique_ptr<queues> queues_;
    std::size_t stored_ = 0;  // messages in queues_->unexpected
};

inline bool tag_matches(int wanted, int tag) { return wanted < 0 || wanted == tag; }

}  // namespace baton::sim::detail
