#include "network_model.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include <baton/errors.hpp>
#include <baton/sim.hpp>

namespace baton::sim::detail {

namespace {

constexpr sim_time ns = 1000;  // picoseconds

struct preset {
    std::string_view what;
    network_model model;  // its name the preset's
};

// shm is calibrated on the machine of bench/results.md (b): Open MPI's 8-byte ping-pong there,
// 728 ns a round trip, is 364 ns one way = 2o + L + 8 G. Its bandwidth is a memcpy's through a
// shared segment; the ib-hdr and eth-10g figures are those of common hardware, not measured here.
const std::array<preset, 3> presets{{
    {"shared memory on one node (calibrated on bench (b): Open MPI's ping-pong)",
     {"shm", 200 * ns, 80 * ns, 80 * ns, 5'000'000'000}},
    {"a 100 Gb/s InfiniBand-class fabric", {"ib-hdr", 1000 * ns, 200 * ns, 200 * ns, 12'500'000'000}},
    {"10 Gb/s Ethernet with TCP", {"eth-10g", 10'000 * ns, 2000 * ns, 2000 * ns, 1'250'000'000}},
}};

std::optional<double> number_of(std::string_view text, std::string_view& unit) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data() || !std::isfinite(value) || value < 0) return std::nullopt;
    unit = text.substr(static_cast<std::size_t>(end - text.data()));
    return value;
}

// "1.5us" in picoseconds.
std::optional<sim_time> time_of(std::string_view text) {
    std::string_view unit;
    const auto value = number_of(text, unit);
    if (!value) return std::nullopt;
    double scale = 0;
    if (unit == "ps") scale = 1;
    else if (unit == "ns") scale = 1e3;
    else if (unit == "us") scale = 1e6;
    else if (unit == "ms") scale = 1e9;
    else if (unit == "s") scale = 1e12;
    else return std::nullopt;
    if (*value * scale > 1e15) return std::nullopt;  // over 1000 s a message: a typo
    return static_cast<sim_time>(std::llround(*value * scale));
}

// "12.5GB/s" or "100Gb/s" in bytes per second.
std::optional<std::uint64_t> bandwidth_of(std::string_view text) {
    std::string_view unit;
    const auto value = number_of(text, unit);
    if (!value) return std::nullopt;
    double scale = 0;
    for (const auto& [name, bytes] : std::array<std::pair<std::string_view, double>, 8>{
             {{"B/s", 1}, {"KB/s", 1e3}, {"MB/s", 1e6}, {"GB/s", 1e9}, {"TB/s", 1e12},
              {"Mb/s", 1e6 / 8}, {"Gb/s", 1e9 / 8}, {"Tb/s", 1e12 / 8}}})
        if (unit == name) scale = bytes;
    const double bytes_per_second = *value * scale;
    if (scale == 0 || bytes_per_second < 1 || bytes_per_second > 1e18) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(bytes_per_second));
}

const preset* preset_named(std::string_view name) {
    for (const auto& p : presets)
        if (p.model.name == name) return &p;
    return nullptr;
}

std::string preset_names() {
    std::string names;
    for (const auto& p : presets) names += fmt::format("{}{}", names.empty() ? "" : ", ", p.model.name);
    return names;
}

}  // namespace

sim_time network_model::transfer(std::size_t bytes) const {
    // Exact in 128 bits: 2^64 bytes times 10^12 would not fit in 64.
    __extension__ using wide = unsigned __int128;
    return static_cast<sim_time>(static_cast<wide>(bytes) * picoseconds_per_second / bandwidth);
}

network_model parse_network(std::string_view text) {
    const std::string given(text);
    auto wrong = [&](const std::string& what) {
        return usage_error(fmt::format("network \"{}\": {}", given, what));
    };
    network_model model{"custom"};
    bool has_latency = false, has_bandwidth = false, has_gap = false;
    bool first = true;
    while (!text.empty()) {
        const std::size_t comma = std::min(text.find(','), text.size());
        const std::string_view part = text.substr(0, comma);
        text.remove_prefix(std::min(comma + 1, text.size()));
        const std::size_t equals = part.find('=');
        if (equals == std::string_view::npos) {
            const preset* named = first ? preset_named(part) : nullptr;
            if (!named)
                throw wrong(fmt::format("\"{}\" is no preset ({}) nor key=value (latency, bandwidth, overhead, gap)",
                                        part, preset_names()));
            model = named->model;
            has_latency = has_bandwidth = has_gap = true;
        } else {
            const std::string_view key = part.substr(0, equals), value = part.substr(equals + 1);
            if (key == "bandwidth") {
                const auto bandwidth = bandwidth_of(value);
                if (!bandwidth) throw wrong(fmt::format("bandwidth \"{}\": expected a rate like 12.5GB/s or 100Gb/s", value));
                model.bandwidth = *bandwidth;
                has_bandwidth = true;
            } else if (key == "latency" || key == "overhead" || key == "gap") {
                const auto time = time_of(value);
                if (!time) throw wrong(fmt::format("{} \"{}\": expected a time like 1.5us (ps, ns, us, ms or s)", key, value));
                (key == "latency" ? model.latency : key == "overhead" ? model.overhead : model.gap) = *time;
                has_latency |= key == "latency";
                has_gap |= key == "gap";
            } else {
                throw wrong(fmt::format("no parameter \"{}\" (latency, bandwidth, overhead, gap)", key));
            }
            if (model.name != "custom") model.name += fmt::format(",{}", part);
        }
        first = false;
    }
    if (!has_latency || !has_bandwidth)
        throw wrong(fmt::format("give a preset ({}) or at least latency= and bandwidth=", preset_names()));
    if (!has_gap) model.gap = model.overhead;  // a rank sends no faster than its CPU can
    return model;
}

}  // namespace baton::sim::detail

namespace baton::sim {

std::string networks_help() {
    std::string text;
    for (const auto& p : detail::presets)
        text += fmt::format("  {:<8} latency={}ns,overhead={}ns,gap={}ns,bandwidth={}GB/s: {}\n", p.model.name,
                            p.model.latency / detail::ns, p.model.overhead / detail::ns, p.model.gap / detail::ns,
                            static_cast<double>(p.model.bandwidth) / 1e9, p.what);
    text += "  or your own: latency=1.5us,bandwidth=12.5GB/s[,overhead=0.3us][,gap=0.3us] (gap defaults to overhead)";
    return text;
}

void check_network(std::string_view text) { (void)detail::parse_network(text); }

}  // namespace baton::sim
