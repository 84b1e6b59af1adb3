// Many explorations in one process on fiber ranks: each run maps its ranks' stacks where the last
// run's were, often at other offsets (the stack size changes from one exploration to the next), so
// anything a finished run left on a stack (AddressSanitizer's poisoned redzones, for one) lands
// under another run's live frames. The programs end every way a rank can end: normally, torn down
// mid-call by another rank's failure or by a deadlock, and after switching inside catch blocks.
// Under AddressSanitizer this is the test for issue #19; set BATON_FIBER_STRESS_ITERATIONS for
// more explorations than the quick default.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton::finding_kind;
using baton_test::contains;

namespace {

int iterations() {
    const char* text = std::getenv("BATON_FIBER_STRESS_ITERATIONS");
    return text && *text ? std::atoi(text) : 300;
}

// Calls `then` from `depth` frames further down the stack, each with a buffer of its own, so that
// ranks block (and are unwound) at many different depths, with redzones all along the way.
template <class F>
auto at_depth(int depth, F&& then) -> decltype(then()) {
    if (depth == 0) return then();
    volatile char pad[128];
    pad[0] = static_cast<char>(depth);
    auto result = at_depth(depth - 1, then);
    CHECK(pad[0] == static_cast<char>(depth));
    return result;
}

// Every other rank sends to rank 0, which takes them with wildcard receives: k senders give k!
// executions.
int senders_to_wildcards(communicator& world) {
    if (world.rank() == 0)
        for (int i = 1; i < world.size(); ++i) world.recv<int>(baton::any_source, 0);
    else
        world.send(world.rank(), 0, 0);
    return 0;
}

std::size_t factorial(std::size_t n) { return n <= 1 ? 1 : n * factorial(n - 1); }

struct failed_on_purpose : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One exploration of program number `which`; checks what it must find.
void explore_one(int iteration) {
    const int which = iteration % 5;
    const int depth = (iteration / 5) % 17;
    baton::sim::options opts{.ranks = 2 + iteration % 3, .context = baton::sim::rank_context::fiber,
                             // 128 to 140 KiB: the next run's stacks start at other offsets.
                             .fiber_stack_bytes = (128 + 4 * static_cast<std::size_t>(iteration % 4)) * 1024};
    const int senders = opts.ranks - 1;
    switch (which) {
        case 0: {  // every rank ends normally; k senders to k wildcard receives give k! executions
            const auto result = baton::sim::explore(opts, [&](communicator& world) {
                at_depth(depth, [&] { return senders_to_wildcards(world); });
            });
            CHECK(result.complete);
            CHECK_FALSE(result.failure);
            CHECK(result.executions == factorial(static_cast<std::size_t>(senders)));
            break;
        }
        case 1: {  // a deadlock in some matchings: the blocked ranks are torn down mid-call
            opts.ranks = 3;
            const auto result = baton::sim::explore(opts, [&](communicator& world) {
                at_depth(depth, [&] {
                    if (world.rank() == 0) {
                        world.recv<int>(baton::any_source, 0);
                        world.recv<int>(1, 0);
                    } else {
                        world.send(world.rank(), 0, 0);
                    }
                    return 0;
                });
            });
            REQUIRE(result.failure);
            CHECK(result.failure->kind == finding_kind::deadlock);
            break;
        }
        case 2: {  // the last rank fails while the others wait for it in a receive, deep down
            const auto result = baton::sim::explore(opts, [&](communicator& world) {
                const int last = world.size() - 1;
                if (world.rank() == last) throw failed_on_purpose("rank " + std::to_string(last) + " gives up");
                at_depth(depth + world.rank(), [&] { return world.recv<int>(last, 0); });
            });
            REQUIRE(result.failure);
            CHECK(result.failure->kind == finding_kind::rank_failure);
            CHECK_THAT(result.failure->summary, contains("gives up"));
            CHECK(result.executions == 1);
            break;
        }
        case 3: {  // one rank fails after a wildcard choice, the others are inside a collective
            const auto result = baton::sim::explore(opts, [&](communicator& world) {
                if (world.rank() == 0) {
                    const int first = world.recv<int>(baton::any_source, 0);
                    for (int i = 1; i < senders; ++i) world.recv<int>(baton::any_source, 0);
                    if (senders > 1 && first == world.size() - 1)
                        throw failed_on_purpose("the last rank's message came first");
                } else {
                    world.send(world.rank(), 0, 0);
                }
                at_depth(depth, [&] { return world.allreduce(world.rank(), baton::op::sum); });
            });
            if (opts.ranks > 2) {  // wildcards among two or more senders: the failing order exists
                REQUIRE(result.failure);
                CHECK(result.failure->kind == finding_kind::rank_failure);
                CHECK_THAT(result.failure->summary, contains("came first"));
            } else {
                CHECK_FALSE(result.failure);
                CHECK(result.complete);
            }
            break;
        }
        case 4: {  // ranks switch inside catch blocks and rethrow afterwards: each keeps its own
            const auto result = baton::sim::explore(opts, [&](communicator& world) {
                const std::string mine = "rank " + std::to_string(world.rank());
                try {
                    try {
                        throw failed_on_purpose(mine);
                    } catch (const failed_on_purpose&) {
                        at_depth(depth, [&] { return senders_to_wildcards(world); });
                        CHECK(std::uncaught_exceptions() == 0);
                        throw;  // the exception this rank caught, not the last one thrown
                    }
                } catch (const failed_on_purpose& e) {
                    CHECK(e.what() == mine);
                }
            });
            CHECK(result.complete);
            CHECK_FALSE(result.failure);
            CHECK(result.executions == factorial(static_cast<std::size_t>(senders)));
            break;
        }
    }
}

}  // namespace

TEST_CASE("fiber stacks are clean for each new run after runs that ended every way", "[explore][fiber]") {
    const int n = iterations();
    REQUIRE(n > 0);
    for (int i = 0; i < n; ++i) {
        INFO("iteration " << i);
        explore_one(i);
    }
}
