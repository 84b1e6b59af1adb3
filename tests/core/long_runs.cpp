// Issue #11, "Long runs and many ranks": what the simulator keeps must not grow with the length of
// a run. Checked by counting (choices kept, communicator states alive), never by timing. The PCT
// schedule's priority structure is checked against the linear scan it replaced. Issue 17: nor
// does what it allocates: a ping-pong's calls allocate nothing once under way, counted by this
// program's own operator new; and what a rank costs before it communicates, counted in heap bytes.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <numeric>
#include <random>
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

#include "../../backends/common/sanitizers.hpp"
#include "comm_state.hpp"
#include "scheduler.hpp"

namespace {

std::atomic<std::uint64_t> allocations{0};

}  // namespace

// Not under AddressSanitizer: its own operator new (the array and aligned forms, which this does
// not replace) would meet this operator delete's free(), an alloc-dealloc mismatch it reports.
#ifndef BATON_ASAN
void* operator new(std::size_t bytes) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

using baton::communicator;
using baton_test::contains;
namespace sim = baton::sim;

namespace {

std::vector<baton::finding> findings_of(const sim::options& opts, const std::function<void(communicator&)>& body) {
    try {
        sim::run_ranks(opts, body);
    } catch (const baton::check_failed& e) {
        return e.findings();
    }
    return {};
}

// Options for a test that reads the simulator's state (live_comm_states(), kept in the engine's
// process) from inside a rank, at points of the run only a rank can mark: the default context, but
// threads where that is processes, whose ranks would read their own process's count.
sim::options engine_visible(int ranks) {
    sim::options opts;
    opts.ranks = ranks;
    if (opts.context == sim::rank_context::process) opts.context = sim::rank_context::thread;
    return opts;
}

}  // namespace

