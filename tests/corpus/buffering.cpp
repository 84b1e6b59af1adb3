// Buffering hazards: programs that work only if MPI buffers a send or lets a rank leave a
// collective early. MPI allows both and requires neither (MPI 4.1, 3.5 "Semantics of
// Point-to-Point Communication" on unsafe programs; 6.14 "Correctness": collectives must not
// deadlock "whether collective communications are synchronizing or not"), so
// each is a potential deadlock in the mode that withholds the buffering, and runs fine in the mode
// that grants it: both runs are registered, to show the finding depends on the mode. Programs
// that look like these but are safe in every mode are here too.
#include <array>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

// Both ranks send first and receive second.
CORPUS_PROGRAM(send_before_receive_head_to_head) {
    const int other = 1 - world.rank();
    world.send(std::vector<double>(100, 1.0), other, 0);
    const auto got = world.recv<std::vector<double>>(other, 0);
    corpus::expect(got.size() == 100, "100 doubles");
}
CORPUS_RUN(send_before_receive_head_to_head, "buffering hazard", potential_deadlock, .ranks = 2, .sends = synchronous);
CORPUS_RUN(send_before_receive_head_to_head, "buffering hazard", correct, .ranks = 2);

// The same with an eager limit: 512 doubles (4096 bytes) are buffered, 513 are not.
CORPUS_PROGRAM(head_to_head_513_doubles) {
    const int other = 1 - world.rank();
    world.send(std::vector<double>(513, 1.0), other, 0);
    world.recv<std::vector<double>>(other, 0);
}
CORPUS_RUN(head_to_head_513_doubles, "buffering hazard", potential_deadlock, .ranks = 2, .sends = eager,
           .eager_limit = 4096);
CORPUS_RUN(head_to_head_513_doubles, "buffering hazard", correct, .ranks = 2, .sends = eager, .eager_limit = 8192);

CORPUS_PROGRAM(head_to_head_512_doubles) {
    const int other = 1 - world.rank();
    world.send(std::vector<double>(512, 1.0), other, 0);
    world.recv<std::vector<double>>(other, 0);
}
CORPUS_RUN(head_to_head_512_doubles, "buffering hazard", correct, .ranks = 2, .sends = eager, .eager_limit = 4096);

// The same hazard behind polling loops: rank 0 tests its isend until it is received, rank 1
// polls for the message rank 0 sends only after that. Without buffering both poll forever.
CORPUS_PROGRAM(polling_for_each_other_behind_an_isend) {
    if (world.rank() == 0) {
        baton::request r = world.isend(5, 1, 5);
        while (!r.test()) {
        }
        world.send(6, 1, 6);
    } else {
        while (!world.iprobe(0, 6)) {
        }
        corpus::expect(world.recv<int>(0, 6) == 6 && world.recv<int>(0, 5) == 5, "both messages");
    }
}
// On fibers: the polls until the polling bound are hand-offs between ranks, which cost threads (and
// processes) many times more; what the checker sees is the same in every context.
CORPUS_RUN(polling_for_each_other_behind_an_isend, "buffering hazard", potential_deadlock, .ranks = 2,
           .sends = synchronous, .context = baton::sim::rank_context::fiber);
CORPUS_RUN(polling_for_each_other_behind_an_isend, "buffering hazard", correct, .ranks = 2);

// Everybody sends to the right, then receives from the left.
CORPUS_PROGRAM(ring_of_sends_first) {
    const int right = (world.rank() + 1) % world.size();
    const int left = (world.rank() + world.size() - 1) % world.size();
    world.send(world.rank(), right, 0);
    corpus::expect(world.recv<int>(left, 0) == left, "the left neighbour's rank");
}
CORPUS_RUN(ring_of_sends_first, "buffering hazard", potential_deadlock, .ranks = 4, .sends = synchronous);
CORPUS_RUN(ring_of_sends_first, "buffering hazard", correct, .ranks = 4);

