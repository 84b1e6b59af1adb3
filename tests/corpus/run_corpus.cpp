// Runs every program of the corpus at several schedules (--seeds random and PCT seeds, plus one
// round-robin and one systematic run), compares what the simulator finds with
// each program's label, and prints a table per category with precision and recall:
//
//   precision = findings of the labelled kind / all findings reported
//   recall    = runs of labelled programs in which their kind was found / runs of labelled programs
//
// It fails unless both are 1.0 and every run ended by itself. Each run happens in a child process
// with an alarm, so that a run the simulator cannot end (a hang) or a crash is reported as such
// instead of taking the whole test down.
//
//   corpus_run [--seeds N] [--timeout S] [--filter TEXT] [--verbose] [--in-process] [--part K/N]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "corpus.hpp"

namespace corpus {

std::vector<program>& registry() {
    static std::vector<program> programs;
    return programs;
}

namespace {

using baton::finding_kind;

struct reported {
    finding_kind kind;
    std::string summary;
};

// How one run ended.
struct outcome {
    std::vector<reported> findings;
    std::string abnormal;  // empty, or why the run did not end by itself: a timeout, a crash
};

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\t', ' ');
    return text;
}

// The run itself, in this process: one line per finding, "<kind number>\t<summary>".
std::string run_here(const program& p, const baton::sim::options& opts) {
    std::string lines;
    try {
        baton::sim::run_ranks(opts, p.body);
    } catch (const baton::check_failed& e) {
        for (const auto& f : e.findings())
            lines += fmt::format("{}\t{}\n", static_cast<int>(f.kind), one_line(f.summary));
    } catch (const std::exception& e) {
        lines += fmt::format("-1\tthe run threw {}\n", one_line(e.what()));
    } catch (...) {
        lines += "-1\tthe run threw something that is not a std::exception\n";
    }
    return lines;
}

outcome parse(const std::string& lines) {
    outcome result;
    std::size_t start = 0;
    while (start < lines.size()) {
        std::size_t end = lines.find('\n', start);
        if (end == std::string::npos) end = lines.size();
        const std::string line = lines.substr(start, end - start);
        start = end + 1;
        const std::size_t tab = line.find('\t');
        const int kind = std::atoi(line.substr(0, tab).c_str());
        const std::string summary = tab == std::string::npos ? "" : line.substr(tab + 1);
        if (kind < 0)
            result.abnormal = summary;
        else
            result.findings.push_back({static_cast<finding_kind>(kind), summary});
    }
    return result;
}

outcome run_in_child(const program& p, const baton::sim::options& opts, unsigned timeout_seconds) {
    std::fflush(stdout);
    std::fflush(stderr);
    int channel[2];
    if (::pipe(channel) != 0) return {{}, std::string("pipe failed: ") + std::strerror(errno)};
    const pid_t child = ::fork();
    if (child < 0) return {{}, std::string("fork failed: ") + std::strerror(errno)};
    if (child == 0) {
        ::close(channel[0]);
        ::alarm(timeout_seconds);
        const std::string lines = run_here(p, opts);
        std::string_view rest = lines;
        while (!rest.empty()) {
            const ssize_t written = ::write(channel[1], rest.data(), rest.size());
            if (written <= 0) break;
            rest.remove_prefix(static_cast<std::size_t>(written));
        }
        std::fflush(stdout);
        ::_exit(0);
    }
    ::close(channel[1]);
    std::string lines;
    char chunk[4096];
    for (;;) {
        const ssize_t got = ::read(channel[0], chunk, sizeof chunk);
        if (got > 0) lines.append(chunk, static_cast<std::size_t>(got));
        else if (got == 0 || errno != EINTR) break;
    }
    ::close(channel[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    outcome result = parse(lines);
    if (WIFSIGNALED(status)) {
        result.abnormal = WTERMSIG(status) == SIGALRM
                              ? fmt::format("timed out after {} s", timeout_seconds)
                              : fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        result.abnormal = fmt::format("the process exited with status {}", WEXITSTATUS(status));
    }
    return result;
}

// The options a program chose (the schedule and seed are the runner's).
std::string describe(const baton::sim::options& o) {
    std::string text = fmt::format("--ranks {} --sends {}", o.ranks, baton::sim::to_string(o.sends));
    if (o.sends == baton::sim::send_mode::eager) text += fmt::format(" --eager-limit {}", o.eager_limit);
    if (o.collectives == baton::sim::collective_mode::local) text += " --collectives local";
    return text;
}

std::string label_name(const std::optional<finding_kind>& label) {
    return label ? std::string(baton::to_string(*label)) : "correct";
}

struct tally {
    int cases = 0, runs = 0;
    int labelled_runs = 0, found_runs = 0;  // recall
    int findings = 0, true_findings = 0;    // precision
    int correct_runs = 0, clean_runs = 0;   // correct programs without any finding
    int abnormal = 0;

    void add(const tally& o) {
        cases += o.cases, runs += o.runs, labelled_runs += o.labelled_runs, found_runs += o.found_runs;
        findings += o.findings, true_findings += o.true_findings, correct_runs += o.correct_runs;
        clean_runs += o.clean_runs, abnormal += o.abnormal;
    }
    double precision() const { return findings == 0 ? 1.0 : static_cast<double>(true_findings) / findings; }
    double recall() const { return labelled_runs == 0 ? 1.0 : static_cast<double>(found_runs) / labelled_runs; }
};

void print_table(std::string_view title, const std::vector<std::pair<std::string, tally>>& rows, const tally& total) {
    fmt::print("\n{:<26} {:>5} {:>5} {:>9} {:>6} {:>9} {:>6} {:>8} {:>9} {:>7} {:>8} {:>6}\n", title, "cases", "runs",
               "labelled", "found", "findings", "true", "correct", "clean", "hung", "precis.", "recall");
    auto line = [](std::string_view name, const tally& t) {
        fmt::print("{:<26} {:>5} {:>5} {:>9} {:>6} {:>9} {:>6} {:>8} {:>9} {:>7} {:>8.3f} {:>6.3f}\n", name, t.cases,
                   t.runs, t.labelled_runs, t.found_runs, t.findings, t.true_findings, t.correct_runs, t.clean_runs,
                   t.abnormal, t.precision(), t.recall());
    };
    for (const auto& [name, t] : rows) line(name, t);
    fmt::print("{}\n", std::string(26 + 6 * 2 + 10 + 7 + 10 + 7 + 9 + 10 + 8 + 9 + 7 + 1, '-'));
    line("all", total);
}

int main_(int argc, char** argv) {
    int seeds = 4;
    unsigned timeout = 60;  // for a hang, not for speed: a loaded machine may be many times slower
    std::string filter;
    bool verbose = false, in_process = false;
    int part = 1, parts = 1;  // --part K/N: every Nth case from the Kth (meson runs the parts side by side)
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--seeds" && i + 1 < argc) seeds = std::atoi(argv[++i]);
        else if (arg == "--timeout" && i + 1 < argc) timeout = static_cast<unsigned>(std::atoi(argv[++i]));
        else if (arg == "--filter" && i + 1 < argc) filter = argv[++i];
        else if (arg == "--verbose") verbose = true;
        else if (arg == "--in-process") in_process = true;
        else if (arg == "--part" && i + 1 < argc && std::sscanf(argv[i + 1], "%d/%d", &part, &parts) == 2 && parts >= 1 &&
                 part >= 1 && part <= parts)
            ++i;
        else {
            fmt::print(stderr, "usage: {} [--seeds N] [--timeout S] [--filter TEXT] [--verbose] [--in-process] [--part K/N]\n", argv[0]);
            return 2;
        }
    }

    // Every program runs at `seeds` random schedules, `seeds` PCT schedules, once round-robin and
    // once systematic (wildcards matched only once every rank is blocked).
    std::vector<std::pair<baton::sim::schedule, std::uint64_t>> schedules;
    for (int s = 1; s <= seeds; ++s) schedules.push_back({baton::sim::schedule::random, static_cast<std::uint64_t>(s)});
    for (int s = 1; s <= seeds; ++s) schedules.push_back({baton::sim::schedule::pct, static_cast<std::uint64_t>(s)});
    schedules.push_back({baton::sim::schedule::round_robin, 1});
    schedules.push_back({baton::sim::schedule::systematic, 1});

    auto programs = registry();
    std::stable_sort(programs.begin(), programs.end(), [](const program& a, const program& b) {
        return std::string_view(a.file) != b.file ? std::string_view(a.file) < b.file : a.line < b.line;
    });

    std::map<std::string, tally> by_category, by_label;
    std::vector<std::string> category_order, label_order;
    std::set<std::pair<std::string, std::string>> distinct;  // programs, by file and name
    int failed_cases = 0;
    int case_index = 0;
    for (const auto& p : programs) {
        // Process ranks (BATON_CONTEXT=process) refuse --strict-buffers: it protects pages of the
        // engine's process, where their buffers are not (tests/core covers the refusal).
        if (p.options.strict_buffers && p.options.context == baton::sim::rank_context::process) continue;
        const std::string flags = describe(p.options);
        std::string_view file = p.file;
        while (file.starts_with("../")) file.remove_prefix(3);
        const std::string title = fmt::format("{} [{}] ({}:{})", p.name, flags, file, p.line);
        if (!filter.empty() && title.find(filter) == std::string::npos && p.category.find(filter) == std::string::npos)
            continue;
        if (case_index++ % parts != part - 1) continue;
        distinct.insert({p.file, p.name});
        if (!by_category.count(p.category)) category_order.push_back(p.category);
        const std::string label = label_name(p.label);
        if (!by_label.count(label)) label_order.push_back(label);

        tally t;
        t.cases = 1;
        std::vector<std::string> problems;
        for (const auto& [schedule, seed] : schedules) {
            baton::sim::options opts = p.options;
            opts.schedule = schedule;
            opts.seed = seed;
            const outcome got = in_process ? parse(run_here(p, opts)) : run_in_child(p, opts, timeout);
            ++t.runs;
            const std::string run_name = fmt::format("{} seed {}", baton::sim::to_string(schedule), seed);
            bool found = false;
            std::vector<std::string> unexpected;
            for (const auto& f : got.findings) {
                ++t.findings;
                if (p.label && f.kind == *p.label) {
                    ++t.true_findings;
                    found = true;
                } else {
                    unexpected.push_back(fmt::format("{}: {}", baton::to_string(f.kind), f.summary));
                }
            }
            if (p.label) {
                ++t.labelled_runs;
                if (found) ++t.found_runs;
            } else {
                ++t.correct_runs;
                if (got.findings.empty() && got.abnormal.empty()) ++t.clean_runs;
            }
            if (!got.abnormal.empty()) ++t.abnormal;
            const bool ok = got.abnormal.empty() && unexpected.empty() && (!p.label || found);
            if (verbose || !ok) {
                std::string text = fmt::format("    {}: {}", run_name, ok ? "ok" : "WRONG");
                if (!got.abnormal.empty()) text += fmt::format("; {}", got.abnormal);
                if (p.label && !found) text += fmt::format("; no {} finding", label);
                for (const auto& u : unexpected) text += fmt::format("\n      unexpected {}", u);
                if (verbose)
                    for (const auto& f : got.findings)
                        if (p.label && f.kind == *p.label) text += fmt::format("\n      {}: {}", baton::to_string(f.kind), f.summary);
                problems.push_back(std::move(text));
            }
            if (!got.abnormal.empty() && got.abnormal.starts_with("timed out")) {
                problems.push_back("    (the other schedules are skipped after a timeout)");
                break;
            }
        }
        const bool case_ok = t.abnormal == 0 && t.found_runs == t.labelled_runs && t.true_findings == t.findings;
        if (!case_ok) ++failed_cases;
        if (!case_ok || verbose) {
            fmt::print("{} {} [{}, labelled {}]\n", case_ok ? "ok  " : "FAIL", title, p.category, label);
            for (const auto& line : problems) fmt::print("{}\n", line);
        }
        by_category[p.category].add(t);
        by_label[label].add(t);
    }

    tally total;
    std::vector<std::pair<std::string, tally>> rows;
    for (const auto& c : category_order) {
        rows.push_back({c, by_category[c]});
        total.add(by_category[c]);
    }
    fmt::print("\ncases: registered runs of a program (a program may be registered in several modes); runs: cases x "
               "schedules;\nlabelled: runs of programs labelled with an error, found: those whose run gave that finding;\n"
               "findings: all findings reported, true: those of the kind the program is labelled with;\ncorrect: runs of "
               "correct programs, clean: those without any finding; hung: runs that timed out or crashed.\n");
    print_table("category", rows, total);
    rows.clear();
    for (const auto& l : label_order) rows.push_back({l, by_label[l]});
    print_table("label", rows, total);

    if (parts > 1) fmt::print("\npart {} of {} of the cases:", part, parts);
    fmt::print("\n{} programs in {} cases, {} runs ({} schedules each): precision {:.3f} ({} of {} findings true), recall {:.3f} "
               "({} of {} labelled runs found), {} runs hung or crashed, {} cases wrong\n",
               distinct.size(), total.cases, total.runs, schedules.size(), total.precision(), total.true_findings, total.findings,
               total.recall(), total.found_runs, total.labelled_runs, total.abnormal, failed_cases);
    const bool pass = total.precision() == 1.0 && total.recall() == 1.0 && total.abnormal == 0 && failed_cases == 0 &&
                      total.cases > 0;
    fmt::print("{}\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}

}  // namespace
}  // namespace corpus

int main(int argc, char** argv) { return corpus::main_(argc, argv); }
