// What the ranks print, told apart by rank, for --explore --deterministic: so that executions can
// be compared rank by rank, as a correct program's output is the same in every execution rank by
// rank, while the order in which ranks print may change with the schedule.
//
// While a capture exists, standard output (file descriptor 1) goes to a temporary file. The
// engine of the run being watched tells the capture whenever one of its ranks gets the CPU
// (running()); what was written since the last time was the previous rank's. stdio's and
// std::cout's buffers are flushed first, so that text a rank left in them counts for that rank,
// not for the one that happens to flush it later. One rank runs at a time, so no byte is shared.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace baton::sim::detail {

class engine;

// What one execution printed.
struct printed {
    std::string text;                                // everything, in the order it was written
    std::vector<std::pair<std::size_t, int>> parts;  // (offset in text, world rank) where each
                                                     // rank's part begins; -1: outside the ranks
    // What `rank` printed (-1: what was printed outside the ranks), its parts joined.
    std::string of(int rank) const;
    // Who wrote the byte at `offset`.
    int writer_at(std::size_t offset) const;
};

// How two executions' output differ, as a report says it: a summary and a line for each.
struct output_difference {
    std::string summary;
    std::vector<std::string> notes;
};

// The first difference between `first` and `now`, if any. Rank by rank (ranks 0 to ranks - 1,
// then what was printed outside them), or with `interleaving` as one stream.
std::optional<output_difference> compare(const printed& first, const printed& now, int ranks, bool interleaving);

class rank_output {
public:
    rank_output();   // captures standard output from now on
    ~rank_output();  // gives it back; what was captured is dropped
    rank_output(const rank_output&) = delete;
    rank_output& operator=(const rank_output&) = delete;

    // From now on, what is printed is put down to the ranks of `run` (what was printed before,
    // by an earlier run, is dropped).
    void begin(const engine& run);
    // What was printed since begin(), by rank. Stops watching.
    printed take();

    // Called by every engine when its rank `rank` gets the CPU: cheap unless a capture watches
    // that engine.
    static void running(const engine* run, int rank);

private:
    // The bytes since the last mark were the current writer's; from here on they are `rank`'s.
    void mark(int rank);

    int saved_ = -1;              // the real standard output
    std::FILE* file_ = nullptr;   // where it goes meanwhile
    const engine* run_ = nullptr;
    int writer_ = -1;
    std::vector<std::pair<std::size_t, int>> parts_;
    static std::atomic<rank_output*> active_;
};

}  // namespace baton::sim::detail
