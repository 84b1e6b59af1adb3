// The network a simulated run's clocks run on (options::network): LogGP's parameters (Alexandrov
// et al.): latency L, overhead o (CPU time of each end per message), gap g (least time between
// two messages leaving one rank), and G, the time per byte, from the bandwidth. sim_clock.hpp
// says how they make a message's times; collective_costs.hpp how they make a collective's.
// A model may take L and G by ranges of message sizes (as SimGrid SMPI's network factors do):
// a real MPI changes protocol with the size (eager, rendezvous, single copy), and one line
// through all sizes misses each of them by tens of per cent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace baton::sim::detail {

// Simulated time: integer picoseconds, so that sums are exact and every run adds them alike
// (2^63 ps is 106 days).
using sim_time = std::int64_t;
inline constexpr sim_time picoseconds_per_second = 1'000'000'000'000;
inline double seconds(sim_time t) { return static_cast<double>(t) / static_cast<double>(picoseconds_per_second); }

// Messages of at most `up_to` bytes (and more than the range before's) take this L and bandwidth.
struct size_range {
    std::size_t up_to = 0;
    sim_time latency = 0;
    std::uint64_t bandwidth = 1;  // bytes per second
};

struct network_model {
    std::string name;  // the preset's, or "custom"
    sim_time latency = 0;
    sim_time overhead = 0;
    sim_time gap = 0;
    std::uint64_t bandwidth = 1;  // bytes per second
    // Empty: latency and bandwidth for every size. Else by ascending up_to; a message larger than
    // the last range takes the last range's.
    std::vector<size_range> by_size;

    // L for a message of `bytes`.
    sim_time latency_of(std::size_t bytes) const { return by_size.empty() ? latency : range_of(bytes).latency; }
    // G x bytes: the time `bytes` take on the wire (rounded down to the picosecond).
    sim_time transfer(std::size_t bytes) const;

private:
    const size_range& range_of(std::size_t bytes) const;
};

// A preset's name, or "key=value,..." (a preset's name may come first: "ib-hdr,latency=2us").
// Throws usage_error naming what is wrong.
network_model parse_network(std::string_view text);

}  // namespace baton::sim::detail
