// Open MPI's default choices (collective_algorithms.hpp). The switch points are those of the
// fixed decision functions of coll/tuned (measured by Open MPI's developers on their clusters and
// averaged), as Open MPI 4.1.4 has them: checked against the comparisons in its installed
// mca_coll_tuned.so (objdump -d of ompi_coll_tuned_bcast_intra_dec_fixed and _allreduce_),
// which later revisions keep for these two. Below, each row is "fewer ranks than": the sizes in
// bytes where the choice changes.
#include "collective_algorithms.hpp"

#include <array>
#include <bit>
#include <initializer_list>
#include <utility>

namespace baton::sim::detail {

namespace {

using a = algorithm;

// One row: below `ranks` ranks, the first algorithm whose byte bound exceeds the message (the
// last one's bound is ignored: it takes everything larger).
struct size_rule {
    int ranks;
    std::initializer_list<std::pair<std::size_t, algorithm>> by_bytes;
};

algorithm pick(const std::initializer_list<size_rule>& rules, int ranks, std::size_t bytes) {
    const size_rule* row = nullptr;
    for (const auto& rule : rules) {
        row = &rule;
        if (ranks < rule.ranks) break;
    }
    algorithm chosen = row->by_bytes.begin()->second;
    for (const auto& [below, which] : row->by_bytes) {
        chosen = which;
        if (bytes < below) break;
    }
    return chosen;
}

constexpr std::size_t any = static_cast<std::size_t>(-1);
constexpr int more = 1 << 30;  // the last row: every larger communicator

algorithm bcast_choice(int ranks, std::size_t bytes) {
    return pick({{4, {{32, a::pipeline}, {256, a::binary_tree}, {512, a::pipeline}, {1024, a::knomial_tree},
                      {32768, a::linear}, {131072, a::binary_tree}, {262144, a::chain}, {524288, a::linear},
                      {1048576, a::binomial_tree}, {any, a::binary_tree}}},
                 {8, {{64, a::binary_tree}, {128, a::binomial_tree}, {2048, a::binary_tree}, {8192, a::binomial_tree},
                      {1048576, a::linear}, {any, a::chain}}},
                 {16, {{8, a::knomial_tree}, {64, a::binary_tree}, {4096, a::knomial_tree}, {16384, a::binary_tree},
                       {32768, a::binomial_tree}, {any, a::linear}}},
                 {32, {{4096, a::knomial_tree}, {1048576, a::binomial_tree}, {any, a::scatter_allgather}}},
                 {64, {{2048, a::binomial_tree}, {any, a::knomial_tree}}},
                 {128, {{any, a::knomial_tree}}},
                 {256, {{2, a::binomial_tree}, {16384, a::binary_tree}, {32768, a::linear}, {65536, a::binary_tree},
                        {any, a::knomial_tree}}},
                 {1024, {{16384, a::knomial_tree}, {32768, a::split_binary_tree}, {any, a::knomial_tree}}},
                 {2048, {{524288, a::knomial_tree}, {any, a::scatter_allgather}}},
                 {4096, {{262144, a::knomial_tree}, {any, a::scatter_allgather}}},
                 {more, {{8192, a::knomial_tree}, {16384, a::binary_tree}, {262144, a::knomial_tree},
                         {any, a::scatter_allgather}}}},
                ranks, bytes);
}

algorithm allreduce_choice(int ranks, std::size_t bytes) {
    return pick({{4, {{8, a::ring}, {4096, a::recursive_doubling}, {8192, a::ring}, {16384, a::recursive_doubling},
                      {65536, a::ring}, {262144, a::ring}, {any, a::rabenseifner}}},
                 {8, {{16, a::ring}, {8192, a::recursive_doubling}, {any, a::rabenseifner}}},
                 {16, {{8192, a::recursive_doubling}, {any, a::rabenseifner}}},
                 {32, {{64, a::ring}, {4096, a::recursive_doubling}, {any, a::rabenseifner}}},
                 {64, {{128, a::ring}, {any, a::rabenseifner}}},
                 {128, {{262144, a::recursive_doubling}, {any, a::rabenseifner}}},
                 {256, {{131072, a::nonoverlapping}, {262144, a::recursive_doubling}, {any, a::rabenseifner}}},
                 {512, {{4096, a::nonoverlapping}, {any, a::rabenseifner}}},
                 {2048, {{2048, a::nonoverlapping}, {16384, a::recursive_doubling}, {any, a::rabenseifner}}},
                 {4096, {{2048, a::nonoverlapping}, {4096, a::ring}, {16384, a::recursive_doubling},
                         {any, a::rabenseifner}}},
                 {more, {{2048, a::nonoverlapping}, {16384, a::ring}, {32768, a::recursive_doubling},
                         {any, a::rabenseifner}}}},
                ranks, bytes);
}

}  // namespace

std::string_view name_of(algorithm which) {
    static constexpr std::array names{"linear", "chain", "pipeline", "split binary tree", "binary tree",
                                      "binomial tree", "k-nomial tree", "scatter-allgather", "basic linear",
                                      "nonoverlapping", "recursive doubling", "ring", "Rabenseifner",
                                      "dissemination", "binomial gather", "neighbours in turn",
                                      "reduce then scatter", "neighbour exchange", "in-order binary tree"};
    return names[static_cast<std::size_t>(which)];
}

algorithm nonoverlapping_reduce(int ranks, std::size_t bytes) {
    // Open MPI's reduce rules for a commutative operation take their in-order binary tree (their
    // algorithm 6) only on 2048 ranks or more; below that, at the sizes nonoverlapping is taken
    // for (under 128 KiB), they take binomial.
    if (ranks < 2048) return a::binomial_tree;
    return pick({{4096, {{512, a::binomial_tree}, {1024, a::in_order_binary}, {any, a::binomial_tree}}},
                 {more, {{16, a::binomial_tree}, {32, a::in_order_binary}, {1024, a::binomial_tree},
                         {2048, a::in_order_binary}, {any, a::binomial_tree}}}},
                ranks, bytes);
}

algorithm choose_algorithm(collective_kind kind, int ranks, std::size_t bytes, std::size_t count) {
    using k = collective_kind;
    switch (kind) {
        case k::bcast: return bcast_choice(ranks, bytes);
        case k::allreduce: {
            const algorithm chosen = allreduce_choice(ranks, bytes);
            // Open MPI's own fallbacks: a ring needs a block for every rank, Rabenseifner one for
            // every rank of the largest power of two.
            if (chosen == a::ring && count < static_cast<std::size_t>(ranks)) return a::recursive_doubling;
            if (chosen == a::rabenseifner && count < std::bit_floor(static_cast<unsigned>(ranks))) return a::basic_linear;
            return chosen;
        }
        case k::barrier: return a::dissemination;
        case k::reduce: return a::binomial_tree;
        case k::gather:
        case k::gatherv:
        case k::scatter:
        case k::scatterv: return a::binomial_gather;
        case k::reduce_scatter:
        case k::reduce_scatter_block: return a::reduce_then_scatter;
        case k::neighbor_allgather:
        case k::neighbor_alltoall: return a::neighbor_exchange;
        default: return a::neighbours_in_turn;
    }
}

}  // namespace baton::sim::detail
