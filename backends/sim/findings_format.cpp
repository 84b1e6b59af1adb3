// <baton/findings.hpp>: the simulator's findings as text, as JSON (--report-json) and as a Graphviz
// wait-for graph (--report-dot), and check_failed, which carries them out of a run. Only the
// simulator makes findings, so their formats live with it.
#include <baton/errors.hpp>
#include <baton/findings.hpp>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace baton {

namespace {

std::string join_ranks(const std::vector<int>& ranks, const std::vector<int>& finished) {
    std::string text;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        const bool done = std::find(finished.begin(), finished.end(), ranks[i]) != finished.end();
        text += fmt::format("{}{}{}", i ? ", " : "", ranks[i], done ? " (finished)" : "");
    }
    return text;
}

std::string all_texts(const std::vector<finding>& findings) {
    std::string text;
    for (const auto& f : findings) text += (text.empty() ? "" : "\n") + f.text();
    return text;
}

}  // namespace

std::string_view to_string(finding_kind kind) {
    static constexpr std::string_view names[] = {
        "deadlock", "potential-deadlock", "collective-mismatch", "type-mismatch", "truncation",
        "invalid-argument", "request-leak", "unreceived-message", "send-buffer-modified",
        "receive-buffer-modified", "rank-failure", "schedule-dependence", "nondeterminism",
        "ready-send-without-receive"};
    return names[static_cast<int>(kind)];
}

std::string finding::text() const {
    std::string text = summary + '\n';
    for (const auto& call : calls) {
        if (call.call.empty()) continue;  // nothing to say beyond the summary
        text += fmt::format("  rank {}", call.rank);
        if (!call.in_comm.empty()) text += " (" + call.in_comm + ')';
        text += ": " + call.call;
        if (!call.location.empty()) text += " at " + call.location;
        if (!call.waits_for.empty())
            text += fmt::format(", waiting for rank{} {}", call.waits_for.size() == 1 ? "" : "s",
                                join_ranks(call.waits_for, finished));
        text += '\n';
        for (const auto& before : call.recent) text += "      after " + before + '\n';
    }
    if (!finished.empty())
        text += fmt::format("  finished: rank{} {}\n", finished.size() == 1 ? "" : "s", join_ranks(finished, {}));
    if (!cycle.empty()) {
        text += "  cycle: ";
        for (std::size_t i = 0; i < cycle.size(); ++i) text += fmt::format("{}rank {}", i ? " -> " : "", cycle[i]);
        text += '\n';
    }
    for (const auto& note : notes) text += "  " + note + '\n';
    if (!replay.empty()) text += "  replay: " + replay + '\n';
    text.pop_back();
    return text;
}

// The --report-json document: {"schema": "baton-findings", "version": 2, "findings": [...]}.
// docs/report-schema.md documents every field and says what changes bump the version. Keys are
// kept in this order (ordered_json) so that the file reads top down.
std::string to_json(const std::vector<finding>& findings) {
    using json = nlohmann::ordered_json;
    auto all = json::array();
    for (const auto& f : findings) {
        auto calls = json::array();
        for (const auto& c : f.calls)
            calls.push_back({{"rank", c.rank}, {"call", c.call}, {"location", c.location}, {"waits_for", c.waits_for},
                             {"recent", c.recent}});
        all.push_back({{"kind", to_string(f.kind)},
                       {"summary", f.summary},
                       {"calls", calls},
                       {"cycle", f.cycle},
                       {"finished", f.finished},
                       {"notes", f.notes},
                       {"replay", f.replay}});
    }
    return json{{"schema", "baton-findings"}, {"version", 2}, {"findings", all}}.dump(2);
}

std::string to_dot(const finding& deadlock) {
    auto quoted = [](const std::string& s) { return nlohmann::json(s).dump(); };  // escapes like DOT wants
    auto on_cycle = [&](int from, int to) {
        for (std::size_t i = 0; i + 1 < deadlock.cycle.size(); ++i)
            if (deadlock.cycle[i] == from && deadlock.cycle[i + 1] == to) return true;
        return false;
    };
    std::string dot = "digraph waits_for {\n  node [shape=box, fontname=monospace];\n";
    dot += "  label=" + quoted(deadlock.summary) + ";\n";
    for (const auto& call : deadlock.calls)
        dot += fmt::format("  r{} [label={}];\n", call.rank,
                           quoted(fmt::format("rank {}{}\n{}\n{}", call.rank,
                                              call.in_comm.empty() ? "" : " (" + call.in_comm + ')', call.call,
                                              call.location)));
    for (int r : deadlock.finished) dot += fmt::format("  r{} [label=\"rank {}\\nfinished\", style=dashed];\n", r, r);
    for (const auto& call : deadlock.calls)
        for (int to : call.waits_for)
            dot += fmt::format("  r{} -> r{}{};\n", call.rank, to, on_cycle(call.rank, to) ? " [color=red, penwidth=2]" : "");
    return dot + "}\n";
}

check_failed::check_failed(std::vector<finding> findings) : error(all_texts(findings)), findings_(std::move(findings)) {}

}  // namespace baton
