// Exploration: every distinct way wildcard receives can match, exact replay, shrinking, and the
// guard against nondeterminism the scheduler does not control.
#include <csignal>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton_test::contains;

namespace {

// Every rank but 0 sends its rank to rank 0, which receives them with wildcards, in order.
std::vector<int> arrival_order(communicator& world) {
    std::vector<int> order;
    if (world.rank() == 0)
        for (int i = 1; i < world.size(); ++i) order.push_back(world.recv<int>(baton::any_source, 0));
    else
        world.send(world.rank(), 0, 0);
    return order;
}

std::size_t factorial(std::size_t n) { return n <= 1 ? 1 : n * factorial(n - 1); }

// explore() for a rank function that returns a value: after each execution, `each` gets what every
// rank returned. The test sees the executions through their results only, as on process ranks,
// where what a rank writes stays in its own process. (As sim::explore_results gets them.)
template <class F, class Each>
baton::sim::exploration explore_each(const baton::sim::options& opts, F fn, Each each) {
    using R = std::invoke_result_t<F&, communicator&>;
    std::vector<std::optional<R>> values(static_cast<std::size_t>(opts.ranks));
    const baton::sim::detail::results_taken_into<R> returned(values);  // from process ranks
    auto body = [&](communicator& world) {
        auto& slot = values[static_cast<std::size_t>(world.rank())];
        slot.emplace(fn(world));
        baton::sim::detail::hand_back_if_process_rank(*slot);
    };
    return baton::sim::explore(opts, body, 100000, [&]() -> std::optional<std::string> {
        each(values);
        return std::nullopt;
    });
}

}  // namespace

TEST_CASE("a program without wildcards has exactly one execution", "[explore]") {
    const int ranks = GENERATE(1, 2, 4, 7);
    const auto result = baton::sim::explore_results({.ranks = ranks}, [](communicator& world) {
        std::vector<int> all;
        if (world.rank() == 0) all.assign(static_cast<std::size_t>(world.size()) * 2, 3);
        const auto mine = world.scatter(all, 0);
        const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
        int got = 0;
        world.sendrecv(mine[0], right, 0, got, left, 0);
        return world.allreduce(got, baton::op::sum);
    });
    CHECK(result.executions == 1);
    CHECK(result.complete);
    CHECK_FALSE(result.failure);
}

TEST_CASE("k senders to a loop of k wildcard receives explore exactly k! executions", "[explore]") {
    const int senders = GENERATE(1, 2, 3, 4, 5);
    std::set<std::vector<int>> orders;
    const auto result = explore_each({.ranks = senders + 1}, arrival_order,
                                     [&](const auto& values) { orders.insert(*values[0]); });
    CHECK(result.complete);
    CHECK_FALSE(result.failure);
    CHECK(result.executions == factorial(static_cast<std::size_t>(senders)));
    CHECK(orders.size() == result.executions);  // each execution a different order
    CHECK_THAT(result.summary(), contains("every schedule passed (complete)"));
}

TEST_CASE("the bound stops an exploration and says it is incomplete", "[explore]") {
    const auto result = baton::sim::explore({.ranks = 6}, [](communicator& world) { arrival_order(world); }, 10);
    CHECK(result.executions == 10);
    CHECK_FALSE(result.complete);
    CHECK_THAT(result.summary(), contains("incomplete"));
}

TEST_CASE("exploration finds a result that depends on arrival order, and its replay reproduces it", "[explore]") {
    // A master that subtracts the second result from the first: right only if they arrive in
    // rank order.
    auto master_worker = [](communicator& world) {
        if (world.rank() != 0) {
            world.send(world.rank() * 10, 0, 1);
            return 0;
        }
        const int first = world.recv<int>(baton::any_source, 1);
        const int second = world.recv<int>(baton::any_source, 1);
        return first - second;
    };
    const auto result = baton::sim::explore_results({.ranks = 3}, master_worker);
    REQUIRE(result.failure);
    CHECK(result.failure->kind == baton::finding_kind::schedule_dependence);
    CHECK(result.executions == 2);
    const std::string token = baton::sim::to_token(result.plan);
    CHECK(token == "v1.1/2");
    CHECK_THAT(result.failure->replay, contains("--replay " + token));

    // The replay is the failing run, event for event, every time.
    const baton::sim::options replay{.ranks = 3, .schedule = baton::sim::schedule::systematic,
                                     .plan = *baton::sim::parse_token(token), .record = true};
    const auto again = baton::sim::run(replay, master_worker);
    const auto once_more = baton::sim::run(replay, master_worker);
    CHECK(again.values[0] == 10);  // 20 arrived first
    CHECK(again.events == once_more.events);
    auto first_run = replay;
    first_run.plan.clear();
    CHECK(baton::sim::run(first_run, master_worker).values[0] == -10);
}

