// Deadlocks: ranks that can never make progress whatever MPI buffers, among all ranks or only some
// while the others go on (call ordering, in the MBI's terms).
#include <array>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

CORPUS_PROGRAM(receive_from_each_other_first) {
    const int other = 1 - world.rank();
    const int got = world.recv<int>(other, 0);
    world.send(got, other, 0);
}
CORPUS_RUN(receive_from_each_other_first, "deadlock", deadlock, .ranks = 2);

CORPUS_PROGRAM(ring_of_receives) {
    const int left = (world.rank() + world.size() - 1) % world.size();
    const int right = (world.rank() + 1) % world.size();
    const auto token = world.recv<long>(left, 3);
    world.send(token + 1, right, 3);
}
CORPUS_RUN(ring_of_receives, "deadlock", deadlock, .ranks = 5);

// Ranks 0 and 1 wait for each other while 2 and 3 keep exchanging: reported while they still run.
CORPUS_PROGRAM(partial_deadlock_while_others_run) {
    if (world.rank() < 2) {
        world.recv<int>(1 - world.rank(), 0);
        return;
    }
    const int other = 5 - world.rank();
    for (int i = 0; i < 40; ++i) {
        int in = 0;
        world.sendrecv(i, other, 1, in, other, 1);
    }
}
CORPUS_RUN(partial_deadlock_while_others_run, "deadlock", deadlock, .ranks = 4);

// Ranks 2 and up finish at once; 0 and 1 wait for each other.
CORPUS_PROGRAM(partial_deadlock_others_finished) {
    if (world.rank() >= 2) return;
    world.recv<int>(1 - world.rank(), 1);
}
CORPUS_RUN(partial_deadlock_others_finished, "deadlock", deadlock, .ranks = 5);

// A chain of receives ending at a rank that has finished: no cycle, still stuck.
CORPUS_PROGRAM(chain_of_receives_to_a_finished_rank) {
    if (world.rank() == world.size() - 1) return;
    world.recv<int>(world.rank() + 1, 0);
}
CORPUS_RUN(chain_of_receives_to_a_finished_rank, "deadlock", deadlock, .ranks = 4);

// The message is sent, but with another tag than the one received: in every mode a deadlock.
CORPUS_PROGRAM(receive_a_tag_nobody_sends) {
    if (world.rank() == 0) world.send(42, 1, /*tag=*/1);
    else world.recv<int>(0, /*tag=*/2);
}
CORPUS_RUN(receive_a_tag_nobody_sends, "deadlock", deadlock, .ranks = 2);
CORPUS_RUN(receive_a_tag_nobody_sends, "deadlock", deadlock, .ranks = 2, .sends = synchronous);

CORPUS_PROGRAM(wildcard_receive_nobody_sends_to) {
    if (world.rank() == 0) world.recv<int>(baton::any_source, baton::any_tag);
}
CORPUS_RUN(wildcard_receive_nobody_sends_to, "deadlock", deadlock, .ranks = 3);

// The sends go to the wrong neighbour: everybody sends right and receives from the right.
CORPUS_PROGRAM(sendrecv_with_the_wrong_source) {
    const int right = (world.rank() + 1) % world.size();
    int in = 0;
    world.sendrecv(world.rank(), right, 0, in, right, 0);
}
CORPUS_RUN(sendrecv_with_the_wrong_source, "deadlock", deadlock, .ranks = 3);

CORPUS_PROGRAM(probe_each_other) {
    const int other = 1 - world.rank();
    const auto st = world.probe(other, 0);
    world.send(static_cast<int>(st.bytes), other, 0);
}
CORPUS_RUN(probe_each_other, "deadlock", deadlock, .ranks = 2);

CORPUS_PROGRAM(wait_for_an_irecv_before_sending) {
    const int other = 1 - world.rank();
    std::vector<int> in;
    auto r = world.irecv(in, other, 0);
    r.wait();
    world.send(std::vector<int>{1, 2}, other, 0);
}
CORPUS_RUN(wait_for_an_irecv_before_sending, "deadlock", deadlock, .ranks = 2);

CORPUS_PROGRAM(wait_any_of_receives_nobody_matches) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    std::vector<baton::request> requests;
    requests.push_back(world.irecv(a, other, 1));
    requests.push_back(world.irecv(b, other, 2));
    baton::wait_any(requests);
    world.send(a + b, other, 1);
    world.send(a + b, other, 2);
    baton::wait_all(requests);
}
CORPUS_RUN(wait_any_of_receives_nobody_matches, "deadlock", deadlock, .ranks = 2);

