// Issue #12: reports that point at the fix. Each finding names the rank, the call and the user's
// line on every side of the problem; deadlock reports say what waits unreceived in the stuck ranks'
// mailboxes and which communicator each rank number counts in; the same bug gets the same kind in
// every send mode; an explored failure says which choice made the difference.
#include <array>
#include <stdexcept>

#include "catch2_compat.hpp"
#include "findings_of.hpp"

#include <baton/baton.hpp>
#include <baton/profile.hpp>

using baton::communicator;
using baton::finding_kind;
using baton_test::contains;
using baton_test::findings_of;
using baton_test::kinds;

namespace {

// The line of a call in a rank body is taken before the run, as line_here() plus its distance
// below: a rank that wrote it into a variable of the test would write its own copy on process ranks.
int line_here(std::source_location where = std::source_location::current()) { return static_cast<int>(where.line()); }
std::string at(int line) { return "tests/core/reports.cpp:" + std::to_string(line); }

}  // namespace

// ---- Errors a rank lets escape -------------------------------------------------------------------

TEST_CASE("a message that does not fit its receive names the send and the receive, each with its line", "[reports]") {
    SECTION("another element type, received by recv") {
        const int send_line = line_here() + 3, receive_line = line_here() + 5;
        const auto found = findings_of({.ranks = 2}, [](communicator& world) {
            if (world.rank() == 0) {
                world.send(1.5, 1, 4);
            } else {
                world.recv<int>(0, 4);
            }
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::type_mismatch});
        CHECK_THAT(found[0].summary, contains("recv(source=0, tag=4, comm=world) at " + at(receive_line) + ": the message from rank 0 (send at " + at(send_line)));
        REQUIRE(found[0].calls.size() == 2);
        CHECK(found[0].calls[0].rank == 0);
        CHECK(found[0].calls[0].call == "send(dest=1, tag=4, comm=world)");
        CHECK_THAT(found[0].calls[0].location, contains(at(send_line)));
        CHECK(found[0].calls[1].rank == 1);
        CHECK(found[0].calls[1].call == "recv(source=0, tag=4, comm=world)");
        CHECK_THAT(found[0].calls[1].location, contains(at(receive_line)));
    }
    SECTION("too long, received by an irecv on a sub-communicator: the irecv's line") {
        const int send_line = line_here() + 4, receive_line = line_here() + 7;
        const auto found = findings_of({.ranks = 4}, [](communicator& world) {
            communicator pair = world.split(world.rank() / 2, 0);
            if (pair.rank() == 1) {
                pair.isend(std::vector<int>(6), 0, 0).wait();
            } else {
                std::array<int, 2> small{};
                baton::request r = pair.irecv(small, 1, 0);
                r.wait();
            }
        });
        REQUIRE(!found.empty());
        CHECK(found[0].kind == finding_kind::truncation);
        REQUIRE(found[0].calls.size() == 2);
        const int receiver = found[0].calls[0].rank;
        CHECK(receiver % 2 == 0);
        CHECK(found[0].calls[1].rank == receiver + 1);
        CHECK_THAT(found[0].calls[0].call, contains("irecv(source=1 (world rank " + std::to_string(receiver + 1) + "), tag=0"));
        CHECK_THAT(found[0].calls[0].location, contains(at(receive_line)));
        CHECK_THAT(found[0].calls[1].call, contains("isend(dest=0 (world rank " + std::to_string(receiver) + "), tag=0"));
        CHECK_THAT(found[0].calls[1].location, contains(at(send_line)));
        CHECK_THAT(found[0].summary, contains("the message from rank " + std::to_string(receiver + 1) + " (rank 1 of world.split"));
    }
}

TEST_CASE("a usage error a rank lets escape names its call and line", "[reports]") {
    const int line = line_here() + 2;
    const auto found = findings_of({.ranks = 2}, [](communicator& world) {
        if (world.rank() == 1) world.send(1, 0, -5);
        world.barrier();
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::invalid_argument});
    REQUIRE(found[0].calls.size() == 1);
    CHECK(found[0].calls[0].rank == 1);
    CHECK(found[0].calls[0].call == "send(comm=world)");
    CHECK_THAT(found[0].calls[0].location, contains(at(line)));
    CHECK_THAT(found[0].text(), contains("  rank 1: send(comm=world) at " + at(line)));
}

