// Soak: a steady-state program run for many rounds, to see whether the simulator's memory stays
// constant (issue #11, "Long runs and many ranks"). Each round every rank sends a value to each of
// two peers chosen at random (the same draws on every rank, so each rank receives exactly two
// messages) and receives them with wildcard receives (scheduler choices among the candidates); every --every rounds the
// ranks make a communicator (a dup, or a split by parity, in turn), reduce on it and drop it.
//
// Rank 0 samples the resident set size (/proc/self/statm) every --sample rounds after a warm-up
// of a fifth of the rounds and prints the least-squares slope in bytes per round: about 0 when
// nothing grows with the number of rounds. Runs on threads and then on fibers (--context thread
// or fiber: only that one). After each one's line come "BENCH <name> <value>" lines, which
// bench/run.py's case (g) reads: rss_slope_b_per_round, rss_start_mib, rss_end_mib.
//
//   soak [--ranks 8] [--rounds 20000] [--every 50] [--sample 200] [--schedule random|pct|round-robin]
//        [--context thread|fiber] [--seed 1]
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <baton/baton.hpp>
#include <baton/sim.hpp>

#include "baton_bench.hpp"

namespace {

double rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

const char* arg_text(int argc, char** argv, const char* name, const char* fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
    return fallback;
}

struct sample {
    double round, rss;
};

// Least squares: bytes per round.
double slope(const std::vector<sample>& samples) {
    if (samples.size() < 2) return 0.0;
    double mx = 0, my = 0;
    for (const auto& s : samples) mx += s.round, my += s.rss;
    mx /= static_cast<double>(samples.size());
    my /= static_cast<double>(samples.size());
    double sxy = 0, sxx = 0;
    for (const auto& s : samples) sxy += (s.round - mx) * (s.rss - my), sxx += (s.round - mx) * (s.round - mx);
    return sxx > 0 ? sxy / sxx : 0.0;
}

void soak(baton::sim::options opts, long rounds, long every, long sample_every) {
    std::vector<sample> samples;
    const long warm_up = rounds / 5;
    double rss_at_warm_up = 0;
    const double start = bench::wall_seconds();
    baton::sim::run_ranks(opts, [&](baton::communicator& world) {
        const int n = world.size();
        std::mt19937_64 shared(42);  // the same draws on every rank: who sends to whom
        double total = 0;
        for (long round = 0; round < rounds; ++round) {
            // Two messages in, two out: a wildcard receive often has two candidates to choose from.
            const int tag = static_cast<int>(round % 8);
            for (int k = 0; k < 2; ++k) {
                const int shift = 1 + static_cast<int>(shared() % static_cast<std::uint64_t>(n > 1 ? n - 1 : 1));
                world.send(static_cast<double>(round), (world.rank() + shift) % n, tag);
            }
            total += world.recv<double>(baton::any_source, tag);
            total += world.recv<double>(baton::any_source, tag);
            if (every > 0 && round % every == every - 1) {
                baton::communicator made = (round / every) % 2 == 0 ? world.dup() : world.split(world.rank() % 2, world.rank());
                total += made.allreduce(1.0, baton::op::sum);
            }
            if (world.rank() == 0 && round >= warm_up && round % sample_every == 0) {
                if (samples.empty()) rss_at_warm_up = rss_bytes();
                samples.push_back({static_cast<double>(round), rss_bytes()});
            }
        }
        if (total < 0) std::printf("impossible\n");
    });
    const double seconds = bench::wall_seconds() - start;
    const double end_rss = samples.empty() ? 0 : samples.back().rss;
    std::printf("%-6s %d ranks, %ld rounds (a split/dup every %ld), schedule %s: %.2f s, RSS %.1f MiB after warm-up -> "
                "%.1f MiB at the end, slope %.1f bytes/round\n",
                baton::sim::to_string(opts.context).c_str(), opts.ranks, rounds, every,
                baton::sim::to_string(opts.schedule).c_str(), seconds, rss_at_warm_up / 1048576.0,
                end_rss / 1048576.0, slope(samples));
    bench::report("rss_slope_b_per_round", slope(samples));
    bench::report("rss_start_mib", rss_at_warm_up / 1048576.0);
    bench::report("rss_end_mib", end_rss / 1048576.0);
}

}  // namespace

int main(int argc, char** argv) {
    baton::sim::options opts;
    opts.ranks = static_cast<int>(bench::arg_long(argc, argv, "--ranks", 8));
    opts.seed = static_cast<std::uint64_t>(bench::arg_long(argc, argv, "--seed", 1));
    const auto policy = baton::sim::parse_schedule(arg_text(argc, argv, "--schedule", "random"));
    if (!policy) {
        std::fprintf(stderr, "soak: --schedule random, pct or round-robin\n");
        return 2;
    }
    opts.schedule = *policy;
    const long rounds = bench::arg_long(argc, argv, "--rounds", 20000);
    const long every = bench::arg_long(argc, argv, "--every", 50);
    const long sample_every = std::max(1L, bench::arg_long(argc, argv, "--sample", 200));
    const std::string only = arg_text(argc, argv, "--context", "");
    for (const auto context : {baton::sim::rank_context::thread, baton::sim::rank_context::fiber}) {
        if (!only.empty() && only != baton::sim::to_string(context)) continue;
        opts.context = context;
        soak(opts, rounds, every, sample_every);
    }
}