// Rank 1 receives the second message first: the first send must be buffered.
CORPUS_PROGRAM(tags_received_in_reverse_order) {
    if (world.rank() == 0) {
        world.send(1, 1, /*tag=*/1);
        world.send(2, 1, /*tag=*/2);
    } else {
        corpus::expect(world.recv<int>(0, 2) == 2, "tag 2 carries 2");
        corpus::expect(world.recv<int>(0, 1) == 1, "tag 1 carries 1");
    }
}
CORPUS_RUN(tags_received_in_reverse_order, "buffering hazard", potential_deadlock, .ranks = 2, .sends = synchronous);
CORPUS_RUN(tags_received_in_reverse_order, "buffering hazard", correct, .ranks = 2);

// A blocking send to oneself before the receive (MPI 4.1, 3.5: unsafe).
CORPUS_PROGRAM(send_to_self_then_receive) {
    world.send(5, world.rank(), 0);
    corpus::expect(world.recv<int>(world.rank(), 0) == 5, "own message");
}
CORPUS_RUN(send_to_self_then_receive, "buffering hazard", potential_deadlock, .ranks = 1, .sends = synchronous);
CORPUS_RUN(send_to_self_then_receive, "buffering hazard", correct, .ranks = 1);

// An isend waited for at once is a blocking send.
CORPUS_PROGRAM(isend_waited_before_the_receive) {
    const int other = 1 - world.rank();
    baton::request r = world.isend(world.rank(), other, 0);
    r.wait();
    world.recv<int>(other, 0);
}
CORPUS_RUN(isend_waited_before_the_receive, "buffering hazard", potential_deadlock, .ranks = 2, .sends = synchronous);
CORPUS_RUN(isend_waited_before_the_receive, "buffering hazard", correct, .ranks = 2);

// The bcast's root sends after the bcast; the receiver joins the bcast only after the message.
CORPUS_PROGRAM(bcast_root_sends_after_it) {
    int value = 5;
    if (world.rank() == 0) {
        world.bcast(value, 0);
        world.send(value, 1, 0);
    } else {
        world.recv(value, 0, 0);
        world.bcast(value, 0);
    }
}
CORPUS_RUN(bcast_root_sends_after_it, "buffering hazard", potential_deadlock, .ranks = 2);
CORPUS_RUN(bcast_root_sends_after_it, "buffering hazard", correct, .ranks = 2, .collectives = local);

// A gather's non-root sends to the root, which receives before joining the gather.
CORPUS_PROGRAM(gather_contributor_sends_after_it) {
    if (world.rank() == 0) {
        world.recv<int>(1, 0);
        const auto all = world.gather(world.rank(), 0);
        corpus::expect(all == std::vector<int>{0, 1, 2}, "gathered ranks");
    } else {
        world.gather(world.rank(), 0);
        if (world.rank() == 1) world.send(1, 0, 0);
    }
}
CORPUS_RUN(gather_contributor_sends_after_it, "buffering hazard", potential_deadlock, .ranks = 3);
CORPUS_RUN(gather_contributor_sends_after_it, "buffering hazard", correct, .ranks = 3, .collectives = local);

CORPUS_PROGRAM(reduce_contributor_sends_after_it) {
    if (world.rank() == 2) {
        world.recv<int>(0, 0);
        corpus::expect(world.reduce(world.rank(), baton::op::sum, 2) == 3, "sum of ranks");
    } else {
        world.reduce(world.rank(), baton::op::sum, 2);
        if (world.rank() == 0) world.send(1, 2, 0);
    }
}
CORPUS_RUN(reduce_contributor_sends_after_it, "buffering hazard", potential_deadlock, .ranks = 3);
CORPUS_RUN(reduce_contributor_sends_after_it, "buffering hazard", correct, .ranks = 3, .collectives = local);

