// The simulator's checks beyond plain deadlocks: buffering hazards, request lifecycle, messages
// nobody received, buffers touched while an operation was pending, and how findings are reported.
#include <array>
#include <atomic>

#include "catch2_compat.hpp"
#include "findings_of.hpp"
#include <nlohmann/json.hpp>

#include <baton/baton.hpp>

using baton::communicator;
using baton::finding_kind;
using baton_test::contains;
using baton_test::findings_of;
using baton_test::kinds;

namespace {


// Two ranks send to each other first and receive second: fine only if MPI buffers the sends.
void head_to_head(communicator& world, std::size_t elements) {
    const int other = 1 - world.rank();
    world.send(std::vector<double>(elements, 1.0), other, 0);
    world.recv<std::vector<double>>(other, 0);
}

}  // namespace

TEST_CASE("sends that only work when buffered: a potential deadlock without buffering", "[checks][buffering]") {
    auto program = [](communicator& world) { head_to_head(world, 100); };
    CHECK(findings_of({.ranks = 2}, program).empty());
    const auto found = findings_of({.ranks = 2, .sends = baton::sim::send_mode::synchronous}, program);
    REQUIRE(kinds(found) == std::vector{finding_kind::potential_deadlock});
    CHECK_THAT(found[0].summary, contains("potential deadlock"));
    CHECK(found[0].calls.size() == 2);
    CHECK(found[0].cycle == std::vector<int>{0, 1, 0});
}

