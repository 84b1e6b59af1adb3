#include "rank_output.hpp"

#include <algorithm>
#include <iostream>
#include <string_view>

#include <fmt/format.h>
#include <unistd.h>

namespace baton::sim::detail {

std::atomic<rank_output*> rank_output::active_{nullptr};

namespace {

void flush_standard_output() {
    std::cout.flush();
    std::fflush(stdout);
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        lines.push_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

// The first line where `a` and `b` differ (counting from 0), as far as the shorter goes, or the
// length of the shorter when one ends first; nothing when they are the same.
std::optional<std::size_t> first_difference(const std::vector<std::string_view>& a,
                                            const std::vector<std::string_view>& b) {
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i)
        if (a[i] != b[i]) return i;
    if (a.size() == b.size()) return std::nullopt;
    return common;
}

// Line `i` as a report shows it: cut if long, or what is there instead when the output ended.
std::string shown_line(const std::vector<std::string_view>& lines, std::size_t i) {
    if (i >= lines.size()) return fmt::format("(none: {} line{} in all)", lines.size(), lines.size() == 1 ? "" : "s");
    constexpr std::size_t longest = 200;
    const std::string_view line = lines[i];
    return line.size() <= longest ? std::string(line) : std::string(line.substr(0, longest)) + "...";
}

std::string writer_name(int rank) { return rank < 0 ? "outside the ranks" : fmt::format("rank {}", rank); }

}  // namespace

std::string printed::of(int rank) const {
    std::string mine;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].second != rank) continue;
        const std::size_t end = i + 1 < parts.size() ? parts[i + 1].first : text.size();
        mine.append(text, parts[i].first, end - parts[i].first);
    }
    return mine;
}

int printed::writer_at(std::size_t offset) const {
    int writer = -1;
    for (const auto& [start, rank] : parts)
        if (start <= offset) writer = rank;
    return writer;
}

std::optional<output_difference> compare(const printed& first, const printed& now, int ranks, bool interleaving) {
    if (interleaving) {
        const auto a = lines_of(first.text), b = lines_of(now.text);
        const auto line = first_difference(a, b);
        if (!line) return std::nullopt;
        // Who printed the line in each: the writer of its first byte.
        auto writer = [&](const printed& p, const std::vector<std::string_view>& lines) {
            if (*line >= lines.size()) return std::string("nobody");
            return writer_name(p.writer_at(static_cast<std::size_t>(lines[*line].data() - p.text.data())));
        };
        return output_difference{
            fmt::format("the output depends on the schedule: line {} of the output differs from the first "
                        "execution's (compared as one stream, --deterministic=interleaving)",
                        *line + 1),
            {fmt::format("first execution, line {} ({}): {}", *line + 1, writer(first, a), shown_line(a, *line)),
             fmt::format("this execution, line {} ({}): {}", *line + 1, writer(now, b), shown_line(b, *line))}};
    }
    for (int rank = 0; rank <= ranks; ++rank) {
        const int writer = rank < ranks ? rank : -1;  // the ranks, then what was printed outside them
        const std::string mine_then = first.of(writer), mine_now = now.of(writer);
        if (mine_then == mine_now) continue;
        const auto a = lines_of(mine_then), b = lines_of(mine_now);
        const std::size_t line = first_difference(a, b).value_or(std::min(a.size(), b.size()));
        const std::string whose = writer < 0 ? "the output outside the ranks" : fmt::format("rank {}'s output", writer);
        const std::string which = writer < 0 ? fmt::format("line {} outside the ranks", line + 1)
                                             : fmt::format("rank {}'s line {}", writer, line + 1);
        return output_difference{
            fmt::format("the output depends on the schedule: {} differs from the first execution's at its line {}",
                        whose, line + 1),
            {fmt::format("first execution, {}: {}", which, shown_line(a, line)),
             fmt::format("this execution, {}: {}", which, shown_line(b, line))}};
    }
    return std::nullopt;
}

rank_output::rank_output() {
    flush_standard_output();
    saved_ = ::dup(STDOUT_FILENO);
    file_ = std::tmpfile();
    if (file_) ::dup2(::fileno(file_), STDOUT_FILENO);
}

rank_output::~rank_output() {
    if (active_.load(std::memory_order_relaxed) == this) active_.store(nullptr, std::memory_order_relaxed);
    flush_standard_output();
    if (saved_ >= 0) {
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
    }
    if (file_) std::fclose(file_);
}

void rank_output::begin(const engine& run) {
    flush_standard_output();
    if (file_) {
        (void)::ftruncate(::fileno(file_), 0);
        ::lseek(STDOUT_FILENO, 0, SEEK_SET);
    }
    parts_.assign(1, {0, -1});
    writer_ = -1;
    run_ = &run;
    active_.store(this, std::memory_order_relaxed);
}

void rank_output::mark(int rank) {
    if (rank == writer_) return;
    flush_standard_output();
    const off_t offset = ::lseek(STDOUT_FILENO, 0, SEEK_CUR);
    if (offset < 0) return;
    if (parts_.back().first == static_cast<std::size_t>(offset))
        parts_.back().second = rank;  // the previous writer wrote nothing
    else
        parts_.emplace_back(static_cast<std::size_t>(offset), rank);
    writer_ = rank;
}

void rank_output::running(const engine* run, int rank) {
    rank_output* watching = active_.load(std::memory_order_relaxed);
    if (watching && watching->run_ == run) watching->mark(rank);
}

printed rank_output::take() {
    mark(-1);
    active_.store(nullptr, std::memory_order_relaxed);
    run_ = nullptr;
    printed result;
    result.parts = std::move(parts_);
    parts_.clear();
    if (file_) {
        char block[4096];
        off_t at = 0;
        for (ssize_t n; (n = ::pread(::fileno(file_), block, sizeof block, at)) > 0; at += n)
            result.text.append(block, static_cast<std::size_t>(n));
    }
    return result;
}

}  // namespace baton::sim::detail
