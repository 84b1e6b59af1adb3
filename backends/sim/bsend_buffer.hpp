// A rank's attached buffer for buffered sends (attach_buffer, bsend, detach_buffer; MPI's
// MPI_Buffer_attach, MPI_Bsend, MPI_Buffer_detach), as the simulator counts it.
//
// No bytes are kept here: a bsend's message is stored in its receiver's mailbox as any send's.
// What is counted is the room MPI would use: each message not yet received holds its bytes plus
// baton::bsend_overhead (MPI_BSEND_OVERHEAD) of the rank's buffer, and gives them back when a
// receive takes it (or when the run ends). A bsend that does not fit is the rank's usage_error;
// detach_buffer waits until every message it holds has been received.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <source_location>
#include <string>

namespace baton::sim::detail {

class engine;

struct bsend_buffer {
    std::size_t attached = 0;  // bytes; 0 with nothing attached
    bool is_attached = false;
    std::source_location attached_at;
    std::size_t used = 0;       // by messages not yet received, with their overhead
    std::size_t messages = 0;   // how many
    std::map<int, std::size_t> to;  // world rank -> how many of them go there
    // Who to wake when the last message is received: the rank itself, waiting in detach_buffer.
    engine* eng = nullptr;
    int rank = -1;                 // world rank
    bool detaching = false;
};

// The room one stored bsend message holds in its sender's buffer; given back when destroyed,
// which is when a receive takes the message (or the run ends with it unreceived).
class bsend_claim {
public:
    bsend_claim(const std::shared_ptr<bsend_buffer>& buffer, std::size_t bytes, int dest_world_rank);
    ~bsend_claim();
    bsend_claim(const bsend_claim&) = delete;
    bsend_claim& operator=(const bsend_claim&) = delete;

private:
    std::weak_ptr<bsend_buffer> buffer_;  // the engine's, which may be gone at a late teardown
    std::size_t bytes_;
    int dest_;
};

// "4096 bytes", "1 byte"
std::string bytes_text(std::size_t n);

}  // namespace baton::sim::detail