CORPUS_PROGRAM(scatter_root_sends_after_it) {
    std::vector<int> all;
    if (world.rank() == 1) all = {10, 11, 12};
    if (world.rank() == 1) {
        world.scatter(all, 1);
        world.send(7, 0, 0);
    } else if (world.rank() == 0) {
        world.recv<int>(1, 0);
        corpus::expect(world.scatter(all, 1) == std::vector<int>{10}, "block 0");
    } else {
        world.scatter(all, 1);
    }
}
CORPUS_RUN(scatter_root_sends_after_it, "buffering hazard", potential_deadlock, .ranks = 3);
CORPUS_RUN(scatter_root_sends_after_it, "buffering hazard", correct, .ranks = 3, .collectives = local);

// Two bcasts from the same root on two communicators, joined in opposite orders by the others.
CORPUS_PROGRAM(bcasts_on_two_communicators_crossed) {
    communicator copy = world.dup();
    int a = 1, b = 2;
    if (world.rank() == 0) {
        world.bcast(a, 0);
        copy.bcast(b, 0);
    } else {
        copy.bcast(b, 0);
        world.bcast(a, 0);
    }
}
CORPUS_RUN(bcasts_on_two_communicators_crossed, "buffering hazard", potential_deadlock, .ranks = 3);
CORPUS_RUN(bcasts_on_two_communicators_crossed, "buffering hazard", correct, .ranks = 3, .collectives = local);

// ---- Safe in every mode, though they look like the above --------------------------------------

// sendrecv is safe: its send does not wait for the receive it is paired with.
CORPUS_PROGRAM(sendrecv_ring) {
    const int right = (world.rank() + 1) % world.size();
    const int left = (world.rank() + world.size() - 1) % world.size();
    std::vector<int> in;
    world.sendrecv(std::vector<int>{world.rank(), world.rank()}, right, 4, in, left, 4);
    corpus::expect(in == std::vector<int>{left, left}, "the left neighbour's pair");
}
CORPUS_RUN(sendrecv_ring, "buffering hazard", correct, .ranks = 5, .sends = synchronous);
CORPUS_RUN(sendrecv_ring, "buffering hazard", correct, .ranks = 5);

// Even ranks send first, odd ones receive first.
CORPUS_PROGRAM(ordered_exchange_by_parity) {
    const int other = world.rank() ^ 1;
    if (world.rank() % 2 == 0) {
        world.send(world.rank(), other, 0);
        corpus::expect(world.recv<int>(other, 0) == other, "partner's rank");
    } else {
        corpus::expect(world.recv<int>(other, 0) == other, "partner's rank");
        world.send(world.rank(), other, 0);
    }
}
CORPUS_RUN(ordered_exchange_by_parity, "buffering hazard", correct, .ranks = 4, .sends = synchronous);

// Receives posted first with irecv, then the sends: safe without buffering.
CORPUS_PROGRAM(irecv_posted_before_large_sends) {
    const int other = 1 - world.rank();
    std::vector<double> in;
    baton::request r = world.irecv(in, other, 0);
    world.send(std::vector<double>(10000, 2.0), other, 0);
    r.wait();
    corpus::expect(in.size() == 10000 && in[9999] == 2.0, "10000 twos");
}
CORPUS_RUN(irecv_posted_before_large_sends, "buffering hazard", correct, .ranks = 2, .sends = eager, .eager_limit = 1024);
CORPUS_RUN(irecv_posted_before_large_sends, "buffering hazard", correct, .ranks = 2, .sends = synchronous);

// Messages out of tag order are fine when the sends do not block.
CORPUS_PROGRAM(isends_received_in_reverse_tag_order) {
    if (world.rank() == 0) {
        std::array<baton::request, 2> r{world.isend(1, 1, 1), world.isend(2, 1, 2)};
        baton::wait_all(r);
    } else {
        corpus::expect(world.recv<int>(0, 2) == 2, "tag 2 first");
        corpus::expect(world.recv<int>(0, 1) == 1, "tag 1 second");
    }
}
CORPUS_RUN(isends_received_in_reverse_tag_order, "buffering hazard", correct, .ranks = 2, .sends = synchronous);

