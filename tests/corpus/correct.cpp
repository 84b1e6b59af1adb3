// Correct programs that look suspicious: wildcards, odd orders of waits, probes, zero-length and
// self messages, communicators made by split and dup, unusual buffers. None may give a finding,
// in any mode; each checks its results, so that a wrong delivery fails its rank.
#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;
using baton::ragged;

// ---- Point-to-point ---------------------------------------------------------------------------

// Every worker sends with its own tag; the master takes any source, any tag, and sorts it out
// from the status.
CORPUS_PROGRAM(wildcard_receives_sorted_by_status) {
    if (world.rank() == 0) {
        std::vector<int> got(static_cast<std::size_t>(world.size()), -1);
        for (int i = 1; i < world.size(); ++i) {
            int value = 0;
            const auto st = world.recv(value, baton::any_source, baton::any_tag);
            corpus::expect(st.tag == st.source + 10 && value == st.source * st.source, "tag and value of the sender");
            got[static_cast<std::size_t>(st.source)] = value;
        }
        for (int r = 1; r < world.size(); ++r) corpus::expect(got[static_cast<std::size_t>(r)] == r * r, "every sender once");
    } else {
        world.send(world.rank() * world.rank(), 0, world.rank() + 10);
    }
}
CORPUS_RUN(wildcard_receives_sorted_by_status, "correct", correct, .ranks = 5);
CORPUS_RUN(wildcard_receives_sorted_by_status, "correct", correct, .ranks = 5, .sends = synchronous);

// Messages from one sender with one tag arrive in the order sent, also through any_tag receives.
CORPUS_PROGRAM(messages_are_not_overtaken) {
    if (world.rank() == 0) {
        for (int i = 0; i < 20; ++i) world.send(i, 1, i % 2);
    } else {
        for (int i = 0; i < 20; ++i) {
            const auto st = i % 3 == 0 ? world.probe(0, baton::any_tag) : baton::status{};
            int value = -1;
            world.recv(value, 0, baton::any_tag);
            corpus::expect(value == i, "messages in the order sent");
            if (i % 3 == 0) corpus::expect(st.tag == i % 2, "the probe saw the next message");
        }
    }
}
CORPUS_RUN(messages_are_not_overtaken, "correct", correct, .ranks = 2);

// Two tags, received in the opposite order from the one sent: legal, each tag is its own queue.
CORPUS_PROGRAM(tags_received_out_of_order_with_buffering) {
    if (world.rank() == 0) {
        world.send(std::string("first"), 1, 1);
        world.send(std::string("second"), 1, 2);
    } else {
        corpus::expect(world.recv<std::string>(0, 2) == "second", "tag 2");
        corpus::expect(world.recv<std::string>(0, 1) == "first", "tag 1");
    }
}
CORPUS_RUN(tags_received_out_of_order_with_buffering, "correct", correct, .ranks = 2);

// isends and irecvs completed in the reverse of the order they were started.
CORPUS_PROGRAM(waits_in_reverse_order) {
    const int n = world.size();
    std::vector<int> in(static_cast<std::size_t>(n), -1);
    std::vector<baton::request> requests;
    for (int r = 0; r < n; ++r) {
        requests.push_back(world.irecv(in[static_cast<std::size_t>(r)], r, 0));
        requests.push_back(world.isend(world.rank() * 100 + r, r, 0));
    }
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) it->wait();
    for (int r = 0; r < n; ++r) corpus::expect(in[static_cast<std::size_t>(r)] == r * 100 + world.rank(), "one from each");
}
CORPUS_RUN(waits_in_reverse_order, "correct", correct, .ranks = 4);
CORPUS_RUN(waits_in_reverse_order, "correct", correct, .ranks = 4, .sends = synchronous);

// wait_any until every request is done, then wait_all over the completed ones (a no-op).
CORPUS_PROGRAM(wait_any_until_done) {
    const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
    std::array<int, 3> in{};
    std::vector<baton::request> requests;
    for (int i = 0; i < 3; ++i) requests.push_back(world.irecv(in[static_cast<std::size_t>(i)], left, i));
    for (int i = 2; i >= 0; --i) requests.push_back(world.isend(int{i}, right, i));  // a copy: i changes
    int done = 0;
    while (const auto c = baton::wait_any(requests)) ++done;
    corpus::expect(done == 6 && in == std::array<int, 3>{0, 1, 2}, "all six done");
}
CORPUS_RUN(wait_any_until_done, "correct", correct, .ranks = 3);
CORPUS_RUN(wait_any_until_done, "correct", correct, .ranks = 3, .sends = synchronous);

