// A persistent send reads its value at each start, so the value must outlive the request: a
// temporary is refused; a variable, const or not, is not.
#include <vector>

#include <baton/baton.hpp>

// refused 1: a persistent send reads its value at each start: pass a variable
// refused 2: a persistent send reads its value at each start: pass a variable

int compute();

void accepted(baton::communicator& world, std::vector<int>& values) {
    const int x = compute();
    baton::request a = world.send_init(x, 0, 0);
    baton::request b = world.ssend_init(values, 0, 1);
}

void refused([[maybe_unused]] baton::communicator& world) {
#if REFUSED == 1
    baton::request a = world.send_init(compute(), 0, 0);
#elif REFUSED == 2
    baton::request b = world.ssend_init(std::vector<int>(3), 0, 1);
#endif
}