TEST_CASE("a failing schedule is shrunk to the fewest forced choices", "[explore]") {
    // Rank 0 takes 4 messages with wildcards and fails when rank 4's comes before rank 1's. The
    // exploration meets that first deep in its search; one forced choice (rank 4 first) is enough.
    auto program = [](communicator& world) {
        const auto order = arrival_order(world);
        if (world.rank() == 0 && std::find(order.begin(), order.end(), 4) < std::find(order.begin(), order.end(), 1))
            throw std::runtime_error("rank 4's message came before rank 1's");
    };
    const auto result = baton::sim::explore({.ranks = 5}, program);
    REQUIRE(result.failure);
    CHECK(result.failure->kind == baton::finding_kind::rank_failure);
    CHECK_THAT(result.failure->summary, contains("rank 4's message came before rank 1's"));
    std::size_t forced = 0;
    for (const auto& c : result.plan) forced += c.chosen != 0;
    CHECK(forced == 1);
    CHECK_THAT(result.summary(), contains("after shrinking to 1 forced choice"));
    // The shrunk schedule still fails.
    const baton::sim::options replay{.ranks = 5, .schedule = baton::sim::schedule::systematic, .plan = result.plan};
    CHECK_THROWS_AS(baton::sim::run_ranks(replay, program), baton::rank_failed);
}

TEST_CASE("a replay that another source of nondeterminism changes is refused", "[explore]") {
    int missing = 0;  // changed by the test between runs: a stand-in for the clock or rand()
    auto program = [&missing](communicator& world) {
        // The number of senders changes from run to run: the scheduler cannot control that.
        const int senders = world.size() - 1 - missing;
        if (world.rank() == 0) {
            for (int i = 0; i < senders; ++i) world.recv<int>(baton::any_source, 0);
        } else if (world.rank() <= senders) {
            world.send(1, 0, 0);
        }
    };
    const baton::sim::options replay{.ranks = 4, .schedule = baton::sim::schedule::systematic,
                                     .plan = *baton::sim::parse_token("v1.2/3")};
    CHECK_NOTHROW(baton::sim::run_ranks(replay, program));  // three senders, as recorded
    missing = 1;
    try {
        baton::sim::run_ranks(replay, program);  // two senders
        FAIL("the divergence was not noticed");
    } catch (const baton::check_failed& e) {
        REQUIRE(e.findings().size() == 1);
        CHECK(e.findings()[0].kind == baton::finding_kind::nondeterminism);
        CHECK_THAT(e.what(), contains("choice #1 had 3 alternatives when recorded and 2 now"));
    }
}

TEST_CASE("replay tokens round-trip and malformed ones are refused", "[explore]") {
    const std::vector<baton::sim::choice> plan{{1, 3}, {0, 2}, {2, 4}};
    CHECK(baton::sim::parse_token(baton::sim::to_token(plan)) == plan);
    CHECK(baton::sim::to_token({{1, 2}, {0, 2}, {0, 3}}) == "v1.1/2");
    CHECK(baton::sim::parse_token("v1") == std::vector<baton::sim::choice>{});
    CHECK_FALSE(baton::sim::parse_token("v1.3/3"));
    CHECK_FALSE(baton::sim::parse_token("v2.1/2"));
    CHECK_FALSE(baton::sim::parse_token("v1.1/2x"));
}