// wait_some until every request is done; then test_all of the same requests (all inactive) says
// yes at once (issue 14: completion).
CORPUS_PROGRAM(wait_some_until_done) {
    const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
    std::array<int, 3> in{};
    std::vector<baton::request> requests;
    for (int i = 0; i < 3; ++i) requests.push_back(world.irecv(in[static_cast<std::size_t>(i)], left, i));
    for (int i = 2; i >= 0; --i) requests.push_back(world.isend(int{i}, right, i));
    std::size_t done = 0;
    for (auto some = baton::wait_some(requests); !some.empty(); some = baton::wait_some(requests)) done += some.size();
    corpus::expect(done == 6 && in == std::array<int, 3>{0, 1, 2} && baton::test_all(requests).has_value(),
                   "all six done");
}
CORPUS_RUN(wait_some_until_done, "correct", correct, .ranks = 3);
CORPUS_RUN(wait_some_until_done, "correct", correct, .ranks = 3, .sends = synchronous);

// Polling with test_any and test_all until the exchange is complete.
CORPUS_PROGRAM(test_any_then_test_all_until_done) {
    const int other = 1 - world.rank();
    std::array<int, 2> in{};
    std::array<baton::request, 3> requests{world.irecv(in[0], other, 0), world.irecv(in[1], other, 1),
                                           world.isend(world.rank(), other, 0)};
    world.send(world.rank() + 10, other, 1);
    while (!baton::test_any(requests)) {
    }
    while (!baton::test_all(requests)) {
    }
    corpus::expect(in[0] == other && in[1] == other + 10, "both messages");
}
CORPUS_RUN(test_any_then_test_all_until_done, "correct", correct, .ranks = 2);
CORPUS_RUN(test_any_then_test_all_until_done, "correct", correct, .ranks = 2, .sends = synchronous);

// Persistent requests around a ring, a new value in the same buffer each round, the value changed
// only between activations.
CORPUS_PROGRAM(persistent_ring) {
    const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
    int value = 0, got = -1;
    std::array<baton::request, 2> requests{world.recv_init(got, left, 0), world.ssend_init(value, right, 0)};
    bool right_values = true;
    for (int round = 0; round < 3; ++round) {
        value = world.rank() * 10 + round;
        baton::start_all(requests);
        baton::wait_all(requests);
        right_values = right_values && got == left * 10 + round;
    }
    corpus::expect(right_values, "each round's value");
}
CORPUS_RUN(persistent_ring, "correct", correct, .ranks = 3);
CORPUS_RUN(persistent_ring, "correct", correct, .ranks = 3, .sends = synchronous);

// A receive for a message that may never come, cancelled and completed; the status says whether
// it was cancelled or took the message (here nobody sends it).
CORPUS_PROGRAM(cancel_a_receive_nobody_matched) {
    int value = 0;
    baton::request optional_message = world.irecv(value, baton::any_source, 7);
    world.barrier();
    optional_message.cancel();
    const baton::status s = optional_message.wait();
    corpus::expect(s.cancelled, "cancelled");
}
CORPUS_RUN(cancel_a_receive_nobody_matched, "correct", correct, .ranks = 3);

// Non-blocking collectives overlapping point-to-point traffic, completed in another order than
// they were started.
CORPUS_PROGRAM(icolls_around_a_ring) {
    const int n = world.size(), r = world.rank();
    int value = r == 0 ? 9 : 0, sum = 0;
    baton::request bcast = world.ibcast(value, 0);
    baton::request total = world.iallreduce(r, sum, baton::op::sum);
    baton::request to_right = world.isend(r, (r + 1) % n, 3);
    (void)world.recv<int>((r + n - 1) % n, 3);
    to_right.wait();
    total.wait();
    bcast.wait();
    corpus::expect(value == 9 && sum == n * (n - 1) / 2, "broadcast and summed");
}
CORPUS_RUN(icolls_around_a_ring, "correct", correct, .ranks = 3);

// Non-blocking gathers and scatters, the v-forms' receivers shaped beforehand, waited for in
// another order than they were started (issue 14: igather).
CORPUS_PROGRAM(igathers_waited_in_reverse) {
    const int n = world.size(), r = world.rank();
    std::vector<std::size_t> counts;
    for (int s = 0; s < n; ++s) counts.push_back(static_cast<std::size_t>(s));
    std::vector<std::vector<int>> blocks;
    for (int s = 0; s < n; ++s) blocks.push_back(std::vector<int>(static_cast<std::size_t>(s), s));
    ragged<int> everyone(counts);
    std::vector<int> mine(static_cast<std::size_t>(r)), ranks;
    baton::request scattering = world.iscatterv(ragged<int>::from_blocks(blocks), mine, 0);
    baton::request gathering = world.iallgather(r, ranks);
    baton::request sharing = world.iallgatherv(std::vector<int>(static_cast<std::size_t>(r), r), everyone);
    sharing.wait();
    gathering.wait();
    scattering.wait();
    corpus::expect(mine == std::vector<int>(static_cast<std::size_t>(r), r) && ranks.size() == static_cast<std::size_t>(n) &&
                       everyone == ragged<int>::from_blocks(blocks),
                   "scattered and gathered");
}
CORPUS_RUN(igathers_waited_in_reverse, "correct", correct, .ranks = 3);