CORPUS_PROGRAM(wait_some_of_receives_nobody_matches) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    std::array<baton::request, 2> requests{world.irecv(a, other, 1), world.irecv(b, other, 2)};
    baton::wait_some(requests);
    world.send(a + b, other, 1);
    world.send(a + b, other, 2);
    baton::wait_all(requests);
}
CORPUS_RUN(wait_some_of_receives_nobody_matches, "deadlock", deadlock, .ranks = 2);

// test_all polled until both receives are complete, but the second message is sent only after.
CORPUS_PROGRAM(test_all_loop_before_the_send_it_needs) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    std::array<baton::request, 2> requests{world.irecv(a, other, 1), world.irecv(b, other, 2)};
    world.send(1, other, 1);
    while (!baton::test_all(requests)) {
    }
    world.send(2, other, 2);
}
// On fibers: the polls until the polling bound are hand-offs between ranks, which cost threads (and
// processes) many times more; what the checker sees is the same in every context.
CORPUS_RUN(test_all_loop_before_the_send_it_needs, "deadlock", deadlock, .ranks = 2,
           .context = baton::sim::rank_context::fiber);

// A barrier that one rank reaches only after a message that the others send after the barrier.
CORPUS_PROGRAM(barrier_before_the_send_it_waits_for) {
    if (world.rank() == 0) {
        world.recv<int>(1, 0);
        world.barrier();
    } else {
        world.barrier();
        if (world.rank() == 1) world.send(1, 0, 0);
    }
}
CORPUS_RUN(barrier_before_the_send_it_waits_for, "deadlock", deadlock, .ranks = 3);
CORPUS_RUN(barrier_before_the_send_it_waits_for, "deadlock", deadlock, .ranks = 3, .collectives = local);

// One rank skips a collective the others call.
CORPUS_PROGRAM(allreduce_one_rank_skips) {
    if (world.rank() != 2) world.allreduce(world.rank(), baton::op::sum);
}
CORPUS_RUN(allreduce_one_rank_skips, "deadlock", deadlock, .ranks = 4);

// Only the root calls bcast. Even when the root may leave at once, the others never get the data.
CORPUS_PROGRAM(bcast_only_the_root_calls) {
    int value = 7;
    if (world.rank() == 0) world.bcast(value, 0);
}
CORPUS_RUN(bcast_only_the_root_calls, "deadlock", deadlock, .ranks = 3);
CORPUS_RUN(bcast_only_the_root_calls, "deadlock", deadlock, .ranks = 3, .collectives = local);

// Barriers on two communicators, called in opposite orders.
CORPUS_PROGRAM(barriers_on_two_communicators_crossed) {
    communicator copy = world.dup();
    if (world.rank() == 0) {
        world.barrier();
        copy.barrier();
    } else {
        copy.barrier();
        world.barrier();
    }
}
CORPUS_RUN(barriers_on_two_communicators_crossed, "deadlock", deadlock, .ranks = 2);

// Two halves of the world: one half deadlocks on its own communicator, the other keeps reducing.
CORPUS_PROGRAM(deadlock_inside_one_half_of_a_split) {
    const int half = world.rank() < 2 ? 0 : 1;
    communicator mine = world.split(half, world.rank());
    if (half == 0) {
        mine.recv<int>(1 - mine.rank(), 0);
    } else {
        int total = 0;
        for (int i = 0; i < 25; ++i) total += mine.allreduce(i, baton::op::sum);
        corpus::expect(total == 2 * 300, "sum of the half's allreduces");
    }
}
CORPUS_RUN(deadlock_inside_one_half_of_a_split, "deadlock", deadlock, .ranks = 4);

// A rank waits forever for its own message with another tag.
CORPUS_PROGRAM(receive_from_self_nothing_matches) {
    world.send(world.rank(), world.rank(), /*tag=*/1);
    world.recv<int>(world.rank(), /*tag=*/2);
}
CORPUS_RUN(receive_from_self_nothing_matches, "deadlock", deadlock, .ranks = 1);
CORPUS_RUN(receive_from_self_nothing_matches, "deadlock", deadlock, .ranks = 1, .sends = synchronous);

// Polling for a message that nobody will ever send is a deadlock too, spelled as a loop.
CORPUS_PROGRAM(iprobe_loop_for_a_message_never_sent) {
    if (world.rank() == 0)
        while (!world.iprobe(1, 0)) {
        }
}
CORPUS_RUN(iprobe_loop_for_a_message_never_sent, "deadlock", deadlock, .ranks = 2);

CORPUS_PROGRAM(test_loop_on_a_receive_never_matched) {
    if (world.rank() != 0) return;
    int value = 0;
    baton::request r = world.irecv(value, 1, 0);
    while (!r.test()) {
    }
}
CORPUS_RUN(test_loop_on_a_receive_never_matched, "deadlock", deadlock, .ranks = 2);

}  // namespace
