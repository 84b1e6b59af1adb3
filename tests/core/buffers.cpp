// Issue #12, the checker's blind spots about buffers of pending requests and polling loops: an
// irecv into an empty container or a serialized object; the poison of irecv buffers varied between
// seeds and explored executions; buffers shared by two operations; --strict-buffers; --poll-limit
// and the history of a polling loop. Run on threads, fibers and process ranks (but --strict-buffers,
// which process ranks refuse).
#include <array>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch2_compat.hpp"
#include "findings_of.hpp"

#include <baton/baton.hpp>

using baton::communicator;
using baton::finding_kind;
using baton_test::contains;
using baton_test::findings_of;
using baton_test::kinds;

namespace {


int line_here(const std::source_location where = std::source_location::current()) {
    return static_cast<int>(where.line());
}

// Rank 1 sends `message` to rank 0, which receives it with an irecv into `T` and calls `early`
// on its buffer before the wait.
template <class T, class M>
std::vector<baton::finding> irecv_then(const M& message, void (*early)(T&)) {
    return findings_of({.ranks = 2}, [&](communicator& world) {
        if (world.rank() == 1) {
            world.send(message, 0, 0);
            return;
        }
        T in{};
        baton::request r = world.irecv(in, 1, 0);
        early(in);
        r.wait();
    });
}

}  // namespace

