#include "happens_before.hpp"

#include <algorithm>

namespace baton::sim::detail {

void happens_before::learn(int rank, const clock& seen) {
    if (!kept() || seen.empty()) return;
    clock& mine = clocks_[at(rank)];
    for (std::size_t r = 0; r < mine.size(); ++r) mine[r] = std::max(mine[r], seen[r]);
}

void happens_before::join(const std::vector<int>& members) {
    if (!kept()) return;
    clock all(clocks_.size(), 0);
    for (const int m : members) {
        const clock& c = clocks_[at(m)];
        for (std::size_t r = 0; r < all.size(); ++r) all[r] = std::max(all[r], c[r]);
    }
    for (const int m : members) clocks_[at(m)] = all;
}

}  // namespace baton::sim::detail
