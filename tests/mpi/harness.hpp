// What the MPI test programs share: running a rank function on the backend the program was
// started on (MPI under mpiexec) and on the simulator with the same number of ranks, and
// comparing what every rank returned.
//
// Each rank function returns a text: what that rank saw (values, statuses, which exceptions it
// caught). Each MPI process runs the simulator itself and compares its own rank's text, so the
// comparison does not depend on the MPI backend being right.
#pragma once

#include <complex>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <baton/baton.hpp>

namespace harness {

// A rank's record of what it saw, one line per entry.
class record {
public:
    template <class... Args>
    void operator()(fmt::format_string<Args...> format, Args&&... args) {
        text_ += fmt::format(format, std::forward<Args>(args)...);
        text_ += '\n';
    }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

// Values as text, exactly (doubles in their shortest round-trip form).
inline std::string text(bool v) { return v ? "true" : "false"; }
inline std::string text(char v) { return fmt::format("'{}'", static_cast<int>(v)); }
inline std::string text(signed char v) { return fmt::format("{}", static_cast<int>(v)); }
inline std::string text(unsigned char v) { return fmt::format("{}", static_cast<int>(v)); }
// Zeros print without their sign: MPI may combine a predefined reduction's contributions in
// another order than the simulator's rank order, which can flip the sign of a zero result (the
// README's "what differs"); the values themselves are exact in these tests.
template <class T>
    requires std::is_arithmetic_v<T>
std::string text(T v) {
    if constexpr (std::is_floating_point_v<T>)
        if (v == 0) v = 0;
    return fmt::format("{}", v);
}
template <class T>
std::string text(const std::complex<T>& v) {
    return fmt::format("({},{})", text(v.real()), text(v.imag()));
}
inline std::string text(const std::string& v) { return fmt::format("\"{}\"", v); }
template <class T>
std::string text(const baton::value_index<T>& v) {
    return fmt::format("{}@{}", text(v.value), v.index);
}
template <class K, class V>
std::string text(const std::pair<const K, V>& kv);
template <class R>
    requires(std::ranges::range<R> && !std::is_same_v<R, std::string>)
std::string text(const R& range);

template <class R>
    requires(std::ranges::range<R> && !std::is_same_v<R, std::string>)
std::string text(const R& range) {
    std::string out = "[";
    bool first = true;
    for (const auto& e : range) {
        out += (first ? "" : " ") + text(e);
        first = false;
    }
    return out + "]";
}
template <class K, class V>
std::string text(const std::pair<const K, V>& kv) {
    return text(kv.first) + ":" + text(kv.second);
}
inline std::string text(const baton::status& s) { return fmt::format("status(source={}, tag={}, bytes={})", s.source, s.tag, s.bytes); }

// Which of baton's exceptions `e` is, most derived first.
inline std::string kind_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const baton::truncation_error&) {
        return "truncation_error";
    } catch (const baton::type_mismatch_error&) {
        return "type_mismatch_error";
    } catch (const baton::usage_error&) {
        return "usage_error";
    } catch (const baton::error&) {
        return "baton::error";
    } catch (const std::exception&) {
        return "std::exception";
    } catch (...) {
        return "unknown exception";
    }
}

// Runs `f` and says which exception it threw ("none" if it did not).
template <class F>
std::string thrown_by(F&& f) {
    try {
        f();
    } catch (...) {
        return kind_of(std::current_exception());
    }
    return "none";
}

// True when this process runs on MPI (started by mpiexec): then the comparison is MPI against the
// simulator; started plainly, it is the simulator against itself with another schedule.
inline bool on_mpi() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(variable)) return true;
    return false;
}

// What every rank returned on the simulator.
template <class F>
std::vector<std::string> on_simulator(int ranks, std::uint64_t seed, F&& f) {
    try {
        return baton::sim::run({.ranks = ranks, .seed = seed},
                               [&](baton::communicator& world) { return f(world); })
            .values;
    } catch (const std::exception& e) {
        return std::vector<std::string>(static_cast<std::size_t>(ranks),
                                        std::string("the simulator's run failed: ") + e.what());
    }
}

// The first line where two records differ, for reports.
inline std::string first_difference(const std::string& a, const std::string& b) {
    std::size_t line = 1, start = 0;
    while (true) {
        const std::size_t end_a = a.find('\n', start), end_b = b.find('\n', start);
        const std::string la = a.substr(start, end_a == std::string::npos ? std::string::npos : end_a - start);
        const std::string lb = b.substr(start, end_b == std::string::npos ? std::string::npos : end_b - start);
        if (la != lb || end_a != end_b)
            return fmt::format("line {}:\n      here:      {}\n      simulator: {}", line, la, lb);
        if (end_a == std::string::npos) return "(equal)";
        start = end_a + 1;
        ++line;
    }
}

}  // namespace harness