TEST_CASE("an irecv into an empty vector or string is watched as a container", "[buffers]") {
    SECTION("push_back into an empty vector") {
        const auto found = irecv_then<std::vector<int>>(std::vector<int>{1, 2}, [](std::vector<int>& v) { v.push_back(3); });
        REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 0 wrote into the buffer of its irecv before completing it") &&
                                         contains("its container changed size, capacity or memory"));
        CHECK(found[0].calls[0].call == "irecv(source=1, tag=0, comm=world)");
    }
    SECTION("assign into an empty string, inside its own small buffer") {
        const auto found = irecv_then<std::string>(std::string("hello"), [](std::string& s) { s.assign("hi"); });
        CHECK(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
    }
    SECTION("push_back into room reserved before: only the size changes") {
        const auto found = irecv_then<std::vector<int>>(std::vector<int>{1}, [](std::vector<int>& v) {
            v.reserve(8);
            v.push_back(3);
        });
        CHECK(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
    }
    SECTION("looking at its size and capacity is no write") {
        const auto found = irecv_then<std::vector<int>>(std::vector<int>{1, 2}, [](std::vector<int>& v) {
            REQUIRE(v.size() + v.capacity() == 0);
        });
        CHECK(found.empty());
    }
}

TEST_CASE("an isend from a vector the program outgrows before the wait", "[buffers]") {
    // Rank 0 isends its vector, changes the vector before the wait, and rank 1 receives.
    auto isend_then = [](void (*change)(std::vector<int>&)) {
        return findings_of({.ranks = 2}, [&](communicator& world) {
            if (world.rank() == 1) {
                world.recv<std::vector<int>>(0, 0);
                return;
            }
            std::vector<int> data{1, 2, 3};
            data.shrink_to_fit();
            baton::request r = world.isend(data, 1, 0);
            change(data);
            r.wait();
        });
    };
    SECTION("a push_back beyond its capacity freed the elements being sent: reported, not read") {
        const auto found = isend_then([](std::vector<int>& v) { v.push_back(4); });
        REQUIRE(kinds(found) == std::vector{finding_kind::send_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 0 changed the buffer of its isend before completing it") &&
                                         contains("its container moved the elements it sends elsewhere"));
    }
    SECTION("a pop_back leaves the elements where they are, unchanged: nothing to report") {
        CHECK(isend_then([](std::vector<int>& v) { v.pop_back(); }).empty());
    }
}

TEST_CASE("an irecv of a serialized value watches the object it will fill", "[buffers]") {
    using table = std::map<int, std::string>;
    const auto found = irecv_then<table>(table{{1, "one"}}, [](table& t) { t[2] = "two"; });
    REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
    CHECK_THAT(found[0].summary, contains("the object it receives into changed"));
    CHECK(irecv_then<table>(table{{1, "one"}}, [](table& t) { REQUIRE(t.empty()); }).empty());
}

// A value whose serialize() refuses to save once told to: the check of a serialized irecv's target
// object (which serializes it) cannot see it then.
struct fragile {
    std::string text;
    bool refuse_saving = false;  // not serialized
    template <class Archive>
    void serialize(Archive& archive) {
        if constexpr (Archive::is_saving::value)
            if (refuse_saving) throw std::runtime_error("fragile: not now");
        archive(text);
    }
};

TEST_CASE("an irecv target whose serialize throws at the check is not reported, and the run goes on", "[buffers]") {
    // The same on every context: on threads the exception escaped the wait, on process ranks the
    // rank never answered the engine's question about its buffer.
    const auto found = irecv_then<fragile>(fragile{"hello"}, [](fragile& f) { f.refuse_saving = true; });
    CHECK(found.empty());
}

TEST_CASE("what an irecv's buffer holds before completion differs between seeds", "[buffers][poison]") {
    auto early_value = [](std::uint64_t seed) {
        return baton::sim::run({.ranks = 2, .seed = seed}, [](communicator& world) {
                   if (world.rank() == 1) {
                       world.send(7, 0, 0);
                       return 0;
                   }
                   int value = 0;
                   baton::request r = world.irecv(value, 1, 0);
                   const int early = value;
                   r.wait();
                   REQUIRE(value == 7);
                   return early;
               })
            .values[0];
    };
    CHECK(early_value(1) == static_cast<int>(0xA5A5A5A5u));
    std::set<int> seen;
    for (std::uint64_t seed = 1; seed <= 16; ++seed) seen.insert(early_value(seed));
    CHECK(seen.size() == 16);
    CHECK(early_value(5) == early_value(5));  // and the same seed, the same
}

TEST_CASE("exploration tries another poison once, so a read before completion is schedule-dependent",
          "[buffers][poison][explore]") {
    // No wildcard: one schedule, and before issue #12 one execution, which could not tell.
    auto program = [](bool read_early) {
        return [read_early](communicator& world) {
            if (world.rank() == 1) {
                world.send(7, 0, 0);
                world.barrier();
                return 0;
            }
            int value = 0;
            baton::request r = world.irecv(value, 1, 0);
            world.barrier();
            const int seen = read_early ? value : 0;
            r.wait();
            return seen + value;
        };
    };
    const auto buggy = baton::sim::explore_results({.ranks = 2}, program(true));
    REQUIRE(buggy.failure);
    CHECK(buggy.failure->kind == finding_kind::schedule_dependence);
    CHECK_THAT(buggy.failure->summary, contains("the only difference from the first execution is the poison in irecv "
                                                "buffers") &&
                                           contains("reads an irecv's buffer before its wait or test"));
    CHECK(buggy.executions == 2);
    CHECK(baton::sim::to_token(buggy.plan) == "v1.1/2");

    const auto fine = baton::sim::explore_results({.ranks = 2}, program(false));
    CHECK_FALSE(fine.failure);
    CHECK(fine.complete);
    CHECK(fine.executions == 2);

    // The token replays the other poison.
    const baton::sim::options replay{.ranks = 2, .schedule = baton::sim::schedule::systematic, .plan = buggy.plan};
    CHECK(baton::sim::run(replay, program(true)).values[0] == static_cast<int>(0x5A5A5A5Au) + 7);
}

TEST_CASE("the other poison is tried once per path to the first irecv, not under every later choice",
          "[buffers][poison][explore]") {
    // Three senders to wildcard receives (3! orders), after rank 0 has posted an irecv: every order
    // with the first poison, and one execution with the other.
    const auto result = baton::sim::explore({.ranks = 4}, [](communicator& world) {
        if (world.rank() != 0) {
            world.send(world.rank(), 0, 0);
            world.send(world.rank(), 0, 1);
            return;
        }
        int last = 0;
        baton::request r = world.irecv(last, 3, 1);
        for (int i = 0; i < 3; ++i) world.recv<int>(baton::any_source, 0);
        for (int source = 1; source < 3; ++source) world.recv<int>(source, 1);
        r.wait();
    });
    CHECK(result.complete);
    CHECK_FALSE(result.failure);
    CHECK(result.executions == 6 + 1);
}

TEST_CASE("one buffer used by a pending request and another operation", "[buffers]") {
    SECTION("an isend from the buffer of a pending irecv") {
        // Lines taken before the run: a process rank would write its own copy of a variable.
        const int irecv_line = line_here() + 8, isend_line = irecv_line + 1;
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            if (world.rank() == 1) {
                world.send(1, 0, 0);
                world.recv<int>(0, 1);
                return;
            }
            int value = 0;
            baton::request receiving = world.irecv(value, 1, 0);
            baton::request forwarding = world.isend(value, 1, 1);
            receiving.wait();  // changes what the isend sends: no second finding for that
            forwarding.wait();
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
        CHECK_THAT(found[0].summary, contains("rank 0's isend at ") && contains("buffers.cpp:" + std::to_string(isend_line)) &&
                                         contains("sends from the buffer of its irecv posted at") &&
                                         contains("buffers.cpp:" + std::to_string(irecv_line)));
        REQUIRE(found[0].calls.size() == 2);
        CHECK(found[0].calls[0].call == "irecv(source=1, tag=0, comm=world)");
        CHECK(found[0].calls[1].call == "isend");
    }
    SECTION("a receive into the buffer of a pending isend, of the same values") {
        // Both ranks send {1, 2, 3} and receive into the same vector: the bytes stay as they were,
        // so only the use itself can be seen.
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            const int other = 1 - world.rank();
            std::vector<int> data{1, 2, 3};
            baton::request sending = world.isend(data, other, 0);
            world.recv(data, other, 0);
            sending.wait();
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::send_buffer_modified, finding_kind::send_buffer_modified});
        CHECK_THAT(found[0].summary, contains("'s recv at") && contains("receives into the buffer of its isend posted at"));
    }
    SECTION("two irecvs into one vector: one finding") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            if (world.rank() == 1) {
                world.send(std::vector<int>{1}, 0, 0);
                world.send(std::vector<int>{2, 2}, 0, 1);
                return;
            }
            std::vector<int> in;
            std::array<baton::request, 2> requests{world.irecv(in, 1, 0), world.irecv(in, 1, 1)};
            baton::wait_all(requests);
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
        CHECK_THAT(found[0].summary, contains("two receives into one buffer"));
    }
    SECTION("a sendrecv whose buffers overlap is an invalid argument, on any backend") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            std::vector<int> data{1, 2, 3};
            world.sendrecv(data, 1 - world.rank(), 0, data, 1 - world.rank(), 0);
        });
        REQUIRE_FALSE(found.empty());
        CHECK(found[0].kind == finding_kind::invalid_argument);
        CHECK_THAT(found[0].summary, contains("sendrecv at") && contains("buffers.cpp:") &&
                                         contains("the receive buffer (12 bytes) overlaps the send buffer (12 bytes)"));
    }
    SECTION("several isends of one buffer, read meanwhile, and a buffer reused after completion") {
        const auto found = findings_of({.ranks = 3}, [](communicator& world) {
            std::array<int, 4> data{world.rank(), 1, 2, 3};
            if (world.rank() == 0) {
                std::array<baton::request, 2> requests{world.isend(data, 1, 0), world.isend(data, 2, 0)};
                REQUIRE(data[0] + data[3] == 3);
                baton::wait_all(requests);
                world.recv(data, 1, 1);  // the isends are done: the buffer is free again
            } else {
                world.recv(data, 0, 0);
                if (world.rank() == 1) world.send(data, 0, 1);
            }
        });
        CHECK(found.empty());
    }
}

