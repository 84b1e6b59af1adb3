// Shared by the operations suite: the simulator configurations every operation is tried on.
//
// A test picks its configurations with Catch2's GENERATE, so each one is a separate run of the
// test case, and OPS_DESCRIBE names the run that failed as the flags that replay it.
//
// Checks are made on what the ranks return, after the run: on process ranks (BATON_CONTEXT=process)
// a CHECK inside a rank would be recorded in the rank's own process and lost. Inside a rank only
// REQUIRE is used, whose failure ends the rank with an exception that travels back. (Catch2 is not
// thread-safe, but the simulator runs exactly one rank at a time and hands over between them
// through semaphores, which order every access.) What the ranks return and how it travels back
// from process ranks: process_results.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../core/findings_of.hpp"
#include "catch2_compat.hpp"
#include "process_results.hpp"

#include <baton/baton.hpp>

namespace ops {

// The rank counts every operation is tried on: the trivial world, even and odd sizes, a prime
// that is not a power of two, and a larger world.
inline const std::vector<int> rank_counts{1, 2, 3, 4, 7, 16};

// Seeds of the random schedule. Round-robin takes no seed, so it is tried once per rank count.
inline const std::vector<std::uint64_t> seeds{1, 2, 42};

// Every rank count under each schedule (several seeds of the random one), in the given send modes.
inline std::vector<baton::sim::options> configurations(
    std::initializer_list<baton::sim::send_mode> modes = {baton::sim::send_mode::buffered,
                                                          baton::sim::send_mode::synchronous},
    const std::vector<int>& ranks = rank_counts) {
    std::vector<baton::sim::options> all;
    for (const int n : ranks)
        for (const auto mode : modes) {
            for (const std::uint64_t seed : seeds)
                all.push_back({.ranks = n, .seed = seed, .schedule = baton::sim::schedule::random, .sends = mode});
            all.push_back({.ranks = n, .seed = 1, .schedule = baton::sim::schedule::round_robin, .sends = mode});
        }
    return all;
}

// Collectives do not send point-to-point messages, so the send mode does not change them.
inline std::vector<baton::sim::options> collective_configurations(const std::vector<int>& ranks = rank_counts) {
    return configurations({baton::sim::send_mode::buffered}, ranks);
}

// The rank_failed a run ended with, or nothing if it ended otherwise (other exceptions pass).
template <class F>
std::optional<baton::rank_failed> rank_failure(const baton::sim::options& opts, F&& body) {
    try {
        baton::sim::run(opts, std::forward<F>(body));
    } catch (const baton::rank_failed& e) {
        return e;
    }
    return std::nullopt;
}

// The findings a run ended with (none when it succeeded), as the core tests ask for them.
using baton_test::findings_of;

// Matches text that names rank `rank` ("rank 3", but not "rank 13" or "rank 30"), wherever.
inline baton_test::regex_matcher mentions_rank(int rank) {
    return Catch::Matchers::Matches("[\\s\\S]*\\brank " + std::to_string(rank) + "\\b[\\s\\S]*");
}

// Matches text that has `word` as a word of its own ("send", but not "isend" or "sendrecv").
inline baton_test::regex_matcher mentions_word(const std::string& word) {
    return Catch::Matchers::Matches("[\\s\\S]*\\b" + word + "\\b[\\s\\S]*");
}

// The message of the exception a rank threw.
inline std::string original_message(const baton::rank_failed& failure) {
    try {
        failure.rethrow_original();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
    }
    return "";
}

}  // namespace ops

// Names the configuration of the current run in a failure report.
#define OPS_DESCRIBE(opts) INFO("simulator: " << baton::sim::to_flags(opts))