// Some requests waited for one by one, the rest by wait_all over all of them: wait_all skips the
// requests already completed, as MPI_Waitall skips MPI_REQUEST_NULL.
CORPUS_PROGRAM(wait_all_after_waiting_for_some) {
    const int other = 1 - world.rank();
    std::array<int, 2> in{};
    std::array<baton::request, 3> requests{world.irecv(in[0], other, 0), world.irecv(in[1], other, 1),
                                           world.isend(std::array<int, 1>{world.rank()}, other, 0)};
    world.send(world.rank() + 10, other, 1);
    requests[0].wait();
    baton::wait_all(requests);
    corpus::expect(in[0] == other && in[1] == other + 10, "both messages");
}
CORPUS_RUN(wait_all_after_waiting_for_some, "correct", correct, .ranks = 2);

// test() in a loop until it succeeds; a further test() of the completed request gives an empty
// status, as MPI_Test does on MPI_REQUEST_NULL.
CORPUS_PROGRAM(test_until_done_then_test_again) {
    if (world.rank() == 1) {
        world.send(std::vector<int>{4, 5}, 0, 0);
        return;
    }
    std::vector<int> in;
    baton::request r = world.irecv(in, 1, 0);
    std::optional<baton::status> st;
    while (!(st = r.test())) {
    }
    corpus::expect(st->count<int>() == 2 && in == std::vector<int>{4, 5}, "two ints");
    corpus::expect(r.test().has_value() && !r.pending(), "an inactive request tests as done");
}
CORPUS_RUN(test_until_done_then_test_again, "correct", correct, .ranks = 2);

// Requests moved around (into a vector, out of it, swapped) and completed once each; a
// default-constructed request waited for, which does nothing.
CORPUS_PROGRAM(requests_moved_then_completed) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    baton::request first = world.irecv(a, other, 0);
    baton::request second = world.irecv(b, other, 1);
    std::vector<baton::request> all;
    all.push_back(std::move(second));
    all.push_back(world.isend(world.rank() + 1, other, 1));
    std::swap(first, all.front());  // now first receives tag 1, all.front() tag 0
    world.send(world.rank() + 5, other, 0);
    baton::wait_all(all);
    first.wait();
    baton::request nothing;
    nothing.wait();
    corpus::expect(a == other + 5 && b == other + 1, "both messages");
}
CORPUS_RUN(requests_moved_then_completed, "correct", correct, .ranks = 2);

// Probe for the size, then receive into a fixed buffer of exactly that size.
CORPUS_PROGRAM(probe_then_receive_exactly) {
    if (world.rank() != 0) {
        world.send(std::vector<double>(static_cast<std::size_t>(world.rank() * 3), 1.0), 0, 0);
        return;
    }
    double total = 0;
    for (int i = 1; i < world.size(); ++i) {
        const auto st = world.probe(baton::any_source, 0);
        std::vector<double> storage(st.count<double>());
        std::span<double> exact(storage);
        world.recv(exact, st.source, st.tag);
        total += std::accumulate(storage.begin(), storage.end(), 0.0);
    }
    corpus::expect(total == 3.0 * (1 + 2 + 3), "every element");
}
CORPUS_RUN(probe_then_receive_exactly, "correct", correct, .ranks = 4);
CORPUS_RUN(probe_then_receive_exactly, "correct", correct, .ranks = 4, .sends = synchronous);

// iprobe in a loop until the message has come.
CORPUS_PROGRAM(iprobe_until_the_message_comes) {
    if (world.rank() == 1) {
        world.barrier();
        world.send(3, 0, 9);
    } else {
        world.barrier();
        std::optional<baton::status> st;
        while (!(st = world.iprobe(1, 9))) {
        }
        corpus::expect(world.recv<int>(st->source, st->tag) == 3, "the probed message");
    }
}
CORPUS_RUN(iprobe_until_the_message_comes, "correct", correct, .ranks = 2);
CORPUS_RUN(iprobe_until_the_message_comes, "correct", correct, .ranks = 2, .sends = synchronous);

// Polling far longer than the simulator's bound for a loop in vain (10 000 polls while nothing
// else happens, backends/sim/polling.hpp) while the sender is busy with other messages first.
CORPUS_PROGRAM(test_while_the_sender_is_busy) {
    if (world.rank() == 1) {
        for (int i = 0; i < 12'000; ++i) {
            world.send(i, 1, 1);
            corpus::expect(world.recv<int>(1, 1) == i, "its own message");
        }
        world.send(3, 0, 0);
    } else {
        int value = 0;
        baton::request r = world.irecv(value, 1, 0);
        while (!r.test()) {
        }
        corpus::expect(value == 3, "the message");
    }
}
// On fibers: its 24 000 messages and the polls between them are hand-offs between ranks, which cost
// threads (and processes) many times more; what the checker sees is the same in every context.
CORPUS_RUN(test_while_the_sender_is_busy, "correct", correct, .ranks = 2, .context = baton::sim::rank_context::fiber);