// ---- --strict-buffers ----------------------------------------------------------------------------

namespace {
constexpr std::size_t pages_of_ints = 4 * 4096 / sizeof(int);  // four pages' worth: three whole ones at least
}

TEST_CASE("--strict-buffers catches a write that restores an isend's data, with its line", "[buffers][strict]") {
    const bool strict = GENERATE(false, true);
    int write_line = 0;
    const auto found = findings_of({.ranks = 2, .strict_buffers = strict}, [&](communicator& world) {
        std::vector<double> data(pages_of_ints, 1.0);
        if (world.rank() == 1) {
            world.recv(data, 0, 0);
            return;
        }
        baton::request r = world.isend(data, 1, 0);
        volatile double* element = &data[pages_of_ints / 2];
        write_line = line_here() + 1;
        *element = 2.0;
        *element = 1.0;
        r.wait();
    });
    if (!strict) {
        CHECK(found.empty());  // the default's limit: the checksum sees the same bytes
        return;
    }
    REQUIRE(kinds(found) == std::vector{finding_kind::send_buffer_modified});
    CHECK_THAT(found[0].summary, contains("rank 0 changed the buffer of its isend before completing it at") &&
                                     contains("--strict-buffers caught the first write at"));
#if BATON_TEST_DEBUG_INFO
    CHECK_THAT(found[0].summary, contains("caught the first write at tests/core/buffers.cpp:" + std::to_string(write_line)));
#endif
}

