// A non-blocking collective writes its result when the request completes, so where it lands must
// be a variable that outlives the call: a temporary (or a const) is refused; a variable is not.
#include <vector>

#include <baton/baton.hpp>

// refused 1: write their result when the request completes: pass a variable
// refused 2: write their result when the request completes: pass a variable
// refused 3: ibcast receives into its argument on every rank but the root until the request completes
// refused 4: a callable of your own

int compute();

void accepted(baton::communicator& world, std::vector<int>& values) {
    int sum = 0, x = compute();
    std::vector<int> maxima;
    baton::request a = world.iallreduce(compute(), sum, baton::op::sum);
    baton::request b = world.ireduce(values, maxima, baton::op::max, 0);
    baton::request c = world.ibcast(x, 0);
}

void refused([[maybe_unused]] baton::communicator& world) {
#if REFUSED == 1
    baton::request a = world.iallreduce(1, int{}, baton::op::sum);
#elif REFUSED == 2
    const int sum = 0;
    baton::request b = world.ireduce(1, sum, baton::op::sum, 0);
#elif REFUSED == 3
    baton::request c = world.ibcast(compute(), 0);
#elif REFUSED == 4
    int sum = 0;
    baton::request d = world.iallreduce(1, sum, [](int a, int b) { return a + b; });
#endif
}
