// Which network each round of a collective takes (collective_costs.hpp, "Ranks per node").
#include <algorithm>

#include "collective_costs.hpp"
#include "sim_clock.hpp"

namespace baton::sim::detail {

collective_links::collective_links(const simulated_time& time, std::span<const int> world, int root)
    : across_(time.network()), within_(time.within_node()), world_(world), root_(std::max(root, 0)),
      ranks_per_node_(time.ranks_per_node()) {
    // Without nodes every rank is one of its own; else the communicator may lie in one node.
    spans_nodes_ = world.size() > 1;
    if (ranks_per_node_ > 0 && !world.empty()) {
        const auto [low, high] = std::minmax_element(world.begin(), world.end());
        spans_nodes_ = *low / ranks_per_node_ != *high / ranks_per_node_;
    }
}

bool collective_links::same_node(int v, int w) const {
    const int n = static_cast<int>(world_.size());
    return world_[static_cast<std::size_t>((v + root_) % n)] / ranks_per_node_ ==
           world_[static_cast<std::size_t>((w + root_) % n)] / ranks_per_node_;
}

// The slowest network of the round's pairs: across as soon as one crosses nodes. Looking costs a
// pass over the communicator, but only with ranks per node given and a communicator over several.
template <class Pairs>
const network_model& collective_links::scan(Pairs pairs) const {
    if (!spans_nodes_) return within_;
    if (ranks_per_node_ <= 0) return across_;
    return pairs([&](int v, int w) { return !same_node(v, w); }) ? across_ : within_;
}

const network_model& collective_links::tree(int distance) const {
    return scan([&](auto crosses) {
        const int n = static_cast<int>(world_.size());
        for (int v = 0; v < distance && v + distance < n; ++v)
            if (crosses(v, v + distance)) return true;
        return false;
    });
}

const network_model& collective_links::exchange(int distance) const {
    return scan([&](auto crosses) {
        const int n = static_cast<int>(world_.size());
        for (int v = 0; v < n; ++v)
            if ((v ^ distance) < n && crosses(v, v ^ distance)) return true;
        return false;
    });
}

const network_model& collective_links::knomial(int distance, int radix) const {
    return scan([&](auto crosses) {
        const int n = static_cast<int>(world_.size());
        for (int v = 0; v < n; v += radix * distance)
            for (int j = 1; j < radix && v + j * distance < n; ++j)
                if (crosses(v, v + j * distance)) return true;
        return false;
    });
}

}  // namespace baton::sim::detail