TEST_CASE("--strict-buffers catches a read of a pending irecv's buffer, with its line", "[buffers][strict]") {
    int read_line = 0;
    const auto found = findings_of({.ranks = 2, .strict_buffers = true}, [&](communicator& world) {
        std::vector<int> data(pages_of_ints, 0);
        if (world.rank() == 1) {
            world.send(std::vector<int>(pages_of_ints, 5), 0, 0);
            return;
        }
        baton::request r = world.irecv(data, 1, 0);
        read_line = line_here() + 1;
        [[maybe_unused]] const int early = *static_cast<volatile int*>(&data[pages_of_ints / 2]);
        r.wait();
        REQUIRE(data[pages_of_ints / 2] == 5);  // the read went through, and the message arrived
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
    CHECK_THAT(found[0].summary, contains("rank 0 read the buffer of its irecv before completing it at") &&
                                     contains("--strict-buffers caught the first read at"));
#if BATON_TEST_DEBUG_INFO
    CHECK_THAT(found[0].summary, contains("caught the first read at tests/core/buffers.cpp:" + std::to_string(read_line)));
#endif
}

TEST_CASE("--strict-buffers passes correct programs and gives the memory back", "[buffers][strict]") {
    std::vector<int> kept(pages_of_ints, 0);  // outlives the run: must be writable after it
    const auto found = findings_of({.ranks = 3, .strict_buffers = true}, [&](communicator& world) {
        std::vector<int> out(pages_of_ints, world.rank()), in_fixed(pages_of_ints), in_vector;
        const int right = (world.rank() + 1) % 3, left = (world.rank() + 2) % 3;
        std::array<baton::request, 4> requests{world.irecv(in_fixed, left, 0), world.irecv(in_vector, left, 1),
                                               world.isend(out, right, 0), world.isend(out, right, 1)};
        long sum = 0;
        for (const int x : out) sum += x;  // reading a pending isend's buffer is allowed
        REQUIRE(sum == static_cast<long>(pages_of_ints) * world.rank());
        baton::wait_all(requests);
        REQUIRE(in_fixed[10] == left);
        REQUIRE(in_vector.size() == pages_of_ints);
        in_fixed[10] = 0;
        if (world.rank() == 0) {
            // Left pending at the end (a leak): its protection goes with the request.
            baton::request leaked = world.irecv(kept, 1, 9);
        }
    });
    CHECK(kinds(found) == std::vector{finding_kind::request_leak});
    kept[pages_of_ints / 2] = 1;  // would crash if the irecv's protection had stayed
    CHECK(kept[pages_of_ints / 2] == 1);
}

TEST_CASE("--strict-buffers leaves buffers smaller than a page to the checksum", "[buffers][strict]") {
    const auto found = findings_of({.ranks = 2, .strict_buffers = true}, [](communicator& world) {
        std::array<int, 16> data{};
        if (world.rank() == 1) {
            world.recv(data, 0, 0);
            return;
        }
        baton::request r = world.isend(data, 1, 0);
        data[3] = 1;
        r.wait();
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::send_buffer_modified});
    CHECK(found[0].summary.find("strict") == std::string::npos);
}

// ---- --poll-limit ------------------------------------------------------------------------------

namespace {

// Rank 0 polls for a message that never comes, `tries` times, then goes on; rank 1 waits for it.
void give_up_after(communicator& world, int tries) {
    if (world.rank() == 0) {
        int made = 0;
        while (!world.iprobe(1, 9) && ++made < tries) {
        }
        world.send(made, 1, 0);
    } else {
        const int made = world.recv<int>(0, 0);  // not inside REQUIRE: a deadlock unwinds through it
        REQUIRE(made == tries);
    }
}

}  // namespace

TEST_CASE("a polling loop that gives up by itself after more than --poll-limit polls", "[polling]") {
    auto program = [](communicator& world) { give_up_after(world, 12'000); };
    SECTION("is the false alarm of the default, and the report says how to raise the limit") {
        const auto found = findings_of({.ranks = 2}, program);
        REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
        REQUIRE_FALSE(found[0].calls.empty());
        CHECK_THAT(found[0].calls[0].call, contains("in a loop, in vain 10000 times in a row (a loop that gives up by "
                                                    "itself after more polls needs a higher --poll-limit, now 10000)"));
    }
    SECTION("passes with a higher limit, or none") {
        const std::uint64_t limit = GENERATE(std::uint64_t{12'001}, std::uint64_t{0});
        CHECK(findings_of({.ranks = 2, .poll_limit = limit}, program).empty());
    }
    SECTION("a lower limit reports a loop that can never succeed sooner") {
        const auto found = findings_of({.ranks = 2, .poll_limit = 50}, [](communicator& world) {
            if (world.rank() == 0)
                while (!world.iprobe(1, 9)) {
                }
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
        CHECK_THAT(found[0].calls[0].call, contains("in vain 50 times in a row") && contains("now 50"));
        CHECK_THAT(found[0].replay, contains("--poll-limit 50"));
    }
}

TEST_CASE("a polling loop seen to give up by itself gets room to do so again", "[polling]") {
    // The same loop gives up after 3000 polls, then after 11 000: the first time shows its exit is
    // a counter, so the second is no deadlock (up to 4 x 3000 polls are allowed there).
    const auto found = findings_of({.ranks = 2}, [](communicator& world) {
        for (const int tries : {3'000, 11'000}) give_up_after(world, tries);
    });
    CHECK(found.empty());
    // Without the first round, the second is the default's false alarm (see above); and a loop
    // elsewhere that never ends is still reported.
    const auto stuck = findings_of({.ranks = 2}, [](communicator& world) {
        give_up_after(world, 3'000);
        if (world.rank() == 0)
            while (!world.iprobe(1, 8)) {
            }
    });
    CHECK(kinds(stuck) == std::vector{finding_kind::deadlock});
}

TEST_CASE("the replay command names --poll-limit and --strict-buffers when they are not the default", "[options]") {
    CHECK(baton::sim::to_flags({.ranks = 2}).find("--poll-limit") == std::string::npos);
    CHECK(baton::sim::to_flags({.ranks = 2}).find("--strict-buffers") == std::string::npos);
    CHECK_THAT(baton::sim::to_flags({.ranks = 2, .poll_limit = 0, .strict_buffers = true}),
               contains("--poll-limit 0 --strict-buffers"));
}
