// What --profile measures (README, "Profiling and simulated time"): per call site (the program's
// file:line and the operation) and per rank, the calls made there, the bytes they sent and
// received, the time inside them and the time the rank computed just before them. Both backends
// fill the same structure (the simulator from its calls, MPI from each rank's calls gathered to
// rank 0), so the report and the JSON read the same on both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace baton {

// One call site's figures on one rank, or summed over ranks.
struct profile_counts {
    std::uint64_t calls = 0;
    std::uint64_t bytes_sent = 0;      // what its calls sent (a collective: its send buffer)
    std::uint64_t bytes_received = 0;  // what its receives got, counted where they were posted
    double call_seconds = 0;           // inside its calls
    double compute_seconds = 0;        // the rank's own code just before each of its calls

    profile_counts& operator+=(const profile_counts& other);
};

struct profile_site {
    std::string file;  // as format_location shows it: no leading "../"
    unsigned line = 0;
    std::string operation;  // "send", "wait", "allreduce", ...
    std::vector<profile_counts> ranks;  // by world rank

    profile_counts total() const;
};

struct profile_rank {
    double call_seconds = 0;     // inside baton calls
    double compute_seconds = 0;  // in its own code, after its last call too
    double end_seconds = 0;      // when its function returned, from the run's start
};

struct profile {
    std::string backend;      // "simulator" or "mpi"
    std::string time_source;  // "simulated (network ib-hdr)", "real (steady clock)", "real (MPI_Wtime)"
    bool simulated = false;   // times from the simulated clocks: the critical path means something
    std::vector<profile_site> sites;
    std::vector<profile_rank> ranks;
};

// The report --profile prints on stderr: a header, the `top` call sites by time inside calls,
// each rank (up to 8 ranks; min / mean / max beyond), the load imbalance and, with simulated
// time, the critical path.
std::string to_text(const profile& p, std::size_t top = 20);
// The same figures for tools (--profile-json), every site and rank.
std::string to_json(const profile& p);

namespace detail {

// Counts the calls of a run's ranks as the backend sees them begin and end, with the time each
// backend uses (simulated or real, in seconds). Outermost calls only: the backend brackets them.
class profile_recorder {
public:
    explicit profile_recorder(int ranks);

    // `operation` and the file of `where` are literals (their addresses name the site).
    void began(int rank, const char* operation, const std::source_location& where, double now);
    void ended(int rank, double now);
    // The rank's own code starts: its computing counts from here.
    void started(int rank, double now) { ranks_[static_cast<std::size_t>(rank)].last_left = now; }
    // Bytes a call moved, counted at its own site (a receive's when its message arrives).
    void moved(int rank, const char* operation, const std::source_location& where, std::size_t sent,
               std::size_t received);
    // The rank's function returned: what it computed after its last call counts.
    void finished(int rank, double now);

    profile result(std::string backend, std::string time_source, bool simulated) const;

private:
    struct site_key {
        const char* file;
        unsigned line;
        const char* operation;
        bool operator==(const site_key&) const = default;
    };
    struct site_cache {
        site_key key{nullptr, 0, nullptr};
        std::size_t index = 0;
    };
    struct key_hash {
        std::size_t operator()(const site_key& k) const noexcept;
    };
    struct rank_state {
        std::vector<profile_counts> sites;  // by site index, grown when the rank first calls there
        double last_left = 0, since = 0;
        std::size_t current = 0;
        // Its last sites, found without hashing in a loop: of its calls, and of its bytes (whose
        // operation may be another literal of the same name).
        site_cache last_call, last_bytes;
        bool inside = false;  // in a call began() counted (not a destructor's, say)
        profile_rank totals;
    };
    // The rank's figures at the site, and its index.
    std::size_t at(int rank, const char* operation, const std::source_location& where, site_cache& cache);

    std::unordered_map<site_key, std::size_t, key_hash> index_;
    std::vector<site_key> keys_;
    std::vector<rank_state> ranks_;
};

// MPI gathers each rank's part to rank 0 as text: one rank's sites and totals, and back.
std::string profile_lines(const profile& p, int rank);
void add_profile_lines(profile& p, int rank, std::string_view lines);

}  // namespace detail

}  // namespace baton