namespace {

// Rank 0 receives one message from anyone, then one from rank 1 specifically. If rank 1's
// message is taken by the wildcard, the second receive waits forever.
void deadlocks_in_some_matchings(communicator& world) {
    if (world.rank() == 0) {
        world.recv<int>(baton::any_source, 0);
        world.recv<int>(1, 0);
    } else {
        world.send(world.rank(), 0, 0);
    }
}

}  // namespace

TEST_CASE("deadlocks that only some matchings reach are found", "[explore]") {
    const auto result = baton::sim::explore({.ranks = 3}, deadlocks_in_some_matchings);
    REQUIRE(result.failure);
    CHECK(result.failure->kind == baton::finding_kind::deadlock);
}

namespace {

// `then()` called `kib` frames further down the stack, each with a KiB of its own written: ranks
// block, and are torn down, deep in their stacks.
template <class F>
auto deep(int kib, F&& then) -> decltype(then()) {
    if (kib == 0) return then();
    volatile char pad[1024];
    for (std::size_t i = 0; i < sizeof pad; i += 64) pad[i] = static_cast<char>(kib);
    auto result = deep(kib - 1, then);
    CHECK(pad[0] == static_cast<char>(kib));
    return result;
}

struct sigaction handler_of(int signal) {
    struct sigaction now {};
    sigaction(signal, nullptr, &now);
    return now;
}

}  // namespace

TEST_CASE("an exploration that ends in a deadlock leaves nothing behind for the runs after it", "[explore]") {
    // What one execution leaves for the next (the fiber stacks, the signal handlers the exploration
    // holds) must not change them: runs of the same shape after one torn down deep in its stacks
    // pass with the same results, and the handlers are the program's again afterwards. SIGINT is
    // baton's only over the default action (Catch2 has its own): the default for this test.
    const struct catch2_sigint_back {
        struct sigaction saved = handler_of(SIGINT);
        ~catch2_sigint_back() { sigaction(SIGINT, &saved, nullptr); }
    } catch2_sigint;
    std::signal(SIGINT, SIG_DFL);
    const struct sigaction segv_before = handler_of(SIGSEGV);
    const baton::sim::options opts{.ranks = 3};
    for (int round = 0; round < 3; ++round) {
        // Rank 0 deadlocks in some matchings, 48 KiB down its stack.
        const auto failed = baton::sim::explore(opts, [](communicator& world) {
            deep(48, [&] {
                deadlocks_in_some_matchings(world);
                return 0;
            });
        });
        REQUIRE(failed.failure);
        CHECK(failed.failure->kind == baton::finding_kind::deadlock);
        std::set<std::vector<int>> orders;
        const auto clean = explore_each(
            opts, [](communicator& world) { return deep(48, [&] { return arrival_order(world); }); },
            [&](const auto& values) { orders.insert(*values[0]); });
        CHECK(clean.complete);
        CHECK_FALSE(clean.failure);
        CHECK(clean.executions == 2);
        CHECK(orders == std::set<std::vector<int>>{{1, 2}, {2, 1}});
        const auto sums = baton::sim::run(opts, [](communicator& world) {
            return deep(48, [&] { return world.allreduce(world.rank() + 1, baton::op::sum); });
        });
        CHECK(sums.values == std::vector<int>{6, 6, 6});
    }
    CHECK(handler_of(SIGINT).sa_handler == SIG_DFL);
    CHECK(handler_of(SIGSEGV).sa_sigaction == segv_before.sa_sigaction);
}

TEST_CASE("PCT finds a depth-1 ordering bug at least as often as its bound promises", "[explore][pct]") {
    // The bug: rank 0's first wildcard receive gets the last rank's message. PCT promises at least
    // 1/(n k^(d-1)) = 1/n per run for a bug of depth d = 1 among n ranks.
    constexpr int ranks = 4, runs = 400;
    int found = 0;
    for (int seed = 1; seed <= runs; ++seed) {
        const auto result = baton::sim::run(
            {.ranks = ranks, .seed = static_cast<std::uint64_t>(seed), .schedule = baton::sim::schedule::pct,
             .pct_depth = 1},
            [](communicator& world) { return arrival_order(world); });
        found += result.values[0].front() == ranks - 1;
    }
    CHECK(found >= runs / ranks);
    // ... and different seeds really do give different schedules.
    CHECK(found < runs);
}

