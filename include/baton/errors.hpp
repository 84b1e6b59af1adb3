// baton's exceptions. Every message names the rank, the operation and what was wrong.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

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

// One call of a rank that is stuck, as shown in deadlock and mismatch reports.
struct rank_call {
    int rank = -1;                // rank in the world
    std::string call;             // e.g. "recv(source=1, tag=0, comm=world)"
    std::string location;         // "file.cpp:42" in the user's code
    std::vector<int> waits_for;   // world ranks this call needs before it can finish
};

// Ranks called the same collective differently (operation, root, count, type or reduction).
class collective_mismatch : public error {
public:
    collective_mismatch(std::string message, std::vector<rank_call> calls)
        : error(std::move(message)), calls_(std::move(calls)) {}
    // What each rank that reached this collective called, in rank order.
    const std::vector<rank_call>& calls() const noexcept { return calls_; }

private:
    std::vector<rank_call> calls_;
};

// No rank can make progress. The simulator raises it at once, never after a timeout.
class deadlock_error : public error {
public:
    deadlock_error(std::string message, std::vector<rank_call> blocked, std::vector<int> cycle)
        : error(std::move(message)), blocked_(std::move(blocked)), cycle_(std::move(cycle)) {}
    // Every blocked rank with its pending call, in rank order.
    const std::vector<rank_call>& blocked() const noexcept { return blocked_; }
    // A cycle of world ranks each waiting for the next (empty when ranks wait for finished ranks).
    const std::vector<int>& cycle() const noexcept { return cycle_; }

private:
    std::vector<rank_call> blocked_;
    std::vector<int> cycle_;
};

// A rank threw; the run was torn down. `original()` is what the rank threw.
class rank_failed : public error {
public:
    rank_failed(int rank, std::exception_ptr original, const std::string& description)
        : error("rank " + std::to_string(rank) + " failed: " + description),
          rank_(rank), original_(std::move(original)) {}

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

}  // namespace baton
