// Completing several requests at once: wait_some, test_any, test_some and test_all (MPI_Waitsome,
// MPI_Testany, MPI_Testsome, MPI_Testall), on the simulator.
#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <source_location>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton::status;
using baton_test::contains;

namespace {

// The line of a call in a rank body, taken before the run as line_here() plus its distance below.
int line_here(std::source_location where = std::source_location::current()) { return static_cast<int>(where.line()); }

std::string at(int line) { return "completion.cpp:" + std::to_string(line); }

// 0, 1, ..., n - 1
std::vector<std::size_t> every_index(int n) {
    std::vector<std::size_t> all(static_cast<std::size_t>(std::max(n, 0)));
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
}

}  // namespace

TEST_CASE("wait_some completes each request once, in index order per call, then nothing", "[p2p][completion]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<std::size_t> indices;  // every index wait_some gave, in order
        bool each_call_sorted_and_not_empty = true;
        bool all_correct = true;
        bool nothing_left = false;
        bool empty_span_gives_nothing = false;
        BATON_TEST_RESULT_FIELDS(indices, each_call_sorted_and_not_empty, all_correct, nothing_left,
                                 empty_span_gives_nothing)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        out.empty_span_gives_nothing = baton::wait_some(std::span<baton::request>{}).empty();
        if (me == 0) {
            std::vector<int> values(static_cast<std::size_t>(n - 1), -1);
            std::vector<baton::request> receives;
            for (int r = 1; r < n; ++r) receives.push_back(world.irecv(values[static_cast<std::size_t>(r - 1)], r, 7));
            while (true) {
                const auto done = baton::wait_some(receives);
                if (done.empty()) break;
                out.each_call_sorted_and_not_empty =
                    out.each_call_sorted_and_not_empty &&
                    std::is_sorted(done.begin(), done.end(), [](auto& a, auto& b) { return a.index < b.index; });
                for (const auto& d : done) {
                    out.indices.push_back(d.index);
                    const int source = static_cast<int>(d.index) + 1;
                    out.all_correct = out.all_correct && d.status.source == source && d.status.tag == 7 &&
                                      d.status.count<int>() == 1 && values[d.index] == source * 10 &&
                                      !receives[d.index].pending();
                }
            }
            out.nothing_left = std::none_of(receives.begin(), receives.end(), [](auto& r) { return r.pending(); });
        } else {
            world.send(me * 10, 0, 7);
        }
        return out;
    });

    const auto& out = result.values[0];
    CHECK(out.empty_span_gives_nothing);
    CHECK(out.each_call_sorted_and_not_empty);
    CHECK(out.all_correct);
    CHECK(out.nothing_left);
    std::vector<std::size_t> sorted = out.indices;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == every_index(opts.ranks - 1));
}

TEST_CASE("test_any, test_some and test_all complete nothing while nothing has arrived", "[p2p][completion]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        bool any_gave_nothing = false, some_gave_nothing = false, all_gave_nothing = false;
        bool still_pending = false;
        std::vector<std::size_t> indices;  // what test_some and test_any gave afterwards
        std::vector<int> values;
        bool inactive_all_gives_empty_statuses = false;
        BATON_TEST_RESULT_FIELDS(any_gave_nothing, some_gave_nothing, all_gave_nothing, still_pending, indices,
                                 values, inactive_all_gives_empty_statuses)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        if (me == 0) {
            out.values.assign(static_cast<std::size_t>(n - 1), -1);
            std::vector<baton::request> receives;
            for (int r = 1; r < n; ++r) receives.push_back(world.irecv(out.values[static_cast<std::size_t>(r - 1)], r, 3));
            if (n > 1) {
                // Nobody sends before the barrier.
                out.any_gave_nothing = !baton::test_any(receives).has_value();
                out.some_gave_nothing = baton::test_some(receives).empty();
                out.all_gave_nothing = !baton::test_all(receives).has_value();
                out.still_pending = std::all_of(receives.begin(), receives.end(), [](auto& r) { return r.pending(); });
            }
            world.barrier();
            // Polls until every receive is complete, alternating the two calls.
            for (bool some = true; std::any_of(receives.begin(), receives.end(), [](auto& r) { return r.pending(); });
                 some = !some) {
                if (some)
                    for (const auto& d : baton::test_some(receives)) out.indices.push_back(d.index);
                else if (const auto d = baton::test_any(receives))
                    out.indices.push_back(d->index);
            }
            const auto statuses = baton::test_all(receives);
            out.inactive_all_gives_empty_statuses =
                statuses && statuses->size() == receives.size() &&
                std::all_of(statuses->begin(), statuses->end(), [](const status& s) { return s.bytes == 0; });
        } else {
            world.barrier();
            world.send(me, 0, 3);
        }
        return out;
    });

    const auto& out = result.values[0];
    if (opts.ranks > 1) {
        CHECK(out.any_gave_nothing);
        CHECK(out.some_gave_nothing);
        CHECK(out.all_gave_nothing);
        CHECK(out.still_pending);
    }
    std::vector<std::size_t> sorted = out.indices;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == every_index(opts.ranks - 1));
    for (int r = 1; r < opts.ranks; ++r) CHECK(out.values[static_cast<std::size_t>(r - 1)] == r);
    CHECK(out.inactive_all_gives_empty_statuses);
}

