// A non-blocking collective writes its result when the request completes, so where it lands must
// be a variable that outlives the call: a temporary (or a const) is refused; a variable is not.
#include <vector>

#include <baton/baton.hpp>

// refused 1: write their result when the request completes: pass a variable
// refused 2: write their result when the request completes: pass a variable
// refused 3: ibcast receives into its argument on every rank but the root until the request completes
// refused 4: write their result when the request completes: pass a variable

int compute();

void accepted(baton::communicator& world, std::vector<int>& values) {
    int sum = 0, x = compute();
    std::vector<int> maxima;
    baton::request a = world.iallreduce(compute(), sum, baton::op::sum);
    baton::request b = world.ireduce(values, maxima, baton::op::max, 0);
    baton::request c = world.ibcast(x, 0);
    long prefix = 0;
    std::vector<int> block;
    const std::size_t counts[] = {1, 1};
    baton::request d = world.iscan(1L, prefix, baton::op::sum);
    baton::request e = world.iexscan(values, maxima, baton::op::max);
    baton::request f = world.ireduce_scatter_block(values, block, baton::op::sum);
    baton::request g = world.ireduce_scatter(values, counts, block, baton::op::min);
    // Any reduction the blocking forms take: a callable of the program's own, a builtin MPI does
    // not define on the type (MPI has no MPI_LAND on doubles: a user operation on MPI).
    baton::request h = world.iallreduce(1, sum, [](int a, int b) { return a + b; });
    double all = 0;
    baton::request i = world.iallreduce(1.5, all, baton::op::logical_and);
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
    const std::vector<int> values{1, 2};
    baton::request e = world.ireduce_scatter_block(values, std::vector<int>{}, baton::op::sum);
#endif
}
