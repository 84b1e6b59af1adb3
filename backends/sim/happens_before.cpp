#include "happens_before.hpp"

#include <algorithm>

namespace baton::sim::detail {

void happens_before::merge(clock& into, const clock& seen) {
    if (seen.empty()) return;
    if (into.empty()) into.assign(seen.size(), 0);
    for (std::size_t r = 0; r < into.size() && r < seen.size(); ++r) into[r] = std::max(into[r], seen[r]);
}

}  // namespace baton::sim::detail