TEST_CASE("the scheduler keeps its choices only for exploration and replay") {
    sim::options opts;
    const auto policy = GENERATE(sim::schedule::random, sim::schedule::pct, sim::schedule::round_robin,
                                 sim::schedule::systematic);
    opts.schedule = policy;
    sim::detail::scheduler sched(opts, 4);
    for (int i = 0; i < 100'000; ++i) sched.choose(3);
    sched.choose(1);  // one alternative: no choice at all
    CHECK(sched.choices_made() == 100'000);
    if (policy == sim::schedule::systematic)
        CHECK(sched.choices().size() == 100'000);
    else
        CHECK(sched.choices().empty());  // 8 bytes per wildcard receive, for ever, before
}

TEST_CASE("a communicator's mailboxes take no heap of their own until a rank receives there") {
    // Every rank has a mailbox in every communicator it is in, and most are never used: a million
    // ranks that only reduce never use their world's. Each took 136 bytes and, for libstdc++'s
    // std::deque of posted receives, 600 more on the heap: 0.7 GiB. Now an unused one is a null
    // pointer and a count. (Under a sanitizer mallinfo2 counts nothing and this checks nothing.)
    constexpr std::size_t members = 10'000;
    std::vector<int> ranks(members);
    std::iota(ranks.begin(), ranks.end(), 0);
    const auto heap = [] {
        const auto info = ::mallinfo2();
        return info.uordblks + info.hblkhd;  // small blocks, and the big ones mapped on their own
    };
    const std::size_t before = heap();
    const sim::detail::comm_state comm("many", std::move(ranks));
    const std::size_t grown = heap() - before;
    CHECK(grown <= members * sizeof(sim::detail::mailbox) + 64 * 1024);  // their vector, the name
}

TEST_CASE("communicators made by dup and split are freed once no rank uses them") {
    const sim::options opts = engine_visible(4);
    const std::size_t before = sim::detail::live_comm_states();
    std::size_t during = 0;
    sim::run_ranks(opts, [&](communicator& world) {
        for (int i = 0; i < 500; ++i) {
            communicator made = i % 2 == 0 ? world.dup() : world.split(world.rank() % 2, world.rank());
            // Traffic on it, wildcard receives included, and a collective.
            made.send(i, (made.rank() + 1) % made.size(), 3);
            (void)made.recv<int>(baton::any_source, 3);
            (void)made.allreduce(1, baton::op::sum);
        }
        world.barrier();  // every rank has dropped every communicator it made
        if (world.rank() == 0) during = sim::detail::live_comm_states() - before;
        world.barrier();
    });
    CHECK(during == 1);  // the world only (all 500 of them, and the splits' halves, before)
    CHECK(sim::detail::live_comm_states() == before);
}

TEST_CASE("a request keeps its communicator alive after the communicator is dropped") {
    const sim::options opts = engine_visible(2);
    const std::size_t before = sim::detail::live_comm_states();
    std::size_t while_request = 0, after_request = 0;
    sim::run_ranks(opts, [&](communicator& world) {
        if (world.rank() == 0) {
            int value = 7;
            baton::request pending;
            {
                communicator made = world.dup();
                pending = made.isend(value, 1, 0);
            }
            world.barrier();  // rank 1 has received and dropped its handle
            while_request = sim::detail::live_comm_states() - before;
            pending.wait();
            pending = baton::request();
            after_request = sim::detail::live_comm_states() - before;
        } else {
            {
                communicator made = world.dup();
                REQUIRE(made.recv<int>(0, 0) == 7);
            }
            world.barrier();
        }
    });
    CHECK(while_request == 2);  // the world and the dup the request was made on
    CHECK(after_request == 1);
}

TEST_CASE("reports still name a communicator that was freed, or one kept for a message never received") {
    sim::options opts;
    opts.ranks = 2;
    SECTION("a deadlock report's recent calls") {
        const auto findings = findings_of(opts, [](communicator& world) {
            {
                communicator made = world.dup();
                if (world.rank() == 0) made.send(1, 1, 5);
                else (void)made.recv<int>(0, 5);
            }
            (void)world.recv<int>(1 - world.rank(), 9);  // both wait: a deadlock
        });
        REQUIRE(findings.size() == 1);
        CHECK(findings[0].kind == baton::finding_kind::deadlock);
        CHECK_THAT(findings[0].text(), contains("send to rank 1 (rank 1 of world.dup1)"));
    }
    SECTION("a message on a dropped communicator that nobody received") {
        const auto findings = findings_of(opts, [](communicator& world) {
            communicator made = world.dup();
            if (world.rank() == 0) made.send(1, 1, 5);
        });
        REQUIRE(findings.size() == 1);
        CHECK(findings[0].kind == baton::finding_kind::unreceived_message);
        CHECK_THAT(findings[0].summary, contains("comm world.dup1"));
    }
}

TEST_CASE("exploration matches wildcards among the live communicators only") {
    // Many communicators made and dropped before a program with a wildcard: exploration finds its
    // executions as before (they used to be scanned at every match, not changing the result).
    sim::options opts;
    opts.ranks = 3;
    const auto result = sim::explore(opts, [](communicator& world) {
        for (int i = 0; i < 200; ++i) (void)world.dup();
        if (world.rank() == 0) {
            (void)world.recv<int>(baton::any_source, 0);
            (void)world.recv<int>(baton::any_source, 0);
        } else {
            world.send(world.rank(), 0, 0);
        }
    }, 100);
    CHECK(result.executions == 2);
}

namespace {

// PCT as it was, scanning every runnable rank at each step: the reference for the ordered set.
class pct_by_scan {
public:
    pct_by_scan(const sim::options& opts, int ranks) : random_(opts.seed), priority_(static_cast<std::size_t>(ranks)) {
        for (int r = 0; r < ranks; ++r) priority_[static_cast<std::size_t>(r)] = opts.pct_depth + r;
        for (int r = ranks - 1; r > 0; --r)
            std::swap(priority_[static_cast<std::size_t>(r)],
                      priority_[static_cast<std::size_t>(random_() % static_cast<std::uint64_t>(r + 1))]);
        for (int i = 1; i < opts.pct_depth; ++i)
            change_points_.push_back(1 + random_() % std::max<std::uint64_t>(opts.pct_steps, 1));
        lowest_ = opts.pct_depth;
    }
    void add(int r) {
        if (std::find(members_.begin(), members_.end(), r) == members_.end()) members_.push_back(r);
    }
    void remove(int r) { std::erase(members_, r); }
    void polled_in_vain(int r) { priority_[static_cast<std::size_t>(r)] = --lowest_; }
    int pick(int current) {
        if (members_.empty()) return -1;
        ++steps_;
        if (current >= 0 && std::find(change_points_.begin(), change_points_.end(), steps_) != change_points_.end())
            priority_[static_cast<std::size_t>(current)] = --lowest_;
        return *std::max_element(members_.begin(), members_.end(), [&](int a, int b) {
            return priority_[static_cast<std::size_t>(a)] < priority_[static_cast<std::size_t>(b)];
        });
    }

private:
    std::mt19937_64 random_;
    std::vector<std::int64_t> priority_;
    std::vector<std::uint64_t> change_points_;
    std::vector<int> members_;
    std::int64_t lowest_ = 0;
    std::uint64_t steps_ = 0;
};

}  // namespace

TEST_CASE("PCT picks the same ranks as the scan it replaced, for the same seed") {
    const auto seed = GENERATE(1u, 2u, 7u, 12345u);
    const int ranks = GENERATE(1, 2, 5, 64);
    sim::options opts;
    opts.schedule = sim::schedule::pct;
    opts.seed = seed;
    opts.pct_depth = 4;
    opts.pct_steps = 300;
    sim::detail::scheduler sched(opts, ranks);
    pct_by_scan reference(opts, ranks);
    std::mt19937 program(seed);  // what the ranks do: block, wake, poll in vain
    for (int r = 0; r < ranks; ++r) {
        sched.add(r);
        reference.add(r);
    }
    int current = -1;
    for (int step = 0; step < 2000; ++step) {
        const int r = static_cast<int>(program() % static_cast<unsigned>(ranks));
        switch (program() % 4) {
            case 0: sched.remove(r), reference.remove(r); break;
            case 1: sched.add(r), reference.add(r); break;
            case 2: sched.polled_in_vain(r), reference.polled_in_vain(r); break;
            default: break;
        }
        const int picked = sched.pick(current);
        REQUIRE(picked == reference.pick(current));
        current = picked;
    }
}

TEST_CASE("a ping-pong's sends and receives allocate nothing once under way") {
    sim::options opts = engine_visible(2);  // what the engine allocates, in this process
    // Random: the receive is posted first in some round trips and finds its message in others.
    opts.schedule = GENERATE(sim::schedule::random, sim::schedule::round_robin);
    constexpr int round_trips = 2000;
    std::uint64_t during = 0;
    sim::run_ranks(opts, [&](communicator& world) {
        const int peer = 1 - world.rank();
        double value = 0.0;
        auto round_trip = [&] {  // rank 0 sends first, rank 1 answers
            if (world.rank() == 1) world.recv(value, peer, 0);
            world.send(value, peer, 0);
            if (world.rank() == 0) world.recv(value, peer, 0);
        };
        for (int i = 0; i < 100; ++i) round_trip();  // the queues and lists reach their size
        const std::uint64_t before = allocations.load(std::memory_order_relaxed);
        for (int i = 0; i < round_trips; ++i) round_trip();
        if (world.rank() == 0) during = allocations.load(std::memory_order_relaxed) - before;
    });
#ifdef BATON_ASAN
    WARN("allocations are not counted under AddressSanitizer (this program's operator new is left out)");
    return;
#endif
    INFO("allocations in " << round_trips << " round trips: " << during);
    // Before: one per receive (its request), and a block of a std::deque every few stored
    // messages and every 32 posted receives.
    CHECK(during == 0);
}

TEST_CASE("a fiber rank's world communicator takes no heap of its own") {
    // Its two objects, the simulator's communicator and the wrapper every call of the rank's goes
    // through, are made in the rank's room at the top of its stack (issue 17): on the heap they
    // were two blocks a rank, 100 MB at a million ranks, and a TLB miss of their page each time
    // the rank was resumed. Counted as what a run of 2n ranks allocates more than one of n.
    const auto allocated_by_run = [](int ranks) {
        sim::options opts;
        opts.ranks = ranks;
        opts.context = sim::rank_context::fiber;
        const auto body = [](communicator& world) { world.barrier(); };
        sim::run_ranks(opts, body);  // the stacks, kept for the next run of the same shape
        const std::uint64_t before = allocations.load(std::memory_order_relaxed);
        sim::run_ranks(opts, body);
        return allocations.load(std::memory_order_relaxed) - before;
    };
    constexpr int ranks = 256;
    const std::uint64_t fewer = allocated_by_run(ranks), more = allocated_by_run(2 * ranks);
#ifdef BATON_ASAN
    WARN("allocations are not counted under AddressSanitizer (this program's operator new is left out)");
    return;
#endif
    INFO(ranks << " ranks: " << fewer << " allocations, " << 2 * ranks << " ranks: " << more);
    // Before: two more a rank (and whatever else a rank allocates, which is nothing).
    CHECK(more - fewer < static_cast<std::uint64_t>(ranks));
}

TEST_CASE("a sender far ahead of its receiver: its messages arrive in order, tags skipped and all") {
    const sim::options opts = engine_visible(2);
    constexpr int sent = 300;
    std::vector<int> tag5, tag7;
    sim::run_ranks(opts, [&](communicator& world) {
        if (world.rank() == 0) {
            for (int i = 0; i < sent; ++i) world.send(i, 1, i % 3 == 0 ? 7 : 5);
            return;
        }
        // Tag 5 first (each receive skips the older tag-7 messages), then the tag-7 ones that
        // waited behind them.
        for (int i = 0; i < sent; ++i)
            if (i % 3 != 0) tag5.push_back(world.recv<int>(0, 5));
        for (int i = 0; i < sent; i += 3) tag7.push_back(world.recv<int>(0, 7));
    });
    std::vector<int> expected5, expected7;
    for (int i = 0; i < sent; ++i) (i % 3 == 0 ? expected7 : expected5).push_back(i);
    CHECK(tag5 == expected5);
    CHECK(tag7 == expected7);
}