TEST_CASE("another exception names what the rank threw and its last baton call", "[reports]") {
    const int line = line_here() + 2;
    const auto found = findings_of({.ranks = 3}, [](communicator& world) {
        world.barrier();
        if (world.rank() == 2) throw std::invalid_argument("no such file");
        world.barrier();
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::rank_failure});
    REQUIRE(found[0].calls.size() == 1);
    CHECK(found[0].calls[0].rank == 2);
    CHECK(found[0].calls[0].call == "threw std::invalid_argument after barrier");
    CHECK_THAT(found[0].calls[0].location, contains(at(line)));
}

TEST_CASE("a null communicator's use names the operation and the line", "[reports]") {
    const int which = GENERATE(0, 1, 2, 3);
    const char* operations[] = {"rank", "size", "barrier", "send"};
    const int line = line_here() + 4 + which;  // the case of `which` below
    const auto found = findings_of({.ranks = 3}, [which](communicator& world) {
        communicator nothing = world.split(baton::undefined, 0);
        switch (which) {
            case 0: (void)nothing.rank(); break;
            case 1: (void)nothing.size(); break;
            case 2: nothing.barrier(); break;
            case 3: nothing.send(1, 0, 0); break;
        }
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::invalid_argument});
    CHECK_THAT(found[0].summary, contains(std::string(operations[which]) + " at " + at(line) +
                                          ": use of a null communicator"));
    REQUIRE(found[0].calls.size() == 1);
    CHECK_THAT(found[0].calls[0].location, contains(at(line)));
}

// ---- Deadlocks ---------------------------------------------------------------------------------

