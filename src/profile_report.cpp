// --profile's report on stderr and its JSON (profile.hpp): the same figures, for people and tools.
#include <baton/profile.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace baton {

namespace {

// Four significant digits in a unit that fits: "12.35 ms", "830 ns".
std::string duration(double seconds) {
    const double magnitude = std::abs(seconds);
    if (magnitude == 0) return "0 s";
    if (magnitude >= 1) return fmt::format("{:.4g} s", seconds);
    if (magnitude >= 1e-3) return fmt::format("{:.4g} ms", seconds * 1e3);
    if (magnitude >= 1e-6) return fmt::format("{:.4g} us", seconds * 1e6);
    return fmt::format("{:.4g} ns", seconds * 1e9);
}

std::string bytes(std::uint64_t n) {
    if (n < 10'000) return fmt::format("{} B", n);
    if (n < 10'000'000) return fmt::format("{:.4g} KiB", static_cast<double>(n) / 1024);
    if (n < 10'000'000'000ull) return fmt::format("{:.4g} MiB", static_cast<double>(n) / (1024 * 1024));
    return fmt::format("{:.4g} GiB", static_cast<double>(n) / (1024.0 * 1024 * 1024));
}

std::string site_name(const profile_site& s) { return fmt::format("{}:{}", s.file, s.line); }

// The sites by time inside their calls, longest first; ties by name, so the order is the same
// every run.
std::vector<const profile_site*> by_time(const profile& p) {
    std::vector<std::pair<double, const profile_site*>> order;
    for (const auto& s : p.sites) order.emplace_back(s.total().call_seconds, &s);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first > b.first;
        if (a.second->file != b.second->file) return a.second->file < b.second->file;
        if (a.second->line != b.second->line) return a.second->line < b.second->line;
        return a.second->operation < b.second->operation;
    });
    std::vector<const profile_site*> sites;
    for (const auto& [time, site] : order) sites.push_back(site);
    return sites;
}

struct rank_figures {
    profile_counts counts;  // summed over the rank's sites
    profile_rank totals;
};

std::vector<rank_figures> per_rank(const profile& p) {
    std::vector<rank_figures> out(p.ranks.size());
    for (std::size_t r = 0; r < p.ranks.size(); ++r) out[r].totals = p.ranks[r];
    for (const auto& s : p.sites)
        for (std::size_t r = 0; r < s.ranks.size() && r < out.size(); ++r) out[r].counts += s.ranks[r];
    return out;
}

double imbalance(const profile& p) {
    if (p.ranks.empty()) return 1;
    double most = 0, sum = 0;
    for (const auto& r : p.ranks) {
        most = std::max(most, r.compute_seconds);
        sum += r.compute_seconds;
    }
    const double mean = sum / static_cast<double>(p.ranks.size());
    return mean > 0 ? most / mean : 1;
}

// The rank that finished last (the lowest on a tie) and where it waited longest.
struct critical_path {
    int rank = 0;
    const profile_site* site = nullptr;
};

critical_path critical(const profile& p) {
    critical_path path;
    for (std::size_t r = 1; r < p.ranks.size(); ++r)
        if (p.ranks[r].end_seconds > p.ranks[static_cast<std::size_t>(path.rank)].end_seconds) path.rank = static_cast<int>(r);
    double longest = -1;
    for (const auto* s : by_time(p)) {
        const auto& c = s->ranks[static_cast<std::size_t>(path.rank)];
        if (c.calls > 0 && c.call_seconds > longest) {
            longest = c.call_seconds;
            path.site = s;
        }
    }
    return path;
}

double total_time(const profile& p) {
    double end = 0;
    for (const auto& r : p.ranks) end = std::max(end, r.end_seconds);
    return end;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += fmt::format("\\{}", c);
        else if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
            out += c;
    }
    return out + '"';
}

std::string json_counts(const profile_counts& c) {
    return fmt::format(R"("calls": {}, "bytes_sent": {}, "bytes_received": {}, "call_seconds": {}, "compute_seconds": {})",
                       c.calls, c.bytes_sent, c.bytes_received, c.call_seconds, c.compute_seconds);
}

}  // namespace

