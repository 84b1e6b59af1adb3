#include "network_model.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
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

// shm is Open MPI 4.1.4 between two processes of this machine (its vader transport: eager copies
// through shared memory up to its 4 KiB eager limit, headers included; above it a rendezvous and
// one copy by CMA), one way = 2o + L + bytes / bandwidth with L and bandwidth by size range, o
// and g kept from bench (b)'s 8-byte figure. Fitted by `bench/calibrate_shm.py --runs 5` to the
// round trips it measured under `mpiexec -n 2` (2 ranks on the 2 cores) on 2026-12-01 at 10:42
// UTC, the machine otherwise idle: within 8 % of each size from 64 B to 4 MiB, 23 % at 8 B (one
// line through the eager range). The same VM measured 05:55 the same day gave 6.6 GB/s above
// 32 KiB where this one gives 9.5: its memory speed varies by the hour, so compare a prediction
// with a measurement of the same hour (bench/run.py case (k)'s ping-pong rows show the drift).
// Run without --round-trips, the script measures them again. The ib-hdr and eth-10g figures are
// those of common hardware, not measured here.
const std::array<preset, 3> presets{{
    {"shared memory on one node: Open MPI 4.1.4 on this machine, by message size (bench/calibrate_shm.py)",
     {"shm", 269 * ns, 80 * ns, 80 * ns, 3536'000'000,
      {{4064, 269 * ns, 3536'000'000},
       {32768, 1669 * ns, 5067'000'000},
       {std::numeric_limits<std::size_t>::max(), 4630 * ns, 9455'000'000}}}},
    {"a 100 Gb/s InfiniBand-class fabric", {"ib-hdr", 1000 * ns, 200 * ns, 200 * ns, 12'500'000'000, {}}},
    {"10 Gb/s Ethernet with TCP", {"eth-10g", 10'000 * ns, 2000 * ns, 2000 * ns, 1'250'000'000, {}}},
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

const size_range& network_model::range_of(std::size_t bytes) const {
    for (const auto& range : by_size)
        if (bytes <= range.up_to) return range;
    return by_size.back();
}

sim_time network_model::transfer(std::size_t bytes) const {
    // Exact in 128 bits: 2^64 bytes times 10^12 would not fit in 64.
    __extension__ using wide = unsigned __int128;
    const std::uint64_t rate = by_size.empty() ? bandwidth : range_of(bytes).bandwidth;
    return static_cast<sim_time>(static_cast<wide>(bytes) * picoseconds_per_second / rate);
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
            // A latency or bandwidth given is one for every size: it replaces a preset's table.
            if (key == "latency" || key == "bandwidth") model.by_size.clear();
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
    for (const auto& p : detail::presets) {
        const auto& m = p.model;
        if (m.by_size.empty()) {
            text += fmt::format("  {:<8} latency={}ns,overhead={}ns,gap={}ns,bandwidth={}GB/s: {}\n", m.name,
                                m.latency / detail::ns, m.overhead / detail::ns, m.gap / detail::ns,
                                static_cast<double>(m.bandwidth) / 1e9, p.what);
            continue;
        }
        text += fmt::format("  {:<8} overhead={}ns,gap={}ns: {}\n", m.name, m.overhead / detail::ns, m.gap / detail::ns,
                            p.what);
        std::string ranges;
        for (std::size_t i = 0; i < m.by_size.size(); ++i) {
            const auto& r = m.by_size[i];
            const std::string upto = i + 1 < m.by_size.size() ? fmt::format("<= {} B", r.up_to) : "larger";
            ranges += fmt::format("{}{} latency={}ns,bandwidth={:.3g}GB/s", ranges.empty() ? "" : "; ", upto,
                                  r.latency / detail::ns, static_cast<double>(r.bandwidth) / 1e9);
        }
        text += fmt::format("           {}\n", ranges);
    }
    text += "  or your own: latency=1.5us,bandwidth=12.5GB/s[,overhead=0.3us][,gap=0.3us] (gap defaults to overhead;\n"
            "  after a preset's name, a latency or bandwidth replaces its table by size)";
    return text;
}

void check_network(std::string_view text) { (void)detail::parse_network(text); }

}  // namespace baton::sim
