// Fiber contexts destroyed while ranks are still suspended: the engine never does this (it runs
// every rank to its end), but the contexts must still unwind such ranks through switches the
// sanitizers are told about, never start a rank that did not run, and keep each rank's exception
// state its own. Built with fiber_contexts.cpp alone, without the engine.
#include <exception>
#include <memory>
#include <stdexcept>
#include <vector>

#include "catch2_compat.hpp"

#include "contexts.hpp"

using baton::sim::detail::make_fiber_contexts;
using baton::sim::detail::rank_contexts;

namespace {

struct record {
    std::vector<int> started;  // ranks whose entry function was called
    bool unwound = false;      // rank 1's local was destroyed by the teardown
    bool went_on = false;      // rank 1 got past a switch it should never have come back from
    int caught_again = 0;      // times rank 1 swallowed the teardown and switched again
};

struct on_unwind {
    bool& flag;
    ~on_unwind() { flag = true; }
};

}  // namespace

TEST_CASE("fiber ranks still suspended when their contexts are destroyed are unwound, not resumed",
          "[fiber]") {
    const bool swallow = GENERATE(false, true);
    record seen;
    std::unique_ptr<rank_contexts> contexts;
    rank_contexts* self = nullptr;  // reset() empties `contexts` before the destructor runs
    contexts = make_fiber_contexts(3, 128 * 1024, [&](int rank) {
        seen.started.push_back(rank);
        if (rank == 0) {
            self->transfer(0, 1);
            self->leave(0, -1);  // ends run() while rank 1 waits and rank 2 never ran
            return;
        }
        // Rank 1 gives the CPU up inside a catch block, holding an object to destroy.
        try {
            throw std::runtime_error("rank 1's own");
        } catch (const std::runtime_error&) {
            on_unwind local{seen.unwound};
            if (swallow) {
                try {
                    self->transfer(1, 0);
                } catch (...) {
                    ++seen.caught_again;  // what user code with catch (...) does
                }
                self->transfer(1, 0);  // thrown at again, without switching
            } else {
                self->transfer(1, 0);
            }
            seen.went_on = true;
        }
    });
    self = contexts.get();
    for (int r = 0; r < 3; ++r) contexts->create(r);
    contexts->run(0);
    CHECK(seen.started == std::vector<int>{0, 1});
    CHECK_FALSE(seen.unwound);

    contexts.reset();
    CHECK(seen.unwound);
    CHECK_FALSE(seen.went_on);
    CHECK(seen.started == std::vector<int>{0, 1});  // rank 2 was not started to be unwound
    CHECK(seen.caught_again == (swallow ? 1 : 0));
    // Rank 1's exceptions stayed its own: this thread has none in flight or caught.
    CHECK(std::uncaught_exceptions() == 0);
    CHECK_FALSE(std::current_exception());
}