std::string to_text(const profile& p, std::size_t top) {
    const auto ranks = per_rank(p);
    double in_calls = 0, computing = 0;
    for (const auto& r : p.ranks) {
        in_calls += r.call_seconds;
        computing += r.compute_seconds;
    }
    const double rank_time = in_calls + computing;
    std::string out = fmt::format("baton: profile of {} ranks on {}, time {}: total {} (when the last rank ended)\n",
                                  p.ranks.size(), p.backend == "mpi" ? "MPI" : "the simulator", p.time_source,
                                  duration(total_time(p)));
    out += fmt::format("  in calls {:.1f} % of rank-time, computing {:.1f} %; load imbalance {:.3f} (max / mean "
                       "compute time over ranks)\n",
                       rank_time > 0 ? 100 * in_calls / rank_time : 0.0, rank_time > 0 ? 100 * computing / rank_time : 0.0,
                       imbalance(p));

    const auto sites = by_time(p);
    const std::size_t shown = std::min(top, sites.size());
    std::size_t width = 4;
    for (std::size_t i = 0; i < shown; ++i) width = std::max(width, site_name(*sites[i]).size());
    std::size_t op_width = 9;
    for (std::size_t i = 0; i < shown; ++i) op_width = std::max(op_width, sites[i]->operation.size());
    out += fmt::format("  call sites by time in calls ({} of {}):\n", shown, sites.size());
    out += fmt::format("  {:<{}}  {:<{}}  {:>8}  {:>10}  {:>10}  {:>10}  {:>10}  {:>6}\n", "site", width, "operation",
                       op_width, "calls", "sent", "received", "in calls", "computing", "%time");
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = sites[i]->total();
        out += fmt::format("  {:<{}}  {:<{}}  {:>8}  {:>10}  {:>10}  {:>10}  {:>10}  {:>6.1f}\n", site_name(*sites[i]), width,
                           sites[i]->operation, op_width, c.calls, bytes(c.bytes_sent), bytes(c.bytes_received),
                           duration(c.call_seconds), duration(c.compute_seconds),
                           rank_time > 0 ? 100 * c.call_seconds / rank_time : 0.0);
    }

    constexpr std::size_t few_ranks = 8;
    if (ranks.size() <= few_ranks) {
        out += fmt::format("  {:>6}  {:>8}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}\n", "rank", "calls", "sent",
                           "received", "in calls", "computing", "end");
        for (std::size_t r = 0; r < ranks.size(); ++r) {
            const auto& f = ranks[r];
            out += fmt::format("  {:>6}  {:>8}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}\n", r, f.counts.calls,
                               bytes(f.counts.bytes_sent), bytes(f.counts.bytes_received),
                               duration(f.totals.call_seconds), duration(f.totals.compute_seconds),
                               duration(f.totals.end_seconds));
        }
    } else {
        // Over many ranks, one line per figure: its smallest, mean and largest value, with the ranks.
        out += fmt::format("  {:<10}  {:>10} {:>8}  {:>10}  {:>10} {:>8}\n", "per rank", "min", "(rank)", "mean", "max",
                           "(rank)");
        const auto line = [&](const char* name, auto value, auto show) {
            std::size_t low = 0, high = 0;
            double sum = 0;
            for (std::size_t r = 0; r < ranks.size(); ++r) {
                const double v = value(ranks[r]);
                sum += v;
                if (v < value(ranks[low])) low = r;
                if (v > value(ranks[high])) high = r;
            }
            out += fmt::format("  {:<10}  {:>10} {:>8}  {:>10}  {:>10} {:>8}\n", name, show(value(ranks[low])),
                               fmt::format("({})", low), show(sum / static_cast<double>(ranks.size())),
                               show(value(ranks[high])), fmt::format("({})", high));
        };
        const auto count = [](double v) { return fmt::format("{:.6g}", v); };
        const auto size = [](double v) { return bytes(static_cast<std::uint64_t>(std::llround(v))); };
        line("calls", [](const rank_figures& f) { return static_cast<double>(f.counts.calls); }, count);
        line("sent", [](const rank_figures& f) { return static_cast<double>(f.counts.bytes_sent); }, size);
        line("received", [](const rank_figures& f) { return static_cast<double>(f.counts.bytes_received); }, size);
        line("in calls", [](const rank_figures& f) { return f.totals.call_seconds; }, duration);
        line("computing", [](const rank_figures& f) { return f.totals.compute_seconds; }, duration);
        line("end", [](const rank_figures& f) { return f.totals.end_seconds; }, duration);
    }

    if (p.simulated && !p.ranks.empty()) {
        const auto path = critical(p);
        const auto& last = p.ranks[static_cast<std::size_t>(path.rank)];
        std::size_t with = 0, least = 0;
        for (std::size_t r = 0; r < p.ranks.size(); ++r) {
            if (static_cast<int>(r) != path.rank && p.ranks[r].end_seconds == last.end_seconds) ++with;
            if (p.ranks[r].call_seconds < p.ranks[least].call_seconds) least = r;
        }
        out += fmt::format("  critical path: rank {} finished last{}, at {} ({} in calls, {} computing)", path.rank,
                           with == 0 ? std::string() : fmt::format(" (with {} other{})", with, with == 1 ? "" : "s"),
                           duration(last.end_seconds), duration(last.call_seconds), duration(last.compute_seconds));
        if (path.site) {
            const auto& c = path.site->ranks[static_cast<std::size_t>(path.rank)];
            out += fmt::format("; it waited longest in {} at {} ({} in {} call{})", path.site->operation,
                               site_name(*path.site), duration(c.call_seconds), c.calls, c.calls == 1 ? "" : "s");
        }
        // The others' waiting is for the rank that waited least: its own work sets the pace.
        out += fmt::format("\n  rank {} waited least ({} in calls, {} computing): the others waited for it\n", least,
                           duration(p.ranks[least].call_seconds), duration(p.ranks[least].compute_seconds));
    }
    return out;
}