TEST_CASE("exploration branches on whether iprobe sees a message that was sent", "[explore][poll]") {
    // Rank 0 looks once whether rank 1's message is there, then receives it anyway. On MPI the
    // message may or may not have arrived by then: two executions, with different results.
    std::set<bool> seen;
    auto body = [](communicator& world) {
        if (world.rank() == 1) {
            world.send(7, 0, 0);
            return false;
        }
        const bool early = world.iprobe(1, 0).has_value();
        REQUIRE(world.recv<int>(1, 0) == 7);
        return early;
    };
    const auto all = explore_each({.ranks = 2}, body, [&](const auto& values) { seen.insert(*values[0]); });
    CHECK(all.complete);
    CHECK_FALSE(all.failure);
    CHECK(all.executions == 2);
    CHECK(seen == std::set<bool>{false, true});

    const auto found = baton::sim::explore_results({.ranks = 2}, body);
    REQUIRE(found.failure);
    CHECK_THAT(found.failure->summary, contains("depends on the schedule"));
}

TEST_CASE("exploration branches on whether test sees a receive complete", "[explore][poll]") {
    std::set<bool> seen;
    auto body = [](communicator& world) {
        if (world.rank() == 1) {
            world.send(7, 0, 0);
            world.barrier();
            return false;
        }
        int value = 0;
        auto pending = world.irecv(value, 1, 0);
        world.barrier();  // rank 1 has sent by now
        const bool early = pending.test().has_value();
        if (!early) pending.wait();
        REQUIRE(value == 7);
        return early;
    };
    const auto all = explore_each({.ranks = 2}, body, [&](const auto& values) { seen.insert(*values[0]); });
    CHECK(all.complete);
    CHECK_FALSE(all.failure);
    CHECK(all.executions == 3);  // and once more with the other irecv poison (engine::irecv_poison)
    CHECK(seen == std::set<bool>{false, true});
}

TEST_CASE("a polling loop is explored without running away", "[explore][poll]") {
    // Each poll after a change may miss once, never twice in a row: the loop ends in every
    // execution, and the exploration is complete.
    const auto result = baton::sim::explore_results({.ranks = 3}, [](communicator& world) {
        if (world.rank() != 0) {
            world.send(world.rank(), 0, 0);
            return 0;
        }
        int sum = 0;
        for (int got = 0; got < 2;) {
            if (const auto st = world.iprobe(baton::any_source, 0)) {
                sum += world.recv<int>(st->source, 0);
                ++got;
            }
        }
        return sum;
    });
    CHECK(result.complete);
    CHECK_FALSE(result.failure);
    CHECK(result.executions > 2);
}

TEST_CASE("a poll that chose to wait does not make a polling loop look stuck", "[explore][poll]") {
    // Rank 0 looks once for a message that never comes, then sends; rank 1 polls until that send
    // arrives. Whatever rank 0's poll chose, the program is correct.
    const auto result = baton::sim::explore({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 0) {
            world.iprobe(1, 0);
            world.send(5, 1, 0);
            return;
        }
        while (!world.iprobe(0, 0)) {
        }
        REQUIRE(world.recv<int>(0, 0) == 5);
    });
    CHECK(result.complete);
    CHECK_FALSE(result.failure);
    CHECK(result.executions >= 2);
}

TEST_CASE("a message a poll has seen stays seen", "[explore][poll]") {
    // Once iprobe has found the message, asking again in the same state finds it again: the
    // exploration must not try "seen, then gone", which MPI cannot do.
    const auto result = baton::sim::explore({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 1) {
            world.send(5, 0, 0);
            world.barrier();
            return;
        }
        world.barrier();  // the message is there by now
        if (world.iprobe(1, 0)) {
            for (int i = 0; i < 5; ++i) REQUIRE(world.iprobe(1, 0));
        }
        REQUIRE(world.recv<int>(1, 0) == 5);
    });
    CHECK(result.complete);
    CHECK_FALSE(result.failure);
    CHECK(result.executions == 2);
}