// Zero-length messages: an empty vector, into a vector, into an empty span and into an irecv.
CORPUS_PROGRAM(zero_length_messages) {
    if (world.rank() == 0) {
        world.send(std::vector<int>{}, 1, 0);
        world.send(std::vector<int>{}, 1, 1);
        world.isend(std::string(), 1, 2).wait();
    } else {
        std::vector<int> v{1, 2, 3};
        corpus::expect(world.recv(v, 0, 0).bytes == 0 && v.empty(), "an empty vector");
        std::span<int> nothing;
        corpus::expect(world.recv(nothing, 0, 1).bytes == 0, "into an empty span");
        std::string s = "not empty";
        baton::request r = world.irecv(s, 0, 2);
        r.wait();
        corpus::expect(s.empty(), "an empty string");
    }
}
CORPUS_RUN(zero_length_messages, "correct", correct, .ranks = 2);
CORPUS_RUN(zero_length_messages, "correct", correct, .ranks = 2, .sends = synchronous);

// A message to oneself that does match: the isend does not block, the receive takes it.
CORPUS_PROGRAM(isend_to_self_then_receive) {
    baton::request r = world.isend(world.rank() + 1, world.rank(), 0);
    corpus::expect(world.recv<int>(world.rank(), 0) == world.rank() + 1, "own message");
    r.wait();
    int in = 0;
    world.sendrecv(world.rank() * 2, world.rank(), 1, in, world.rank(), 1);
    corpus::expect(in == world.rank() * 2, "own sendrecv");
}
CORPUS_RUN(isend_to_self_then_receive, "correct", correct, .ranks = 3);
CORPUS_RUN(isend_to_self_then_receive, "correct", correct, .ranks = 3, .sends = synchronous);

// A string received as a vector of chars: the same element type.
CORPUS_PROGRAM(string_received_as_chars) {
    if (world.rank() == 0) world.send(std::string("abc"), 1, 0);
    else corpus::expect(world.recv<std::vector<char>>(0, 0) == std::vector<char>{'a', 'b', 'c'}, "three chars");
}
CORPUS_RUN(string_received_as_chars, "correct", correct, .ranks = 2);

// A short message into a larger fixed buffer: allowed, the status says how much came.
CORPUS_PROGRAM(short_message_into_a_larger_buffer) {
    if (world.rank() == 0) {
        world.send(std::vector<int>{7, 8}, 1, 0);
    } else {
        std::array<int, 5> buffer{};
        const auto st = world.recv(buffer, 0, 0);
        corpus::expect(st.count<int>() == 2 && buffer[0] == 7 && buffer[1] == 8, "two of five");
    }
}
CORPUS_RUN(short_message_into_a_larger_buffer, "correct", correct, .ranks = 2);

// Serialized values: a map and a vector of strings, also through isend and irecv.
struct record {
    std::string name;
    std::vector<double> values;
    template <class Archive>
    void serialize(Archive& ar) { ar(name, values); }
};
CORPUS_PROGRAM(serialized_messages) {
    const int other = 1 - world.rank();
    std::map<std::string, int> table{{"rank", world.rank()}};
    record in;
    baton::request r = world.irecv(in, other, 1);
    baton::request s = world.isend(table, other, 0);
    table["rank"] = 99;  // the isend serialized it already: changing it is fine
    world.send(record{"r" + std::to_string(world.rank()), {1.5, 2.5}}, other, 1);
    const auto got = world.recv<std::map<std::string, int>>(other, 0);
    r.wait();
    s.wait();
    corpus::expect(got.at("rank") == other && in.name == "r" + std::to_string(other) && in.values.size() == 2,
                   "the other's map and record");
}
CORPUS_RUN(serialized_messages, "correct", correct, .ranks = 2);

// An isend's buffer changed only after the wait; an rvalue moved into the isend.
CORPUS_PROGRAM(buffers_reused_after_completion) {
    const int other = 1 - world.rank();
    std::vector<int> out{1, 2, 3};
    std::array<int, 3> in{};
    baton::request r = world.irecv(in, other, 0);
    baton::request s = world.isend(out, other, 0);
    s.wait();
    out.assign(10, 0);  // completed: the buffer is the program's again
    r.wait();
    in[0] = 5;
    std::vector<int> moved(4, world.rank());
    baton::request t = world.isend(std::move(moved), other, 1);
    moved.assign(2, -1);  // NOLINT(bugprone-use-after-move): the request owns the data
    corpus::expect(world.recv<std::vector<int>>(other, 1) == std::vector<int>(4, other), "the moved vector");
    t.wait();
}
CORPUS_RUN(buffers_reused_after_completion, "correct", correct, .ranks = 2);
CORPUS_RUN(buffers_reused_after_completion, "correct", correct, .ranks = 2, .sends = synchronous);

