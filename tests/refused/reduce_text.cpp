// The builtin reductions are arithmetic: over text they would add or compare character codes, and
// a sum of bools is a bool. They are refused there; a callable of the program's own is not.
#include <functional>
#include <string>
#include <vector>

#include <baton/baton.hpp>

// refused 1: does not combine text
// refused 2: does not combine text
// refused 3: does not combine text
// refused 4: op::sum and op::prod of bools give a bool, not a count

void accepted(baton::communicator& world) {
    const std::string word = "abc";
    world.allreduce(word, [](char a, char b) { return a < b ? b : a; });
    world.allreduce(static_cast<signed char>(3), baton::op::sum);
    world.allreduce(static_cast<unsigned char>(3), baton::op::max);
    world.allreduce(true, baton::op::logical_or);
    world.allreduce(1, std::plus<>{});
}

void refused([[maybe_unused]] baton::communicator& world) {
#if REFUSED == 1
    world.allreduce(std::string("abc"), baton::op::sum);
#elif REFUSED == 2
    world.reduce('a', baton::op::max, 0);
#elif REFUSED == 3
    world.scan(std::vector<char>{'a'}, std::plus<>{});
#elif REFUSED == 4
    world.allreduce(true, baton::op::sum);
#endif
}
