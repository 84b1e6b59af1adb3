// <baton/trace.hpp>: the event log of a simulated run (options::record) as Chrome trace-event JSON
// (--trace) and as a text timeline (--timeline).
#include <baton/trace.hpp>

#include <baton/status.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace baton::sim {

namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

// The log's events in step order (stable: events of one step keep their log order).
std::vector<std::size_t> in_step_order(const std::vector<event>& events) {
    std::vector<std::size_t> order(events.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return events[a].step < events[b].step; });
    return order;
}

// The two events of a message: the send, logged when it starts, and the receive, logged when it
// completes (later, or in the same step after the send). Message ids count per communicator.
struct message_ends {
    std::size_t send = none;
    std::size_t receive = none;
};

std::vector<message_ends> pair_messages(const std::vector<event>& events, const std::vector<std::size_t>& order) {
    std::map<std::pair<std::string_view, std::uint64_t>, std::size_t> index;  // (comm, id) -> messages[]
    std::vector<message_ends> messages;
    for (const std::size_t i : order) {
        const event& e = events[i];
        if (e.message == 0) continue;
        const auto [it, added] = index.try_emplace({e.comm, e.message}, messages.size());
        if (added) {
            messages.push_back({i, none});
        } else if (messages[it->second].receive == none) {
            messages[it->second].receive = i;
        }
    }
    return messages;
}

// What an event's rank did with its peer, for the timeline.
enum class direction { out, in, root, none };

std::vector<direction> directions(const std::vector<event>& events, const std::vector<message_ends>& messages) {
    std::vector<direction> out(events.size(), direction::none);
    for (const auto& m : messages) {
        out[m.send] = direction::out;
        if (m.receive != none) out[m.receive] = direction::in;
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
        const event& e = events[i];
        if (e.message != 0) continue;
        // Not a message (a collective, or a receive that matched nothing): guess from the name.
        if (e.operation.find("recv") != std::string::npos) out[i] = direction::in;
        else if (e.operation.find("send") != std::string::npos) out[i] = direction::out;
        else if (e.peer >= 0) out[i] = direction::root;
    }
    return out;
}

// Where an event's slice lies, in nanoseconds: step s is [10000 s, 10000 (s + 1)); its n events
// share it in log order, each taking 80% of its part, so a rank's slices never overlap.
struct slot {
    std::uint64_t start = 0;
    std::uint64_t duration = 0;
};

constexpr std::uint64_t step_ns = 10000;
constexpr std::uint64_t busy_ns = 8000;

std::vector<slot> layout(const std::vector<event>& events, const std::vector<std::size_t>& order) {
    std::vector<slot> slots(events.size());
    for (std::size_t first = 0; first < order.size();) {
        const std::uint64_t step = events[order[first]].step;
        std::size_t last = first;
        while (last < order.size() && events[order[last]].step == step) ++last;
        const std::uint64_t n = last - first;
        for (std::size_t k = 0; k < n; ++k)
            slots[order[first + k]] = {step * step_ns + step_ns * k / n, busy_ns / n};
        first = last;
    }
    return slots;
}

// With simulated time (every event has its clock's times, options::network): where a rank's
// slice lies is where its clock says, in picoseconds.
bool simulated(const std::vector<event>& events) {
    return !events.empty() && std::all_of(events.begin(), events.end(), [](const event& e) { return e.sim_start >= 0; });
}

std::vector<slot> clock_layout(const std::vector<event>& events) {
    std::vector<slot> slots(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto start = static_cast<std::uint64_t>(events[i].sim_start);
        const auto end = static_cast<std::uint64_t>(std::max(events[i].sim_end, events[i].sim_start));
        slots[i] = {start, end - start};
    }
    return slots;
}

// Microseconds, the format's unit, from the layout's unit (ns by steps, ps in simulated time):
// an integer when exact, else a fraction.
nlohmann::json to_microseconds(std::uint64_t t, std::uint64_t per_us) {
    if (t % per_us == 0) return t / per_us;
    return static_cast<double>(t) / static_cast<double>(per_us);
}

constexpr int pid = 1;
int tid(int rank) { return rank + 1; }

// The other side of a call that has no rank there.
std::string nobody(int peer) { return peer == proc_null ? "proc_null" : "none"; }

}  // namespace