// Messages on a dup'ed communicator never match receives on the original, even with equal tags.
CORPUS_PROGRAM(same_tag_on_two_communicators) {
    communicator copy = world.dup();
    if (world.rank() == 0) {
        baton::request a = world.isend(1, 1, 0);
        baton::request b = copy.isend(2, 1, 0);
        a.wait();
        b.wait();
    } else {
        corpus::expect(copy.recv<int>(0, 0) == 2, "the copy's message");
        corpus::expect(world.recv<int>(0, 0) == 1, "the world's message");
    }
}
CORPUS_RUN(same_tag_on_two_communicators, "correct", correct, .ranks = 2);
CORPUS_RUN(same_tag_on_two_communicators, "correct", correct, .ranks = 2, .sends = synchronous);

// Many small messages between a pair, in both directions at once.
CORPUS_PROGRAM(many_messages_both_ways) {
    const int other = 1 - world.rank();
    long sum = 0;
    for (int i = 0; i < 100; ++i) {
        long in = 0;
        world.sendrecv(static_cast<long>(i), other, i % 7, in, other, i % 7);
        sum += in;
    }
    corpus::expect(sum == 4950, "0 + ... + 99");
}
CORPUS_RUN(many_messages_both_ways, "correct", correct, .ranks = 2, .sends = synchronous);

// ---- Collectives ------------------------------------------------------------------------------

// The root broadcasts a vector; others receive into a vector, a span or an array of its size.
CORPUS_PROGRAM(bcast_into_vectors_spans_and_arrays) {
    std::array<int, 4> fixed{};
    std::vector<int> storage(4);
    std::vector<int> growing;
    if (world.rank() == 0) {
        growing = {1, 2, 3, 4};
        world.bcast(growing, 0);
    } else if (world.rank() == 1) {
        world.bcast(std::span<int>(storage), 0);
        corpus::expect(storage == std::vector<int>{1, 2, 3, 4}, "into a span");
    } else if (world.rank() == 2) {
        world.bcast(fixed, 0);
        corpus::expect(fixed == std::array<int, 4>{1, 2, 3, 4}, "into an array");
    } else {
        world.bcast(growing, 0);
        corpus::expect(growing == std::vector<int>{1, 2, 3, 4}, "into a vector");
    }
}
CORPUS_RUN(bcast_into_vectors_spans_and_arrays, "correct", correct, .ranks = 4);
CORPUS_RUN(bcast_into_vectors_spans_and_arrays, "correct", correct, .ranks = 4, .collectives = local);

// exscan's result on rank 0 is undefined in MPI; a program that does not use it is correct.
CORPUS_PROGRAM(exscan_result_unused_on_rank_0) {
    const int before = world.exscan(world.rank() + 1, baton::op::sum);
    if (world.rank() > 0) corpus::expect(before == world.rank() * (world.rank() + 1) / 2, "sum of lower ranks + 1");
    const int upto = world.scan(world.rank() + 1, baton::op::sum);
    corpus::expect(upto == (world.rank() + 1) * (world.rank() + 2) / 2, "scan");
}
CORPUS_RUN(exscan_result_unused_on_rank_0, "correct", correct, .ranks = 5);

// gatherv and allgatherv with different counts on every rank, including none.
CORPUS_PROGRAM(gatherv_with_uneven_and_empty_blocks) {
    const std::vector<int> mine(static_cast<std::size_t>(world.rank()), world.rank());
    const auto at_root = world.gatherv(mine, world.size() - 1);
    const auto everywhere = world.allgatherv(mine);
    corpus::expect(everywhere.blocks() == static_cast<std::size_t>(world.size()), "one block per rank");
    for (int r = 0; r < world.size(); ++r) corpus::expect(everywhere.count(static_cast<std::size_t>(r)) == static_cast<std::size_t>(r), "r elements from rank r");
    if (world.rank() == world.size() - 1) corpus::expect(at_root == everywhere, "the root has the same");
}
CORPUS_RUN(gatherv_with_uneven_and_empty_blocks, "correct", correct, .ranks = 4);
CORPUS_RUN(gatherv_with_uneven_and_empty_blocks, "correct", correct, .ranks = 4, .collectives = local);

// gatherv of a scalar on some ranks and of a vector on others: counts may differ, types agree.
CORPUS_PROGRAM(gatherv_of_scalars_and_vectors) {
    ragged<int> all;
    if (world.rank() % 2 == 0) all = world.gatherv(world.rank(), 0);
    else all = world.gatherv(std::vector<int>{world.rank(), world.rank()}, 0);
    if (world.rank() == 0) corpus::expect(all.data() == std::vector<int>{0, 1, 1, 2}, "1 + 2 + 1 elements");
}
CORPUS_RUN(gatherv_of_scalars_and_vectors, "correct", correct, .ranks = 3);

