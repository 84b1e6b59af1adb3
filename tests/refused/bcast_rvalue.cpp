// bcast receives into its argument on every rank but the root: a temporary would take the root's
// value and be thrown away, so it is refused; a variable, or a view (std::span) of one, is not.
#include <span>
#include <vector>

#include <baton/baton.hpp>

// refused 1: bcast receives into its argument on every rank but the root: pass a variable
// refused 2: bcast receives into its argument on every rank but the root: pass a variable
// refused 3: bcast receives into its argument on every rank but the root: it cannot be const

int compute();

void accepted(baton::communicator& world, std::vector<int>& values) {
    int x = compute();
    world.bcast(x, 0);
    world.bcast(values, 0);
    world.bcast(std::span<int>(values), 0);
    const std::span<int> view(values);
    world.bcast(view, 0);
}

void refused([[maybe_unused]] baton::communicator& world) {
#if REFUSED == 1
    int x = compute();
    world.bcast(x + 0, 0);
#elif REFUSED == 2
    world.bcast(std::vector<int>(3), 0);
#elif REFUSED == 3
    const int x = compute();
    world.bcast(x, 0);
#endif
}