TEST_CASE("a deadlock in a sub-communicator says which rank numbers count in which communicator", "[reports]") {
    const auto found = findings_of({.ranks = 4}, [](communicator& world) {
        communicator odd = world.split(world.rank() % 2, 0);
        if (world.rank() % 2 == 0) return;
        if (odd.rank() == 0) odd.send(1, 1, 5);  // world rank 1 to world rank 3
        odd.recv<int>(1 - odd.rank(), 6);         // both wait for tag 6
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
    const std::string text = found[0].text();
    CHECK_THAT(text, contains("  rank 1 (rank 0 of world.split1(color=1)): recv(source=1 (world rank 3), tag=6, "
                              "comm=world.split1(color=1))"));
    CHECK_THAT(text, contains("  rank 3 (rank 1 of world.split1(color=1)): recv(source=0 (world rank 1), tag=6"));
    CHECK_THAT(text, contains("after step"));
    CHECK_THAT(text, contains("send to rank 3 (rank 1 of world.split1(color=1)), tag 5"));
    CHECK_THAT(text, contains("rank 3 (rank 1 of world.split1(color=1)) has an unreceived message from rank 1 (rank 0 "
                              "of world.split1(color=1)), tag 5"));
    CHECK(found[0].calls[0].waits_for == std::vector<int>{3});  // world ranks, as the JSON says
}

TEST_CASE("a collective mismatch in a sub-communicator says which rank numbers count in which communicator", "[reports]") {
    const auto found = findings_of({.ranks = 4}, [](communicator& world) {
        communicator odd = world.split(world.rank() % 2, 0);
        if (world.rank() % 2 == 0) return;
        int mine = world.rank();
        odd.bcast(mine, odd.rank());  // each its own root
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::collective_mismatch});
    CHECK_THAT(found[0].summary, contains("another root: rank 3 (rank 1 of world.split1(color=1)) called "
                                          "bcast(root=1 (world rank 3), 1 x int)"));
    CHECK_THAT(found[0].summary, contains("but rank 1 (rank 0 of world.split1(color=1)) called bcast(root=0 (world rank 1)"));
    CHECK_THAT(found[0].text(), contains("\n  rank 1 (rank 0 of world.split1(color=1)): bcast(root=0 (world rank 1)"));
}

TEST_CASE("a deadlock report lists the messages waiting unreceived in the stuck ranks' mailboxes", "[reports]") {
    const auto sends = GENERATE(baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous);
    SECTION("a wrong tag") {
        const int line = line_here() + 2;
        const auto found = findings_of({.ranks = 2, .sends = sends}, [](communicator& world) {
            if (world.rank() == 0) world.isend(1, 1, 7).wait();
            else world.recv<int>(0, 8);
        });
        REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
        CHECK_THAT(found[0].text(), contains("\n  rank 1 has an unreceived message from rank 0, tag 7, sent at " +
                                             at(line) + "; it waits for tag 8\n"));
    }
    // Rank 1's message is there before rank 0 waits for rank 2, which has finished.
    const int line = line_here() + 3;
    auto wrong_source = [](int tag) {
        return [tag](communicator& world) {
            baton::request r = world.rank() == 1 ? world.isend(1, 0, 2) : baton::request();
            world.barrier();
            if (world.rank() == 1) r.wait();
            else if (world.rank() == 0) world.recv<int>(2, tag);
        };
    };
    SECTION("a wrong source") {
        const auto found = findings_of({.ranks = 3, .sends = sends}, wrong_source(2));
        REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
        CHECK_THAT(found[0].text(), contains("rank 0 has an unreceived message from rank 1, tag 2, sent at " +
                                             at(line) + "; it waits for a message from rank 2"));
    }
    SECTION("both wrong") {
        const auto found = findings_of({.ranks = 3, .sends = sends}, wrong_source(3));
        REQUIRE(kinds(found) == std::vector{finding_kind::deadlock});
        CHECK_THAT(found[0].text(), contains("; it waits for rank 2, tag 3"));
    }
}

TEST_CASE("two ranks that send to each other first are not told of each other's message", "[reports]") {
    // The messages are the stuck sends themselves, which the report shows already.
    const auto found = findings_of({.ranks = 2, .sends = baton::sim::send_mode::synchronous}, [](communicator& world) {
        world.send(1, 1 - world.rank(), 0);
        world.recv<int>(1 - world.rank(), 0);
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::potential_deadlock});
    CHECK_THAT(found[0].text(), !contains("unreceived"));
}

// ---- The same bug, the same kind in every mode ----------------------------------------------------

TEST_CASE("a message its receiver finished without receiving is an unreceived message in every send mode", "[reports]") {
    const auto sends = GENERATE(baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous,
                                baton::sim::send_mode::eager);
    const int line = line_here() + 3;
    const auto found = findings_of({.ranks = 3, .sends = sends, .eager_limit = 4}, [](communicator& world) {
        if (world.rank() == 2) {
            world.send(std::vector<int>(4), 0, 9);  // 16 bytes: above the eager limit
            world.send(2, 1, 0);
        } else if (world.rank() == 1) {
            world.recv<int>(2, 0);
        }
    });
    REQUIRE(kinds(found) == std::vector{finding_kind::unreceived_message});
    const auto& f = found[0];
    CHECK_THAT(f.summary, contains("message never received: rank 2 sent 16 bytes to rank 0 (tag 9, comm world) and "
                                   "rank 0 finished without receiving it"));
    if (sends == baton::sim::send_mode::buffered) {
        CHECK(f.calls.size() == 1);
    } else {
        // The deadlock it causes: rank 2 waits for the receive forever (and rank 1, if it is
        // already waiting for rank 2 when rank 2 is found stuck, with it).
        CHECK_THAT(f.summary, contains("rank 2 waits for that receive forever: a deadlock"));
        REQUIRE(!f.calls.empty());
        const auto& sender = f.calls.back();
        CHECK(sender.rank == 2);
        CHECK(sender.call == "send(dest=0, tag=9, comm=world)");
        CHECK_THAT(sender.location, contains(at(line)));
        CHECK(sender.waits_for == std::vector<int>{0});
        CHECK(f.finished == std::vector<int>{0});
    }
}

TEST_CASE("a leaked irecv is a request leak in every send mode, not a deadlock blamed on the sender", "[reports]") {
    const auto sends = GENERATE(baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous);
    const auto found = findings_of({.ranks = 2, .sends = sends}, [](communicator& world) {
        int value = 0;
        if (world.rank() == 0) baton::request forgotten = world.irecv(value, 1, 0);
        else world.send(1, 0, 0);
    });
    CHECK(kinds(found) == std::vector{finding_kind::request_leak, finding_kind::unreceived_message});
}

// ---- Exploration ---------------------------------------------------------------------------------

TEST_CASE("an explored failure says which choice made the difference, with its call and its alternatives", "[reports][explore]") {
    SECTION("a wildcard receive") {
        const int send_line = line_here() + 3, receive_line = line_here() + 6;
        const auto result = baton::sim::explore_results({.ranks = 3}, [](communicator& world) {
            if (world.rank() != 0) {
                world.send(world.rank(), 0, 0);
                return 0;
            }
            const int first = world.recv<int>(baton::any_source, 0);
            world.recv<int>(baton::any_source, 0);
            return first;
        });
        REQUIRE(result.failure);
        CHECK(result.failure->kind == finding_kind::schedule_dependence);
        CHECK_THAT(result.failure->text(),
                   contains("the choice that made the difference: what rank 0's recv(source=any_source, tag=0, "
                            "comm=world) at " + at(receive_line) + " took: rank 1's send at " +
                            at(send_line) + " in the first execution, rank 2's send at " + at(send_line) +
                            " in this one"));
        // The call that chose, for tools.
        REQUIRE(result.failure->calls.size() == 1);
        CHECK(result.failure->calls[0].rank == 0);
        CHECK(result.failure->calls[0].call == "recv(source=any_source, tag=0, comm=world)");
        CHECK_THAT(result.failure->calls[0].location, contains(at(receive_line)));
    }
    SECTION("wait_any") {
        const int receive_line = line_here() + 8;
        const auto result = baton::sim::explore_results({.ranks = 3}, [](communicator& world) {
            if (world.rank() != 0) {
                world.send(world.rank(), 0, 0);
                return std::size_t{0};
            }
            int a = 0, b = 0;
            std::array<baton::request, 2> requests{world.irecv(a, 1, 0), world.irecv(b, 2, 0)};
            const auto first = baton::wait_any(requests);
            baton::wait_all(requests);
            return first->index;
        });
        REQUIRE(result.failure);
        CHECK_THAT(result.failure->text(), contains("the choice that made the difference: which request rank 0's wait_any at " +
                                                    at(receive_line) + " completed: irecv(source=1"));
    }
    SECTION("an iprobe") {
        const int receive_line = line_here() + 8;
        const auto result = baton::sim::explore_results({.ranks = 2}, [](communicator& world) {
            if (world.rank() == 1) {
                world.send(1, 0, 0);
                world.barrier();
                return false;
            }
            world.barrier();
            const bool seen = world.iprobe(1, 0).has_value();
            world.recv<int>(1, 0);
            return seen;
        });
        REQUIRE(result.failure);
        CHECK_THAT(result.failure->text(), contains("the choice that made the difference: what rank 0's iprobe(source=1, "
                                                    "tag=0, comm=world) at " + at(receive_line) + " saw"));
        CHECK_THAT(result.failure->text(), contains("nothing yet"));
    }
    SECTION("a deadlock that only one matching reaches: the note comes with it") {
        const auto result = baton::sim::explore({.ranks = 3}, [](communicator& world) {
            if (world.rank() == 0) {
                if (world.recv<int>(baton::any_source, 0) == 2) world.recv<int>(1, 5);  // rank 1 sends no tag 5
                world.recv<int>(baton::any_source, 0);
            } else {
                world.send(world.rank(), 0, 0);
            }
        });
        REQUIRE(result.failure);
        CHECK(result.failure->kind == finding_kind::deadlock);
        CHECK_THAT(result.failure->text(), contains("the choice that made the difference: what rank 0's recv(source=any_source"));
    }
}

// ---- --profile's call sites ----------------------------------------------------------------------

TEST_CASE("the profile counts one site per file, line and operation, whichever copy of their text a call names", "[reports]") {
    baton::detail::profile_recorder recorder(1);
    const auto where = std::source_location::current();
    // The same text at another address, as another translation unit's literal "send" may be.
    static const char other_copy[] = "send";
    recorder.began(0, "send", where, 1.0);
    recorder.ended(0, 2.0);
    recorder.began(0, other_copy, where, 3.0);
    recorder.ended(0, 5.0);
    recorder.moved(0, other_copy, where, 8, 0);
    const baton::profile p = recorder.result("simulator", "real", false);
    REQUIRE(p.sites.size() == 1);
    CHECK(p.sites[0].operation == "send");
    CHECK(p.sites[0].ranks[0].calls == 2);
    CHECK(p.sites[0].ranks[0].bytes_sent == 8);
    CHECK(p.sites[0].ranks[0].call_seconds == 3.0);
}