CORPUS_PROGRAM(scatterv_uneven) {
    ragged<double> parts;
    if (world.rank() == 1) parts = ragged<double>::from_blocks({{}, {1.0}, {2.0, 3.0}, {4.0, 5.0, 6.0}});
    const auto mine = world.scatterv(parts, 1);
    corpus::expect(mine.size() == static_cast<std::size_t>(world.rank()), "rank r gets r elements");
}
CORPUS_RUN(scatterv_uneven, "correct", correct, .ranks = 4);
CORPUS_RUN(scatterv_uneven, "correct", correct, .ranks = 4, .collectives = local);

// Every collective once, on 1 rank.
CORPUS_PROGRAM(every_collective_on_one_rank) {
    world.barrier();
    int value = 3;
    world.bcast(value, 0);
    corpus::expect(world.scatter(std::vector<int>{5}, 0) == std::vector<int>{5}, "scatter");
    corpus::expect(world.gather(1, 0) == std::vector<int>{1}, "gather");
    corpus::expect(world.allgather(2) == std::vector<int>{2}, "allgather");
    corpus::expect(world.alltoall(std::vector<int>{6}) == std::vector<int>{6}, "alltoall");
    corpus::expect(world.reduce(4, baton::op::prod, 0) == 4, "reduce");
    corpus::expect(world.allreduce(4, baton::op::max) == 4, "allreduce");
    corpus::expect(world.scan(4, baton::op::sum) == 4, "scan");
    world.exscan(4, baton::op::sum);
    corpus::expect(world.gatherv(std::vector<int>{1, 2}, 0).data().size() == 2, "gatherv");
    corpus::expect(world.allgatherv(std::vector<int>{1, 2}).data().size() == 2, "allgatherv");
    corpus::expect(world.scatterv(ragged<int>::from_blocks({{7}}), 0) == std::vector<int>{7}, "scatterv");
    communicator single = world.split(0, 0);
    communicator copy = single.dup();
    copy.barrier();
}
CORPUS_RUN(every_collective_on_one_rank, "correct", correct, .ranks = 1);

// alltoall blocks of two, and a reduction written as std::plus on some ranks and op::sum on others.
CORPUS_PROGRAM(alltoall_and_equivalent_reductions) {
    const int n = world.size();
    std::vector<int> out;
    for (int r = 0; r < n; ++r) out.insert(out.end(), {world.rank(), r});
    const auto in = world.alltoall(out);
    for (int r = 0; r < n; ++r) corpus::expect(in[2 * static_cast<std::size_t>(r)] == r && in[2 * static_cast<std::size_t>(r) + 1] == world.rank(), "block from r");
    const int total = world.rank() % 2 ? world.allreduce(1, std::plus<>{}) : world.allreduce(1, baton::op::sum);
    corpus::expect(total == n, "sum of ones");
}
CORPUS_RUN(alltoall_and_equivalent_reductions, "correct", correct, .ranks = 4);

// A user reduction that is associative but not commutative: 2x2 matrix products in rank order.
struct matrix {
    long a, b, c, d;
    friend bool operator==(const matrix&, const matrix&) = default;
};
CORPUS_PROGRAM(non_commutative_user_reduction) {
    auto multiply = [](const matrix& x, const matrix& y) {
        return matrix{x.a * y.a + x.b * y.c, x.a * y.b + x.b * y.d, x.c * y.a + x.d * y.c, x.c * y.b + x.d * y.d};
    };
    const matrix mine{1, world.rank(), 0, 1};  // shears: their product is {1, sum, 0, 1}
    const matrix swap{0, 1, 1, 0};
    const matrix product = world.allreduce(mine, multiply);
    const int n = world.size();
    corpus::expect(product == matrix{1, n * (n - 1) / 2, 0, 1}, "product of shears");
    const matrix prefix = world.scan(world.rank() == 0 ? swap : mine, multiply);
    if (world.rank() == 1) corpus::expect(prefix == multiply(swap, mine), "swap times shear, in that order");
}
CORPUS_RUN(non_commutative_user_reduction, "correct", correct, .ranks = 4);

