// Collecting --profile's figures while ranks run (profile.hpp). Made only when --profile is on:
// with it off the backends never call here, so a call costs nothing more than a null test.
#include <baton/profile.hpp>

#include <charconv>
#include <functional>

#include <fmt/format.h>

namespace baton {

profile_counts& profile_counts::operator+=(const profile_counts& other) {
    calls += other.calls;
    bytes_sent += other.bytes_sent;
    bytes_received += other.bytes_received;
    call_seconds += other.call_seconds;
    compute_seconds += other.compute_seconds;
    return *this;
}

profile_counts profile_site::total() const {
    profile_counts sum;
    for (const auto& r : ranks) sum += r;
    return sum;
}

namespace detail {

namespace {

std::string shown_file(const char* file) {
    std::string_view name = file;
    while (name.starts_with("../")) name.remove_prefix(3);
    return std::string(name);
}

}  // namespace

std::size_t profile_recorder::key_hash::operator()(const site_key& k) const noexcept {
    return std::hash<const void*>{}(k.file) ^ (std::hash<const void*>{}(k.operation) << 1) ^
           (std::size_t{k.line} * 0x9e3779b97f4a7c15ull);
}

profile_recorder::profile_recorder(int ranks) : ranks_(static_cast<std::size_t>(ranks)) {}

std::size_t profile_recorder::at(int rank, const char* operation, const std::source_location& where,
                                  site_cache& cache) {
    const site_key key{where.file_name(), where.line(), operation};
    if (key == cache.key) return cache.index;  // a loop calls the same line again
    auto [found, added] = index_.try_emplace(key, keys_.size());
    if (added) keys_.push_back(key);
    auto& sites = ranks_[static_cast<std::size_t>(rank)].sites;
    if (sites.size() <= found->second) sites.resize(found->second + 1);
    cache = {key, found->second};
    return found->second;
}

void profile_recorder::began(int rank, const char* operation, const std::source_location& where, double now) {
    auto& state = ranks_[static_cast<std::size_t>(rank)];
    state.current = at(rank, operation, where, state.last_call);
    profile_counts& site = state.sites[state.current];
    const double computed = now > state.last_left ? now - state.last_left : 0;
    ++site.calls;
    site.compute_seconds += computed;
    state.totals.compute_seconds += computed;
    state.since = now;
    state.inside = true;
}

void profile_recorder::ended(int rank, double now) {
    auto& state = ranks_[static_cast<std::size_t>(rank)];
    if (!state.inside) return;
    state.inside = false;
    const double inside = now > state.since ? now - state.since : 0;
    state.sites[state.current].call_seconds += inside;
    state.totals.call_seconds += inside;
    state.last_left = now;
}

void profile_recorder::moved(int rank, const char* operation, const std::source_location& where, std::size_t sent,
                             std::size_t received) {
    auto& state = ranks_[static_cast<std::size_t>(rank)];
    profile_counts& site = state.sites[at(rank, operation, where, state.last_bytes)];
    site.bytes_sent += sent;
    site.bytes_received += received;
}

void profile_recorder::finished(int rank, double now) {
    auto& state = ranks_[static_cast<std::size_t>(rank)];
    if (now > state.last_left) state.totals.compute_seconds += now - state.last_left;
    state.totals.end_seconds = now;
}

profile profile_recorder::result(std::string backend, std::string time_source, bool simulated) const {
    profile p{std::move(backend), std::move(time_source), simulated, {}, {}};
    // The same line may have several literals for its file (one per translation unit that
    // inlines it): one site by name.
    std::unordered_map<std::string, std::size_t> by_name;
    std::vector<std::size_t> merged(keys_.size());
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        const auto& k = keys_[i];
        std::string file = shown_file(k.file);
        const std::string name = fmt::format("{}:{}:{}", file, k.line, k.operation);
        auto [found, added] = by_name.try_emplace(name, p.sites.size());
        if (added)
            p.sites.push_back({std::move(file), k.line, k.operation, std::vector<profile_counts>(ranks_.size())});
        merged[i] = found->second;
    }
    p.ranks.reserve(ranks_.size());
    for (std::size_t r = 0; r < ranks_.size(); ++r) {
        const auto& state = ranks_[r];
        for (std::size_t i = 0; i < state.sites.size(); ++i) p.sites[merged[i]].ranks[r] += state.sites[i];
        p.ranks.push_back(state.totals);
    }
    return p;
}

// ---- MPI's gathering: one line per site the rank called, then its totals -----------------------

std::string profile_lines(const profile& p, int rank) {
    const auto r = static_cast<std::size_t>(rank);
    std::string out;
    for (const auto& site : p.sites) {
        const auto& c = site.ranks[r];
        if (c.calls == 0 && c.bytes_sent == 0 && c.bytes_received == 0) continue;
        out += fmt::format("s\t{}\t{}\t{}\t{}\t{}\t{}\t{:a}\t{:a}\n", site.file, site.line, site.operation, c.calls,
                           c.bytes_sent, c.bytes_received, c.call_seconds, c.compute_seconds);
    }
    const auto& t = p.ranks[r];
    out += fmt::format("r\t{:a}\t{:a}\t{:a}\n", t.call_seconds, t.compute_seconds, t.end_seconds);
    return out;
}

namespace {

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        const std::size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return out;
        start = tab + 1;
    }
}

template <class T>
T number(std::string_view text) {
    T value{};
    if constexpr (std::is_floating_point_v<T>)
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::hex);
    else
        std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

// "{:a}" writes "0x1.8p+1": from_chars' hex format wants it without the "0x".
double hex_double(std::string_view text) {
    if (text.starts_with("0x")) text.remove_prefix(2);
    if (text.starts_with("-0x")) return -hex_double(text.substr(1));
    return number<double>(text);
}

}  // namespace

void add_profile_lines(profile& p, int rank, std::string_view lines) {
    const auto r = static_cast<std::size_t>(rank);
    while (!lines.empty()) {
        const std::size_t end = lines.find('\n');
        const std::string_view line = lines.substr(0, end);
        lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
        const auto f = fields(line);
        if (f.size() == 9 && f[0] == "s") {
            const auto line_number = number<unsigned>(f[2]);
            profile_site* site = nullptr;
            for (auto& s : p.sites)
                if (s.file == f[1] && s.line == line_number && s.operation == f[3]) site = &s;
            if (!site) {
                p.sites.push_back({std::string(f[1]), line_number, std::string(f[3]), {}});
                site = &p.sites.back();
            }
            site->ranks.resize(p.ranks.size());
            site->ranks[r] += {number<std::uint64_t>(f[4]), number<std::uint64_t>(f[5]), number<std::uint64_t>(f[6]),
                               hex_double(f[7]), hex_double(f[8])};
        } else if (f.size() == 4 && f[0] == "r") {
            p.ranks[r] = {hex_double(f[1]), hex_double(f[2]), hex_double(f[3])};
        }
    }
}

}  // namespace detail

}  // namespace baton
