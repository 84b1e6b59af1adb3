// baton's exceptions. Every message names the rank, the operation and what was wrong.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <baton/findings.hpp>

namespace baton {

// Base of everything baton throws.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A call broke MPI's rules: a bad rank, tag, root or count.
class usage_error : public error {
public:
    using error::error;
    // With the calls it is about, for the report of the rank that lets it escape: the call that
    // broke the rule (rank -1: the rank that threw it) and, for a message that does not fit its
    // receive, the send.
    usage_error(const std::string& what, std::vector<rank_call> calls) : error(what), calls_(std::move(calls)) {}
    const std::vector<rank_call>& calls() const noexcept { return calls_; }

private:
    std::vector<rank_call> calls_;
};

// A message is longer than the buffer that receives it.
class truncation_error : public usage_error {
public:
    using usage_error::usage_error;
};

// A message's element type is not the element type of the receive that matched it.
class type_mismatch_error : public usage_error {
public:
    using usage_error::usage_error;
};

// What ended a simulated run, or what the checks at its end found: one or more findings.
class check_failed : public error {
public:
    explicit check_failed(std::vector<finding> findings);
    const std::vector<finding>& findings() const noexcept { return findings_; }

private:
    std::vector<finding> findings_;
};

// No rank of a set can make progress. The simulator raises it at once, never after a timeout.
// Its finding is a deadlock or, when the run's buffering caused it, a potential deadlock; or an
// unreceived message, when the stuck ranks wait for a synchronous send that the finished rank it
// went to never received. It comes last: the findings the run made before it (a request leak that
// may be its cause) come first, in the order they were made.
class deadlock_error : public check_failed {
public:
    explicit deadlock_error(finding f, std::vector<finding> before = {})
        : check_failed(with_last(std::move(before), std::move(f))) {}
    // The deadlock's finding.
    const finding& deadlock() const noexcept { return findings().back(); }
    // Every blocked rank with its pending call, in rank order.
    const std::vector<rank_call>& blocked() const noexcept { return deadlock().calls; }
    // Ranks each waiting for the next, first == last; empty when they wait for finished ranks.
    const std::vector<int>& cycle() const noexcept { return deadlock().cycle; }
    bool potential() const noexcept { return deadlock().kind == finding_kind::potential_deadlock; }

private:
    static std::vector<finding> with_last(std::vector<finding> before, finding f) {
        before.push_back(std::move(f));
        return before;
    }
};

// Ranks called the same collective differently (operation, root, count, type or reduction).
class collective_mismatch : public check_failed {
public:
    explicit collective_mismatch(finding f) : check_failed({std::move(f)}) {}
    // What each rank that reached this collective called, in rank order.
    const std::vector<rank_call>& calls() const noexcept { return findings().front().calls; }
};

// A rank threw; the run was torn down. `original()` is what the rank threw.
class rank_failed : public check_failed {
public:
    rank_failed(int rank, std::exception_ptr original, finding f)
        : check_failed({std::move(f)}), rank_(rank), original_(std::move(original)) {}

    int rank() const noexcept { return rank_; }
    const std::exception_ptr& original() const noexcept { return original_; }
    [[noreturn]] void rethrow_original() const { std::rethrow_exception(original_); }

    // True when what the rank threw is an E (or derives from it).
    template <class E>
    bool original_is() const {
        try {
            std::rethrow_exception(original_);
        } catch (const E&) {
            return true;
        } catch (...) {
            return false;
        }
    }

private:
    int rank_;
    std::exception_ptr original_;
};

// A rank called abort(code) (MPI_Abort): the run ended there, on every rank. sim::run throws it
// (a program's own decision, not a finding of the checker); baton::run says what() on stderr and
// exits with code(); under mpiexec the rank says it before MPI_Abort. what(): "rank 2 called
// abort(3) at prog.cpp:17; the run ends with status 3".
class aborted : public error {
public:
    aborted(int rank, int code, const std::string& location)
        : error("rank " + std::to_string(rank) + " called abort(" + std::to_string(code) + ") at " + location +
                "; the run ends with status " + std::to_string(code)),
          rank_(rank), code_(code), location_(location) {}
    int rank() const noexcept { return rank_; }  // in the world
    int code() const noexcept { return code_; }
    const std::string& location() const noexcept { return location_; }

private:
    int rank_;
    int code_;
    std::string location_;
};

}  // namespace baton