TEST_CASE("large messages exchanged before receiving stay a potential deadlock while others run", "[checks][buffering]") {
    // Ranks 0 and 1 need buffering; ranks 2 and 3 exchange messages properly meanwhile. The run
    // grants the buffering, goes on to the end, and reports the first stuck set as potential.
    const auto seed = GENERATE(1u, 2u, 3u, 4u);
    const auto found = findings_of({.ranks = 4, .seed = seed, .sends = baton::sim::send_mode::synchronous},
                                   [](communicator& world) {
                                       if (world.rank() < 2) {
                                           head_to_head(world, 100'000);
                                       } else {
                                           const int other = 5 - world.rank();
                                           for (int i = 0, got = 0; i < 20; ++i) world.sendrecv(i, other, 1, got, other, 1);
                                       }
                                   });
    REQUIRE(kinds(found) == std::vector{finding_kind::potential_deadlock});
    CHECK_THAT(found[0].summary, contains("potential deadlock: 2 ranks wait for each other"));
    REQUIRE(found[0].calls.size() == 2);
    CHECK(found[0].calls[0].call == "send(dest=1, tag=0, comm=world)");
    CHECK(found[0].calls[1].call == "send(dest=0, tag=0, comm=world)");
    CHECK_THAT(found[0].replay, contains("--sends synchronous"));
}

TEST_CASE("a polling loop behind a withheld send is a potential deadlock", "[checks][buffering][polling]") {
    // Rank 1's first send needs buffering: rank 0 polls for the second one before receiving it.
    auto program = [](communicator& world) {
        if (world.rank() == 1) {
            world.send(5, 0, 5);
            world.send(6, 0, 6);
        } else {
            while (!world.iprobe(1, 6)) {
            }
            REQUIRE(world.recv<int>(1, 6) == 6);
            REQUIRE(world.recv<int>(1, 5) == 5);
        }
    };
    CHECK(findings_of({.ranks = 2}, program).empty());
    const auto found = findings_of({.ranks = 2, .sends = baton::sim::send_mode::synchronous}, program);
    REQUIRE(kinds(found) == std::vector{finding_kind::potential_deadlock});
    REQUIRE(found[0].calls.size() == 2);
    CHECK_THAT(found[0].calls[0].call, contains("iprobe(source=1, tag=6, comm=world) in a loop"));
    CHECK(found[0].calls[1].call == "send(dest=0, tag=5, comm=world)");
}

TEST_CASE("ranks polling for each other behind a withheld isend are a potential deadlock", "[checks][buffering][polling]") {
    // Rank 0 tests its isend until rank 1 receives it; rank 1 first polls for what rank 0 sends
    // only after that. Buffered, the isend completes at once and all is well.
    auto program = [](communicator& world) {
        if (world.rank() == 0) {
            baton::request r = world.isend(5, 1, 5);
            while (!r.test()) {
            }
            world.send(6, 1, 6);
        } else {
            while (!world.iprobe(0, 6)) {
            }
            REQUIRE(world.recv<int>(0, 6) == 6);
            REQUIRE(world.recv<int>(0, 5) == 5);
        }
    };
    CHECK(findings_of({.ranks = 2}, program).empty());
    const auto found = findings_of({.ranks = 2, .sends = baton::sim::send_mode::synchronous}, program);
    REQUIRE(kinds(found) == std::vector{finding_kind::potential_deadlock});
    REQUIRE(found[0].calls.size() == 2);
    CHECK_THAT(found[0].calls[0].call, contains("test of isend(dest=1, tag=5, comm=world)"));
    CHECK_THAT(found[0].calls[1].call, contains("iprobe(source=0, tag=6, comm=world) in a loop"));
}

TEST_CASE("an eager limit makes only large sends synchronous, like MPI's rendezvous", "[checks][buffering]") {
    const baton::sim::options eager{.ranks = 2, .sends = baton::sim::send_mode::eager, .eager_limit = 4096};
    CHECK(findings_of(eager, [](communicator& world) { head_to_head(world, 512); }).empty());  // 4096 bytes
    CHECK(kinds(findings_of(eager, [](communicator& world) { head_to_head(world, 513); })) ==
          std::vector{finding_kind::potential_deadlock});
}

TEST_CASE("a program that needs a collective's root to leave early", "[checks][buffering]") {
    // Rank 0 broadcasts, then sends; rank 1 receives first, then joins the broadcast. MPI may
    // let rank 0 leave the bcast at once, or not: the program depends on which.
    auto program = [](communicator& world) {
        int value = 5;
        if (world.rank() == 0) {
            world.bcast(value, 0);
            world.send(value, 1, 0);
        } else {
            world.recv(value, 0, 0);
            world.bcast(value, 0);
        }
    };
    CHECK(findings_of({.ranks = 2, .collectives = baton::sim::collective_mode::local}, program).empty());
    const auto found = findings_of({.ranks = 2}, program);
    REQUIRE(kinds(found) == std::vector{finding_kind::potential_deadlock});
    CHECK_THAT(found[0].text(), contains("bcast(root=0, 1 x int, comm=world)"));
}

TEST_CASE("collectives that complete locally still deliver everything", "[checks][buffering]") {
    const int ranks = GENERATE(1, 2, 3, 5);
    const auto seed = GENERATE(1u, 2u, 3u);
    const auto result = baton::sim::run(
        {.ranks = ranks, .seed = seed, .collectives = baton::sim::collective_mode::local}, [](communicator& world) {
            std::vector<int> data;
            if (world.rank() == 1 % world.size()) data = {4, 5, 6};
            world.bcast(data, 1 % world.size());
            std::vector<int> all(static_cast<std::size_t>(2 * world.size()));
            for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
            const auto mine = world.scatter(all, 0);
            const auto gathered = world.gather(mine[0] + mine[1], 0);
            const int total = world.reduce(world.rank(), baton::op::sum, 0);
            int checksum = data[0] + data[1] + data[2];
            if (world.rank() == 0) {
                for (int g : gathered) checksum += g;
                checksum += total;
            }
            return checksum;
        });
    const int n = ranks;
    CHECK(result.values[0] == 15 + n * (2 * n - 1) + n * (n - 1) / 2);
    for (int r = 1; r < n; ++r) CHECK(result.values[static_cast<std::size_t>(r)] == 15);
}

TEST_CASE("a collective some ranks never call is a deadlock in every mode", "[checks]") {
    const auto mode = GENERATE(baton::sim::collective_mode::synchronizing, baton::sim::collective_mode::local);
    const auto found = findings_of({.ranks = 3, .collectives = mode}, [](communicator& world) {
        int value = 1;
        if (world.rank() == 0) world.bcast(value, 0);
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
}

TEST_CASE("a deadlock among some ranks is reported while the others still run", "[checks][deadlock]") {
    std::atomic<int> exchanges{0};  // ranks share the process: count what ranks 2 and 3 got done
    const auto found = findings_of({.ranks = 4, .seed = 6}, [&](communicator& world) {
        if (world.rank() < 2) {
            world.recv<int>(1 - world.rank(), 0);
        } else {
            const int other = 5 - world.rank();
            for (int i = 0; i < 200; ++i) {
                int got = 0;  // not into i: a sendrecv's buffers must be disjoint
                world.sendrecv(i, other, 1, got, other, 1);
                ++exchanges;
            }
        }
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
    CHECK(found[0].calls.size() == 2);
    CHECK_THAT(found[0].summary, contains("2 ranks can never make progress (the other 2 still can)"));
    CHECK(exchanges < 400);
}

TEST_CASE("requests must be completed by wait or test", "[checks][requests]") {
    SECTION("an isend never waited for") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            if (world.rank() == 0) world.isend(1, 1, 0);
            else world.recv<int>(0, 0);
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::request_leak});
        CHECK(found[0].calls[0].rank == 0);
        CHECK_THAT(found[0].calls[0].call, contains("isend(dest=1, tag=0, comm=world) (done, never waited for)"));
        CHECK_THAT(found[0].calls[0].location, contains("checks.cpp:"));
    }
    SECTION("an irecv never completed, and the message it would have taken") {
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            int value = 0;
            if (world.rank() == 1) baton::request forgotten = world.irecv(value, 0, 3);
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::request_leak});
        CHECK_THAT(found[0].calls[0].call, contains("(still pending)"));
    }
    SECTION("waiting twice for one request is a usage error") {
        CHECK_THROWS_MATCHES(baton::sim::run_ranks({.ranks = 1}, [](communicator& world) {
                                 baton::request r = world.isend(1, 0, 0);
                                 world.recv<int>(0, 0);
                                 r.wait();
                                 r.wait();
                             }),
                             baton::rank_failed, Catch::Matchers::Predicate<baton::rank_failed>([](const auto& e) {
                                 return e.template original_is<baton::usage_error>() &&
                                        std::string(e.what()).find("already completed") != std::string::npos;
                             }));
    }
}