std::string to_json(const profile& p) {
    std::string out = fmt::format(R"({{"backend": {}, "time_source": {}, "simulated": {}, "ranks": {}, "total_seconds": {}, "load_imbalance": {})",
                                  json_string(p.backend), json_string(p.time_source), p.simulated, p.ranks.size(),
                                  total_time(p), imbalance(p));
    out += ",\n \"sites\": [";
    const auto sites = by_time(p);
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const auto& s = *sites[i];
        out += fmt::format("{}\n  {{\"file\": {}, \"line\": {}, \"operation\": {}, {}, \"ranks\": [", i ? "," : "",
                           json_string(s.file), s.line, json_string(s.operation), json_counts(s.total()));
        bool first = true;
        for (std::size_t r = 0; r < s.ranks.size(); ++r) {
            if (s.ranks[r].calls == 0 && s.ranks[r].bytes_sent == 0 && s.ranks[r].bytes_received == 0) continue;
            out += fmt::format("{}{{\"rank\": {}, {}}}", first ? "" : ", ", r, json_counts(s.ranks[r]));
            first = false;
        }
        out += "]}";
    }
    out += "],\n \"ranks\": [";
    for (std::size_t r = 0; r < p.ranks.size(); ++r)
        out += fmt::format(R"({}{{"rank": {}, "call_seconds": {}, "compute_seconds": {}, "end_seconds": {}}})",
                           r ? ",\n  " : "\n  ", r, p.ranks[r].call_seconds, p.ranks[r].compute_seconds,
                           p.ranks[r].end_seconds);
    out += "]";
    if (p.simulated && !p.ranks.empty()) {
        const auto path = critical(p);
        out += fmt::format(",\n \"critical_path\": {{\"rank\": {}, \"end_seconds\": {}", path.rank,
                           p.ranks[static_cast<std::size_t>(path.rank)].end_seconds);
        if (path.site)
            out += fmt::format(R"(, "longest_wait": {{"file": {}, "line": {}, "operation": {}, "call_seconds": {}}})",
                               json_string(path.site->file), path.site->line, json_string(path.site->operation),
                               path.site->ranks[static_cast<std::size_t>(path.rank)].call_seconds);
        out += "}";
    }
    return out + "}\n";
}

}  // namespace baton
