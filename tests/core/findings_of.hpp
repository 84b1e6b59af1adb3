// What the core tests ask of a run's findings: the findings themselves (none when the run
// succeeds) and their kinds, in order.
#pragma once

#include <functional>
#include <vector>

#include <baton/baton.hpp>

namespace baton_test {

inline std::vector<baton::finding> findings_of(const baton::sim::options& opts,
                                               const std::function<void(baton::communicator&)>& body) {
    try {
        baton::sim::run_ranks(opts, body);
    } catch (const baton::check_failed& e) {
        return e.findings();
    }
    return {};
}

inline std::vector<baton::finding_kind> kinds(const std::vector<baton::finding>& findings) {
    std::vector<baton::finding_kind> result;
    for (const auto& f : findings) result.push_back(f.kind);
    return result;
}

}  // namespace baton_test
