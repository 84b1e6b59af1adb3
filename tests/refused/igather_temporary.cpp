// A non-blocking gather, scatter or all-to-all writes its result when the request completes, so
// where it lands must be a variable of the type the blocking form returns (issue 14: igather);
// and, like the other non-blocking collectives, it moves trivially copyable elements only.
#include <string>
#include <vector>

#include <baton/baton.hpp>

// refused 1: writes its result when the request completes: pass a variable
// refused 2: igatherv's result is a baton::ragged of the elements given
// refused 3: move trivially copyable elements only

std::vector<int> compute();

void accepted(baton::communicator& world, const std::vector<int>& values, const baton::ragged<int>& parts) {
    std::vector<int> all, swapped, block(2);
    int one = 0;
    baton::ragged<int> gathered, everyone, received;
    baton::request a = world.igather(compute(), all, 0);
    baton::request b = world.iallgather(values, all);
    baton::request c = world.iscatter(values, one, 0);
    baton::request d = world.ialltoall(compute(), swapped);
    baton::request e = world.igatherv(values, gathered, 0);
    baton::request f = world.iallgatherv(7, everyone);
    baton::request g = world.iscatterv(parts, block, 0);
    baton::request h = world.ialltoallv(baton::ragged<int>::from_blocks({{1}, {2}}), received);
}

void refused([[maybe_unused]] baton::communicator& world) {
#if REFUSED == 1
    baton::request a = world.iallgather(1, std::vector<int>{});
#elif REFUSED == 2
    std::vector<int> all;
    baton::request b = world.igatherv(1, all, 0);
#elif REFUSED == 3
    std::vector<std::string> texts{"text"}, all;
    baton::request c = world.iallgather(texts, all);
#endif
}
