// The network a simulated run's clocks run on (options::network): LogGP's parameters (Alexandrov
// et al.): latency L, overhead o (CPU time of each end per message), gap g (least time between
// two messages leaving one rank), and G, the time per byte, from the bandwidth. sim_clock.hpp
// says how they make a message's times; collective_costs.hpp how they make a collective's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace baton::sim::detail {

// Simulated time: integer picoseconds, so that sums are exact and every run adds them alike
// (2^63 ps is 106 days).
using sim_time = std::int64_t;
inline constexpr sim_time picoseconds_per_second = 1'000'000'000'000;
inline double seconds(sim_time t) { return static_cast<double>(t) / static_cast<double>(picoseconds_per_second); }

struct network_model {
    std::string name;  // the preset's, or "custom"
    sim_time latency = 0;
    sim_time overhead = 0;
    sim_time gap = 0;
    std::uint64_t bandwidth = 1;  // bytes per second

    // G x bytes: the time `bytes` take on the wire (rounded down to the picosecond).
    sim_time transfer(std::size_t bytes) const;
};

// A preset's name, or "key=value,..." (a preset's name may come first: "ib-hdr,latency=2us").
// Throws usage_error naming what is wrong.
network_model parse_network(std::string_view text);

}  // namespace baton::sim::detail