// The bcast's root receives after it, from a rank that sends after the bcast: safe both ways.
CORPUS_PROGRAM(bcast_then_messages_after_it) {
    int value = world.rank() == 0 ? 9 : 0;
    world.bcast(value, 0);
    if (world.rank() == 1) world.send(value + 1, 0, 0);
    if (world.rank() == 0) corpus::expect(world.recv<int>(1, 0) == 10, "value + 1");
}
CORPUS_RUN(bcast_then_messages_after_it, "buffering hazard", correct, .ranks = 3);
CORPUS_RUN(bcast_then_messages_after_it, "buffering hazard", correct, .ranks = 3, .sends = synchronous,
           .collectives = local);

// Workers send results with blocking sends; the master takes them in whatever order they come.
CORPUS_PROGRAM(master_receives_from_any_worker) {
    if (world.rank() == 0) {
        int total = 0;
        for (int i = 1; i < world.size(); ++i) total += world.recv<int>(baton::any_source, 0);
        corpus::expect(total == 1 + 2 + 3 + 4, "sum of worker ranks");
    } else {
        world.send(world.rank(), 0, 0);
    }
}
CORPUS_RUN(master_receives_from_any_worker, "buffering hazard", correct, .ranks = 5, .sends = synchronous);

// An isend to a rank that joins a barrier before receiving: the isend does not block.
CORPUS_PROGRAM(isend_across_a_barrier) {
    if (world.rank() == 0) {
        baton::request r = world.isend(std::vector<int>{1, 2, 3}, 1, 0);
        world.barrier();
        r.wait();
    } else {
        world.barrier();
        if (world.rank() == 1) corpus::expect(world.recv<std::vector<int>>(0, 0).size() == 3, "three ints");
    }
}
CORPUS_RUN(isend_across_a_barrier, "buffering hazard", correct, .ranks = 3, .sends = synchronous);

// ssend asks for no buffering: both ranks ssending first is a deadlock in every mode, not a
// potential one (MPI may not buffer an ssend).
CORPUS_PROGRAM(ssend_head_to_head) {
    const int other = 1 - world.rank();
    world.ssend(world.rank(), other, 0);
    world.recv<int>(other, 0);
}
CORPUS_RUN(ssend_head_to_head, "buffering hazard", deadlock, .ranks = 2);
CORPUS_RUN(ssend_head_to_head, "buffering hazard", deadlock, .ranks = 2, .sends = synchronous);

// The same isend across a barrier, but an issend: it cannot complete before rank 1 receives,
// which is after the barrier, so waiting for it before the barrier never ends.
CORPUS_PROGRAM(issend_waited_before_the_barrier) {
    if (world.rank() == 0) world.issend(std::vector<int>{1, 2, 3}, 1, 0).wait();
    world.barrier();
    if (world.rank() == 1) world.recv<std::vector<int>>(0, 0);
}
CORPUS_RUN(issend_waited_before_the_barrier, "buffering hazard", deadlock, .ranks = 3);

// A halo exchange along a line, proc_null past its ends: safe without buffering, and the edges
// receive nothing.
CORPUS_PROGRAM(halo_along_a_line_with_proc_null) {
    const int me = world.rank(), n = world.size();
    const int left = me > 0 ? me - 1 : baton::proc_null, right = me + 1 < n ? me + 1 : baton::proc_null;
    int from_left = -1, from_right = -1;
    world.sendrecv(me, right, 0, from_left, left, 0);
    world.sendrecv(me, left, 1, from_right, right, 1);
    corpus::expect(from_left == (me > 0 ? me - 1 : -1), "the left neighbour's rank, or nothing at the edge");
    corpus::expect(from_right == (me + 1 < n ? me + 1 : -1), "the right neighbour's rank, or nothing at the edge");
}
CORPUS_RUN(halo_along_a_line_with_proc_null, "buffering hazard", correct, .ranks = 5, .sends = synchronous);

}  // namespace
