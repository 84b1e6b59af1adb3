// A picture of a simulated run, from the event log that options::record keeps:
//
//     auto result = baton::sim::run({.ranks = 3, .record = true}, program);
//     std::ofstream("run.json") << baton::sim::to_chrome_trace(result.events);
//     std::cout << baton::sim::to_timeline(result.events);
//
// to_chrome_trace writes the Trace Event Format (open the file in https://ui.perfetto.dev or
// chrome://tracing): one process "baton", one track per rank named "rank N", one slice per event
// and an arrow from every send to the receive that matched it. Without simulated time
// (options::network empty) time is the scheduler's logical clock, not wall time: step s starts at
// s * 10 µs; an event alone in its step is the slice [10 s, 10 s + 8); the n events of a step that
// has several share its 10 µs, in log order. With it (every event has sim_start), time is the
// ranks' simulated clocks: an event's slice is [sim_start, sim_end], and a "compute" slice
// (category "compute") of sim_computed ends where it starts.
//
// to_timeline writes the same log as text, one line per event in step order:
//
//       12  rank 1  recv   <- rank 0  tag 7  32 B  world  app.cpp:14
#pragma once

#include <string>
#include <vector>

#include <baton/sim.hpp>

namespace baton::sim {

// The event log as Chrome trace-event JSON, {"traceEvents": [...]}, one event a line:
//  - metadata ("ph": "M"): process_name "baton" (pid 1); per rank a thread_name "rank N" and a
//    thread_sort_index N, on tid N + 1 (viewers treat tid 0 as the kernel's idle thread);
//  - per event a complete event ("ph": "X", "cat": "baton") named after the operation, on its
//    rank's track, with args {peer, tag, bytes, comm, location, step} and, for a point-to-point
//    event, message (the log's message id);
//  - per message that was received, a flow: "ph": "s" inside the send's slice and "ph": "f",
//    "bp": "e" inside the receive's slice, "cat": "message", the same "id" (a number for the
//    message, unique in the trace; the log's ids count per communicator).
std::string to_chrome_trace(const std::vector<event>& events);

// The event log as text, one line per event in step order, in aligned columns: step, rank,
// operation, the other side ("-> rank N" for a send, "<- rank N" for a receive, "root N" for a
// rooted collective), "tag T", "N B", communicator, location. Ends with a newline (empty for an
// empty log).
std::string to_timeline(const std::vector<event>& events);

}  // namespace baton::sim