TEST_CASE("test_all completes all or nothing: a request that is complete stays pending for a later call",
          "[p2p][completion]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered,
                                                               baton::sim::send_mode::synchronous},
                                                              {2, 3, 4, 7, 16})));
    OPS_DESCRIBE(opts);

    struct outcome {
        bool first_refused = false;   // test_all while the tag-2 message had not been sent
        bool both_pending = false;    // and then neither request had completed
        std::optional<std::vector<status>> statuses;
        int first = 0, second = 0;
        BATON_TEST_RESULT_FIELDS(first_refused, both_pending, statuses, first, second)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        if (world.rank() == 0) {
            std::array<baton::request, 2> receives{world.irecv(out.first, 1, 1), world.irecv(out.second, 1, 2)};
            world.barrier();  // rank 1 has sent the tag-1 message, which matched the first receive
            out.first_refused = !baton::test_all(receives).has_value();
            out.both_pending = receives[0].pending() && receives[1].pending();
            world.barrier();  // now rank 1 sends the tag-2 message
            while (!(out.statuses = baton::test_all(receives))) {
            }
        } else if (world.rank() == 1) {
            world.send(11, 0, 1);
            world.barrier();
            world.barrier();
            world.send(22, 0, 2);
        } else {
            world.barrier();
            world.barrier();
        }
        return out;
    });

    const auto& out = result.values[0];
    CHECK(out.first_refused);
    CHECK(out.both_pending);
    REQUIRE(out.statuses);
    REQUIRE(out.statuses->size() == 2);
    CHECK((*out.statuses)[0].tag == 1);
    CHECK((*out.statuses)[1].tag == 2);
    CHECK((*out.statuses)[1].source == 1);
    CHECK(out.first == 11);
    CHECK(out.second == 22);
}

TEST_CASE("wait_some on receives nobody sends to is a deadlock naming the call and its line", "[completion][deadlock]") {
    const int line = line_here() + 6;
    try {
        baton::sim::run({.ranks = 2}, [](communicator& world) {
            if (world.rank() != 0) return;
            int a = 0, b = 0;
            std::array<baton::request, 2> receives{world.irecv(a, 1, 1), world.irecv(b, 1, 2)};
            baton::wait_some(receives);
        });
        FAIL("the run did not deadlock");
    } catch (const baton::deadlock_error& e) {
        REQUIRE(e.blocked().size() == 1);
        CHECK_THAT(e.blocked()[0].call, contains("wait_some of {irecv(source=1, tag=1, comm=world) posted at "));
        CHECK_THAT(e.blocked()[0].call, contains("; irecv(source=1, tag=2, comm=world) posted at "));
        CHECK_THAT(e.blocked()[0].location, contains(at(line)));
    }
}

TEST_CASE("a loop of test_any that can never succeed is a deadlock naming the call and its line",
          "[completion][deadlock]") {
    const int line = line_here() + 6;
    try {
        baton::sim::run({.ranks = 2}, [](communicator& world) {
            if (world.rank() != 0) return;
            int a = 0;
            std::array<baton::request, 1> receives{world.irecv(a, 1, 1)};
            while (!baton::test_any(receives)) {
            }
        });
        FAIL("the run did not deadlock");
    } catch (const baton::deadlock_error& e) {
        REQUIRE(e.blocked().size() == 1);
        CHECK_THAT(e.blocked()[0].call, contains("test_any of {irecv(source=1, tag=1, comm=world) posted at "));
        CHECK_THAT(e.blocked()[0].location, contains(at(line)));
    }
}

TEST_CASE("exploration tries which completed requests wait_some returns", "[completion][explore]") {
    const int line = line_here() + 10;
    const auto result = baton::sim::explore_results({.ranks = 3}, [](communicator& world) {
        if (world.rank() != 0) {
            world.send(world.rank(), 0, 0);
            world.barrier();
            return std::size_t{0};
        }
        int a = 0, b = 0;
        std::array<baton::request, 2> receives{world.irecv(a, 1, 0), world.irecv(b, 2, 0)};
        world.barrier();
        const std::size_t first = baton::wait_some(receives).size();
        baton::wait_all(receives);
        return first;
    });
    REQUIRE(result.failure);
    CHECK_THAT(result.failure->text(),
               contains("which requests rank 0's wait_some at tests/operations/" + at(line) + " completed"));
}