// Collectives on the halves of a split, interleaved with collectives on the world in the same
// order everywhere.
CORPUS_PROGRAM(collectives_on_split_communicators) {
    communicator half = world.split(world.rank() % 2, -world.rank());  // reversed order in each half
    corpus::expect(half.size() == (world.size() + 1 - world.rank() % 2) / 2, "half the ranks");
    const int sum_half = half.allreduce(world.rank(), baton::op::sum);
    const int sum_all = world.allreduce(world.rank(), baton::op::sum);
    int top = world.rank();
    half.bcast(top, 0);  // rank 0 of each half is its highest world rank
    int highest = world.rank();
    for (int r = world.rank(); r < world.size(); r += 2) highest = r;
    corpus::expect(top == highest, "highest rank of the half");
    const auto gathered = half.gather(world.rank(), 0);
    world.barrier();
    corpus::expect(sum_all == world.size() * (world.size() - 1) / 2 && sum_half <= sum_all, "sums");
    if (half.rank() == 0) corpus::expect(gathered.size() == static_cast<std::size_t>(half.size()), "one per member");
}
CORPUS_RUN(collectives_on_split_communicators, "correct", correct, .ranks = 6);
CORPUS_RUN(collectives_on_split_communicators, "correct", correct, .ranks = 5, .collectives = local);

// Ranks with color undefined get a null communicator and leave it alone.
CORPUS_PROGRAM(split_with_undefined_color) {
    communicator firsts = world.split(world.rank() < 2 ? 0 : baton::undefined, 0);
    if (world.rank() < 2) {
        corpus::expect(static_cast<bool>(firsts) && firsts.size() == 2, "two members");
        corpus::expect(firsts.allreduce(1, baton::op::sum) == 2, "sum on the new communicator");
    } else {
        corpus::expect(!firsts, "a null communicator");
    }
    world.barrier();
}
CORPUS_RUN(split_with_undefined_color, "correct", correct, .ranks = 4);

// A split of a split, and a dup of that: each with its own messages and collectives.
CORPUS_PROGRAM(nested_communicators) {
    communicator half = world.split(world.rank() / 4, world.rank());
    communicator quarter = half.split(half.rank() / 2, half.rank());
    communicator copy = quarter.dup();
    const int other = 1 - quarter.rank();
    int in = -1;
    quarter.sendrecv(world.rank(), other, 0, in, other, 0);
    int in_copy = -1;
    copy.sendrecv(-world.rank(), other, 0, in_copy, other, 0);
    corpus::expect(in == -in_copy && in == (world.rank() ^ 1), "the partner's rank, on both");
    corpus::expect(half.allreduce(1, baton::op::sum) == 4 && copy.allreduce(1, baton::op::sum) == 2, "sizes");
}
CORPUS_RUN(nested_communicators, "correct", correct, .ranks = 8);
CORPUS_RUN(nested_communicators, "correct", correct, .ranks = 8, .sends = synchronous);

// Every collective in a row with collectives completing locally: nothing depends on waiting.
CORPUS_PROGRAM(collectives_in_a_row_local_or_not) {
    const int n = world.size();
    std::vector<int> data;
    if (world.rank() == 0) data.assign(static_cast<std::size_t>(2 * n), 1);
    const auto mine = world.scatter(data, 0);
    std::string text = world.rank() == 1 ? "hello" : "";
    world.bcast(text, 1);
    const auto all = world.gather(static_cast<int>(mine.size()), 2 % n);
    const int sum = world.reduce(static_cast<int>(text.size()), baton::op::sum, 0);
    const auto blocks = world.gatherv(mine, 0);
    world.barrier();
    if (world.rank() == 0) corpus::expect(sum == 5 * n && blocks.data().size() == data.size(), "sum and blocks");
    if (world.rank() == 2 % n) corpus::expect(all == std::vector<int>(static_cast<std::size_t>(n), 2), "two each");
}
CORPUS_RUN(collectives_in_a_row_local_or_not, "correct", correct, .ranks = 4);
CORPUS_RUN(collectives_in_a_row_local_or_not, "correct", correct, .ranks = 4, .collectives = local);
CORPUS_RUN(collectives_in_a_row_local_or_not, "correct", correct, .ranks = 3, .sends = synchronous,
           .collectives = local);

// A bcast of a serialized value, and a gather of one.
CORPUS_PROGRAM(serialized_collectives) {
    std::vector<std::string> words;
    if (world.rank() == 0) words = {"divide", "compute", "combine"};
    world.bcast(words, 0);
    corpus::expect(words.size() == 3 && words[1] == "compute", "three words");
    const auto names = world.allgather(std::map<int, std::string>{{world.rank(), words[0]}});
    corpus::expect(names.size() == static_cast<std::size_t>(world.size()) && names.back().count(world.size() - 1) == 1, "one map per rank");
}
CORPUS_RUN(serialized_collectives, "correct", correct, .ranks = 3);

// Point-to-point and collectives mixed: each rank posts its irecv, joins a barrier, then sends.
CORPUS_PROGRAM(irecv_across_collectives) {
    const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
    int in = -1;
    baton::request r = world.irecv(in, left, 0);
    world.barrier();
    const int max = world.allreduce(world.rank(), baton::op::max);
    world.send(max + world.rank(), right, 0);
    r.wait();
    corpus::expect(in == world.size() - 1 + left, "left's value");
}
CORPUS_RUN(irecv_across_collectives, "correct", correct, .ranks = 4, .sends = synchronous);