TEST_CASE("a message nobody received is reported at the end of the run", "[checks]") {
    const auto found = findings_of({.ranks = 3}, [](communicator& world) {
        if (world.rank() == 2) world.send(std::vector<int>(3), 0, 7);
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::unreceived_message});
    CHECK_THAT(found[0].summary, contains("rank 2 sent 12 bytes to rank 0 (tag 7, comm world)"));
    CHECK_THAT(found[0].calls[0].location, contains("checks.cpp:"));
}

TEST_CASE("an isend's data changed before its wait", "[checks][buffers]") {
    const auto found = findings_of({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 0) {
            std::vector<int> data{1, 2, 3};
            baton::request sending = world.isend(data, 1, 0);
            data[0] = 99;  // too early: MPI may still be reading it
            sending.wait();
        } else {
            world.recv<std::vector<int>>(0, 0);
        }
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::send_buffer_modified});
    CHECK_THAT(found[0].summary, contains("rank 0 changed the buffer of its isend"));
}

TEST_CASE("an irecv's buffer is poison until the wait", "[checks][buffers]") {
    const auto result = baton::sim::run({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 1) {
            world.send(7, 0, 0);
            world.barrier();
            return std::array<int, 2>{};
        }
        int value = 0;
        baton::request receiving = world.irecv(value, 1, 0);
        world.barrier();  // the message has certainly arrived
        const int early = value;
        receiving.wait();
        return std::array<int, 2>{early, value};
    });
    CHECK(result.values[0][0] == static_cast<int>(0xA5A5A5A5u));
    CHECK(result.values[0][1] == 7);
}

TEST_CASE("writing an irecv's buffer before its wait is caught", "[checks][buffers]") {
    const auto found = findings_of({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 1) {
            world.send(std::array<int, 3>{1, 2, 3}, 0, 0);
            return;
        }
        std::array<int, 3> buffer{};
        baton::request receiving = world.irecv(buffer, 1, 0);
        buffer[2] = 0;
        receiving.wait();
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::receive_buffer_modified});
}