std::string to_chrome_trace(const std::vector<event>& events) {
    using nlohmann::json;
    const auto order = in_step_order(events);
    const auto messages = pair_messages(events, order);
    const bool timed = simulated(events);
    const auto slots = timed ? clock_layout(events) : layout(events, order);
    const std::uint64_t per_us = timed ? 1'000'000 : 1000;
    const auto microseconds = [&](std::uint64_t t) { return to_microseconds(t, per_us); };

    json trace = json::array();
    trace.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", 0}, {"args", {{"name", "baton"}}}});
    std::set<int> ranks;
    for (const event& e : events) ranks.insert(e.rank);
    for (const int rank : ranks) {
        trace.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid(rank)},
                         {"args", {{"name", fmt::format("rank {}", rank)}}}});
        trace.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", tid(rank)},
                         {"args", {{"sort_index", rank}}}});
    }

    for (const std::size_t i : order) {
        const event& e = events[i];
        json args = {{"peer", e.peer},   {"tag", e.tag},           {"bytes", e.bytes},
                     {"comm", e.comm},   {"location", e.location}, {"step", e.step}};
        if (e.message != 0) args["message"] = e.message;
        // What the rank computed since its previous event, just before this one (its clock
        // counted it there, or earlier: between calls the log does not keep, such as waits).
        if (timed && e.sim_computed > 0) {
            const auto computed = static_cast<std::uint64_t>(e.sim_computed);
            trace.push_back({{"ph", "X"}, {"name", "compute"}, {"cat", "compute"}, {"pid", pid}, {"tid", tid(e.rank)},
                             {"ts", microseconds(slots[i].start - std::min(computed, slots[i].start))},
                             {"dur", microseconds(std::min(computed, slots[i].start))}});
        }
        trace.push_back({{"ph", "X"}, {"name", e.operation}, {"cat", "baton"}, {"pid", pid}, {"tid", tid(e.rank)},
                         {"ts", microseconds(slots[i].start)}, {"dur", microseconds(slots[i].duration)},
                         {"args", std::move(args)}});
    }

    // The arrows, each end in the middle of its slice (a flow binds to the slice that encloses it).
    std::uint64_t flow = 0;
    for (const auto& m : messages) {
        if (m.receive == none) continue;  // never received: no arrow
        ++flow;
        const auto middle = [&](std::size_t i) { return microseconds(slots[i].start + slots[i].duration / 2); };
        trace.push_back({{"ph", "s"}, {"name", "message"}, {"cat", "message"}, {"id", flow}, {"pid", pid},
                         {"tid", tid(events[m.send].rank)}, {"ts", middle(m.send)}});
        trace.push_back({{"ph", "f"}, {"bp", "e"}, {"name", "message"}, {"cat", "message"}, {"id", flow},
                         {"pid", pid}, {"tid", tid(events[m.receive].rank)}, {"ts", middle(m.receive)}});
    }

    // One event a line: compact, and still readable and diffable.
    std::string out = "{\"traceEvents\": [\n";
    for (std::size_t i = 0; i < trace.size(); ++i) {
        out += trace[i].dump();
        out += i + 1 < trace.size() ? ",\n" : "\n";
    }
    out += "]}\n";
    return out;
}

std::string to_timeline(const std::vector<event>& events) {
    const auto order = in_step_order(events);
    const auto dirs = directions(events, pair_messages(events, order));

    enum column { step, rank, operation, peer, tag, bytes, comm, location, columns };
    std::vector<std::array<std::string, columns>> rows;
    rows.reserve(events.size());
    for (const std::size_t i : order) {
        const event& e = events[i];
        std::string other;
        switch (dirs[i]) {
            case direction::out: other = e.peer >= 0 ? fmt::format("-> rank {}", e.peer) : "-> " + nobody(e.peer); break;
            case direction::in: other = e.peer >= 0 ? fmt::format("<- rank {}", e.peer) : "<- " + nobody(e.peer); break;
            case direction::root: other = fmt::format("root {}", e.peer); break;
            case direction::none: break;
        }
        rows.push_back({std::to_string(e.step), fmt::format("rank {}", e.rank), e.operation, std::move(other),
                        e.tag >= 0 ? fmt::format("tag {}", e.tag) : std::string(), fmt::format("{} B", e.bytes),
                        e.comm, e.location});
    }

    std::array<std::size_t, columns> width{};
    width[step] = 4;
    for (const auto& row : rows)
        for (std::size_t c = 0; c < columns; ++c) width[c] = std::max(width[c], row[c].size());

    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < columns; ++c) {
            if (width[c] == 0) continue;  // a column nobody uses (no tags in the log, say)
            if (!line.empty()) line += "  ";
            const bool right = c == step || c == bytes;
            const std::string pad(width[c] - row[c].size(), ' ');
            line += right ? pad + row[c] : row[c] + (c + 1 < columns ? pad : std::string());
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line;
        out += '\n';
    }
    return out;
}

}  // namespace baton::sim