// minloc and maxloc over value_index pairs.
CORPUS_PROGRAM(minloc_and_maxloc) {
    const baton::value_index<double> mine{static_cast<double>((world.rank() * 7) % 5), world.rank()};
    const auto low = world.allreduce(mine, baton::op::minloc);
    const auto high = world.allreduce(mine, baton::op::maxloc);
    corpus::expect(low.value == 0 && low.index == 0 && high.value == 4 && high.index == 2, "0 at rank 0, 4 at rank 2");
}
CORPUS_RUN(minloc_and_maxloc, "correct", correct, .ranks = 4);

// ---- alltoallv, reduce_scatter and reductions in place (issue 14) -----------------------------

// Blocks of every size, empty ones too, each checked where it lands.
CORPUS_PROGRAM(alltoallv_uneven_blocks) {
    const int n = world.size(), me = world.rank();
    std::vector<std::vector<int>> blocks(static_cast<std::size_t>(n));
    for (int d = 0; d < n; ++d) blocks[static_cast<std::size_t>(d)].assign(static_cast<std::size_t>((me + d) % 3), me);
    const auto got = world.alltoallv(ragged<int>::from_blocks(blocks));
    for (int s = 0; s < n; ++s)
        corpus::expect(got.count(static_cast<std::size_t>(s)) == static_cast<std::size_t>((s + me) % 3) &&
                           std::all_of(got[static_cast<std::size_t>(s)].begin(), got[static_cast<std::size_t>(s)].end(),
                                       [&](int v) { return v == s; }),
                       "alltoallv's block from each rank");
}
CORPUS_RUN(alltoallv_uneven_blocks, "correct", correct, .ranks = 4);

// The reduce_scatter family and every reduction in place, mixed with the ordinary forms.
CORPUS_PROGRAM(reductions_in_place_and_scattered) {
    const int n = world.size(), me = world.rank();
    const std::vector<int> mine(static_cast<std::size_t>(n), me);
    const auto block = world.reduce_scatter_block(mine, baton::op::sum);
    corpus::expect(block == std::vector<int>{n * (n - 1) / 2}, "reduce_scatter_block");
    std::vector<std::size_t> counts(static_cast<std::size_t>(n), 0);
    counts[static_cast<std::size_t>(n - 1)] = static_cast<std::size_t>(n);  // everything to the last rank
    const auto last = world.reduce_scatter(mine, counts, baton::op::max);
    corpus::expect(last.size() == (me == n - 1 ? static_cast<std::size_t>(n) : 0u), "reduce_scatter");
    std::array<int, 1> value{me + 1};
    world.allreduce_in_place(std::span<int>(value), baton::op::sum);
    corpus::expect(value[0] == n * (n + 1) / 2, "allreduce_in_place");
    value = {me + 1};
    world.exscan_in_place(std::span<int>(value), baton::op::sum);
    corpus::expect(value[0] == (me == 0 ? 1 : me * (me + 1) / 2), "exscan_in_place");
    value = {me + 1};
    world.reduce_in_place(std::span<int>(value), baton::op::prod, 0);
    corpus::expect(me != 0 || value[0] > 0, "reduce_in_place");
}
CORPUS_RUN(reductions_in_place_and_scattered, "correct", correct, .ranks = 5);
CORPUS_RUN(reductions_in_place_and_scattered, "correct", correct, .ranks = 5, .collectives = local);

// Gathers and exchanges in place, and non-blocking scans and reduce-scatter overlapping them
// (issue 14), completed in another order than they were started.
CORPUS_PROGRAM(in_place_gathers_under_nonblocking_scans) {
    const int n = world.size(), me = world.rank();
    int prefix = 0, before = -1;
    std::vector<int> mine(static_cast<std::size_t>(n), me + 1), block;
    baton::request scan = world.iscan(me, prefix, baton::op::sum);
    baton::request exscan = world.iexscan(1, before, baton::op::sum);
    baton::request scattered = world.ireduce_scatter_block(mine, block, baton::op::max);
    std::vector<int> all(static_cast<std::size_t>(n), 0);
    all[static_cast<std::size_t>(me)] = me;
    world.allgather_in_place(all);
    std::vector<int> gathered = me == 0 ? all : std::vector<int>{me};
    world.gather_in_place(gathered, 0);
    world.alltoall_in_place(all);
    scattered.wait();
    exscan.wait();
    scan.wait();
    corpus::expect(prefix == me * (me + 1) / 2 && before == (me == 0 ? -1 : me) && block == std::vector<int>{n},
                   "scanned and scattered");
    corpus::expect(all == std::vector<int>(static_cast<std::size_t>(n), me), "exchanged in place");
}
CORPUS_RUN(in_place_gathers_under_nonblocking_scans, "correct", correct, .ranks = 4);

}  // namespace