TEST_CASE("a request completed by test_some is not leaked; one left pending is", "[completion][checks]") {
    std::vector<baton::finding> found;
    try {
        baton::sim::run_ranks({.ranks = 2}, [](communicator& world) {
            if (world.rank() == 1) {
                world.send(1, 0, 1);
                world.barrier();
                return;
            }
            int a = 0, b = 0;
            std::array<baton::request, 2> receives{world.irecv(a, 1, 1), world.irecv(b, 1, 2)};
            world.barrier();
            while (baton::test_some(receives).empty()) {
            }
            if (a != 1 || receives[0].pending()) throw std::runtime_error("test_some did not complete the receive");
        });
    } catch (const baton::check_failed& e) {
        found = e.findings();
    }
    REQUIRE(found.size() == 1);
    CHECK(found[0].kind == baton::finding_kind::request_leak);
    REQUIRE(found[0].calls.size() == 1);
    CHECK_THAT(found[0].calls[0].call, contains("irecv(source=1, tag=2, comm=world) (still pending)"));
}

TEST_CASE("a receive cancelled before any message matched it completes cancelled, and takes no message",
          "[p2p][completion][cancel]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered,
                                                               baton::sim::send_mode::synchronous},
                                                              {2, 3, 4, 7})));
    OPS_DESCRIBE(opts);

    struct outcome {
        status fixed, resizable, tested;
        std::size_t vector_size = 0;
        int later = 0;  // the message the cancelled receives did not take
        BATON_TEST_RESULT_FIELDS(fixed, resizable, tested, vector_size, later)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        if (world.rank() == 0) {
            int one = 0, two = 0;
            std::vector<int> many(3, 1);
            baton::request fixed = world.irecv(one, 1, 9);
            baton::request resizable = world.irecv(many, baton::any_source, 9);
            baton::request tested = world.irecv(two, 1, baton::any_tag);
            fixed.cancel();
            resizable.cancel();
            tested.cancel();
            out.fixed = fixed.wait();
            out.resizable = resizable.wait();
            std::optional<status> s;
            while (!(s = tested.test())) {
            }
            out.tested = *s;
            out.vector_size = many.size();
            world.barrier();
            out.later = world.recv<int>(1, 9);
        } else {
            world.barrier();
            if (world.rank() == 1) world.send(99, 0, 9);
        }
        return out;
    });

    const auto& out = result.values[0];
    CHECK(out.fixed.cancelled);
    CHECK(out.fixed.bytes == 0);
    CHECK(out.resizable.cancelled);
    CHECK(out.tested.cancelled);
    CHECK(out.vector_size == 3);  // not resized to the nothing that came
    CHECK(out.later == 99);
}

TEST_CASE("cancelling a receive that a message has matched does nothing: it completes normally",
          "[p2p][completion][cancel]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered,
                                                               baton::sim::send_mode::synchronous},
                                                              {2, 3, 4})));
    OPS_DESCRIBE(opts);
    struct outcome {
        status s;
        int got = 0;
        BATON_TEST_RESULT_FIELDS(s, got)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        if (world.rank() == 0) {
            baton::request receiving = world.irecv(out.got, 1, 4);
            world.barrier();  // rank 1's synchronous send has matched it
            receiving.cancel();
            out.s = receiving.wait();
        } else {
            if (world.rank() == 1) world.ssend(44, 0, 4);
            world.barrier();
        }
        return out;
    });
    CHECK_FALSE(result.values[0].s.cancelled);
    CHECK(result.values[0].s.source == 1);
    CHECK(result.values[0].got == 44);
}

TEST_CASE("cancelling a send is a usage_error naming the rank and line", "[p2p][completion][cancel][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {1, 2})));
    OPS_DESCRIBE(opts);
    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::string message;
        baton::request sending = world.isend(5, world.rank(), 2);
        try {
            sending.cancel();
        } catch (const baton::usage_error& e) {
            message = e.what();
        }
        world.recv<int>(world.rank(), 2);
        sending.wait();
        return message;
    });
    CHECK_THAT(result.values[0], contains("rank 0: cancel at tests/operations/completion.cpp:"));
    CHECK_THAT(result.values[0], contains("of its isend: baton cancels receives only"));
}

TEST_CASE("a request that fails inside test_all: the completions before it are delivered, then its error",
          "[p2p][completion][errors]") {
    const auto opts = GENERATE(from_range(ops::configurations({baton::sim::send_mode::buffered}, {2, 3})));
    OPS_DESCRIBE(opts);
    struct outcome {
        std::string error;
        int first = 0;
        bool first_completed = false;
        BATON_TEST_RESULT_FIELDS(error, first, first_completed)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        if (world.rank() == 1) {
            world.send(11, 0, 1);
            world.send(2.5, 0, 2);  // a double where rank 0 receives an int
            world.barrier();
        } else if (world.rank() == 0) {
            int second = 0;
            std::array<baton::request, 2> receives{world.irecv(out.first, 1, 1), world.irecv(second, 1, 2)};
            world.barrier();  // both messages have arrived: both requests are complete
            try {
                while (!baton::test_all(receives)) {
                }
            } catch (const baton::type_mismatch_error& e) {
                out.error = e.what();
            }
            out.first_completed = !receives[0].pending();
        } else {
            world.barrier();
        }
        return out;
    });
    const auto& out = result.values[0];
    CHECK_THAT(out.error, contains("holds double but the receive is for int"));
    CHECK(out.first_completed);
    CHECK(out.first == 11);
}