TEST_CASE("correct non-blocking programs are not flagged", "[checks]") {
    const int ranks = GENERATE(1, 2, 3, 7);
    const auto mode = GENERATE(baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous);
    const auto result = baton::sim::run({.ranks = ranks, .sends = mode}, [](communicator& world) {
        const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
        std::vector<int> out{world.rank(), 1, 2}, in;
        std::array<baton::request, 2> requests{world.irecv(in, left, 0), world.isend(out, right, 0)};
        baton::wait_all(requests);
        int probe_me = world.rank();
        baton::request r = world.isend(probe_me, right, 1);
        while (!world.iprobe(left, 1)) {}
        world.recv<int>(left, 1);
        while (!r.test()) {}
        return in[0];
    });
    for (int r = 0; r < ranks; ++r) CHECK(result.values[static_cast<std::size_t>(r)] == (r + ranks - 1) % ranks);
}

TEST_CASE("a rank's escaped error is a finding of its kind", "[checks]") {
    const auto found = findings_of({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 0) world.send(std::vector<int>(5), 1, 0);
        else {
            std::array<int, 2> small{};
            world.recv(small, 0, 0);
        }
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::truncation});
    // Both ends of the message, in rank order: the send, and the receive it did not fit.
    REQUIRE(found[0].calls.size() == 2);
    CHECK(found[0].calls[0].rank == 0);
    CHECK(found[0].calls[0].call == "send(dest=1, tag=0, comm=world)");
    CHECK(found[0].calls[1].rank == 1);
    CHECK(found[0].calls[1].call == "recv(source=0, tag=0, comm=world)");
}

TEST_CASE("findings as JSON and as a Graphviz wait-for graph", "[checks][report]") {
    const auto found = findings_of({.ranks = 3, .seed = 2}, [](communicator& world) {
        const int left = (world.rank() + 2) % 3;
        world.recv<int>(left, 0);
    });
    REQUIRE(found.size() == 1);
    // The document of docs/report-schema.md: a versioned object around the findings.
    const auto report = nlohmann::json::parse(baton::to_json(found));
    REQUIRE(report.is_object());
    CHECK(report.size() == 3);
    CHECK(report["schema"] == "baton-findings");
    CHECK(report["version"] == 2);
    REQUIRE(report["findings"].is_array());
    const auto& json = report["findings"];
    REQUIRE(json.size() == 1);
    CHECK(json[0].size() == 7);  // kind, summary, calls, cycle, finished, notes, replay
    CHECK(json[0]["kind"] == "deadlock");
    CHECK_THAT(json[0]["summary"].get<std::string>(), contains("deadlock"));
    CHECK(json[0]["calls"].size() == 3);
    CHECK(json[0]["calls"][1].size() == 5);  // rank, call, location, waits_for, recent
    CHECK(json[0]["calls"][1]["rank"] == 1);
    CHECK(json[0]["calls"][1]["call"] == "recv(source=0, tag=0, comm=world)");
    CHECK(json[0]["calls"][1]["waits_for"] == std::vector<int>{0});
    CHECK(json[0]["calls"][1]["recent"].is_array());
    CHECK_THAT(json[0]["calls"][1]["location"].get<std::string>(), contains("checks.cpp:"));
    CHECK(json[0]["cycle"].size() == 4);
    CHECK(json[0]["finished"] == std::vector<int>{});
    CHECK(json[0]["notes"] == std::vector<std::string>{});
    CHECK_THAT(json[0]["replay"].get<std::string>(), contains("--ranks 3 --seed 2"));
    // No findings: the same object, with an empty list.
    CHECK(nlohmann::json::parse(baton::to_json({})) ==
          nlohmann::json{{"schema", "baton-findings"}, {"version", 2}, {"findings", nlohmann::json::array()}});

    const std::string dot = baton::to_dot(found[0]);
    CHECK_THAT(dot, contains("digraph waits_for {"));
    CHECK_THAT(dot, contains("r1 -> r0 [color=red, penwidth=2];"));
    CHECK_THAT(dot, contains("recv(source=2, tag=0, comm=world)"));
}
