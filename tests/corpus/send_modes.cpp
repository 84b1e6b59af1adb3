// Buffered and ready sends (MPI_Bsend, MPI_Rsend): a bsend that overflows the attached buffer, a
// buffer detached while its message waits for a receive that never comes, an rsend that comes
// before its receive is posted; and the correct uses of each.
//
// An rsend whose receive is posted by another rank with nothing ordering the two is wrong on
// some schedules only: the corpus runs random and round-robin schedules and wants its finding at
// every seed, so the wrong program here orders the rsend before the receive on every schedule
// (exploration, which reports the other kind too, is tested in tests/operations/send_modes.cpp).
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

// Room for two messages of 100 doubles, and three sent before the receiver takes any.
CORPUS_PROGRAM(bsend_overflows_its_buffer) {
    if (world.rank() == 0) {
        world.attach_buffer(2 * (100 * sizeof(double) + baton::bsend_overhead));
        for (int i = 0; i < 3; ++i) world.bsend(std::vector<double>(100, i), 1, i);
        world.barrier();
        world.detach_buffer();
    } else {
        world.barrier();
        for (int i = 0; i < 3; ++i) world.recv<std::vector<double>>(0, i);
    }
}
CORPUS_RUN(bsend_overflows_its_buffer, "buffered send", invalid_argument, .ranks = 2);

// The buffer forgot the overhead MPI takes for each message.
CORPUS_PROGRAM(bsend_buffer_without_overhead) {
    if (world.rank() == 0) {
        world.attach_buffer(sizeof(int));
        world.bsend(1, 1, 0);
        world.detach_buffer();
    } else {
        world.recv<int>(0, 0);
    }
}
CORPUS_RUN(bsend_buffer_without_overhead, "buffered send", invalid_argument, .ranks = 2);

// detach_buffer waits for a message whose receiver waits in a barrier for the detaching rank.
CORPUS_PROGRAM(detach_before_the_receive) {
    if (world.rank() == 0) {
        world.attach_buffer(1024);
        world.bsend(1, 1, 0);
        world.detach_buffer();
        world.barrier();
    } else {
        world.barrier();
        world.recv<int>(0, 0);
    }
}
CORPUS_RUN(detach_before_the_receive, "buffered send", deadlock, .ranks = 2);

// The same exchange, with room for each message: correct under any --sends, with bsend where a
// send head to head would be a potential deadlock.
CORPUS_PROGRAM(bsend_head_to_head) {
    const int other = 1 - world.rank();
    world.attach_buffer(100 * sizeof(double) + baton::bsend_overhead);
    world.bsend(std::vector<double>(100, 1.0), other, 0);
    corpus::expect(world.recv<std::vector<double>>(other, 0).size() == 100, "100 doubles");
    world.detach_buffer();
}
CORPUS_RUN(bsend_head_to_head, "buffered send", correct, .ranks = 2, .sends = synchronous);
CORPUS_RUN(bsend_head_to_head, "buffered send", correct, .ranks = 2);

// rsend, then a message that tells the receiver to post its receive: always too early.
CORPUS_PROGRAM(rsend_before_the_receive) {
    if (world.rank() == 0) {
        world.rsend(3.5, 1, 0);
        world.send(0, 1, 1);
    } else {
        world.recv<int>(0, 1);
        corpus::expect(world.recv<double>(0, 0) == 3.5, "the ready message");
    }
}
CORPUS_RUN(rsend_before_the_receive, "ready send", ready_send_without_receive, .ranks = 2);

// A ring of irsends after a barrier, each rank's irecv posted before it.
CORPUS_PROGRAM(irsend_after_the_receives_are_posted) {
    const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
    int got = -1;
    baton::request receive = world.irecv(got, left, 0);
    world.barrier();
    world.irsend(world.rank(), right, 0).wait();
    receive.wait();
    corpus::expect(got == left, "the left neighbour's rank");
}
CORPUS_RUN(irsend_after_the_receives_are_posted, "ready send", correct, .ranks = 4);
CORPUS_RUN(irsend_after_the_receives_are_posted, "ready send", correct, .ranks = 4, .sends = synchronous);

// The receiver says it is ready with a message of its own, after posting its receive.
CORPUS_PROGRAM(rsend_after_a_ready_message) {
    if (world.rank() == 1) {
        double got = 0;
        baton::request receive = world.irecv(got, 0, 0);
        world.send(1, 0, 1);
        receive.wait();
        corpus::expect(got == 2.5, "the ready message");
    } else {
        world.recv<int>(1, 1);
        world.rsend(2.5, 1, 0);
    }
}
CORPUS_RUN(rsend_after_a_ready_message, "ready send", correct, .ranks = 2);

// The receiver posts, then joins an ibarrier; the sender rsends once its wait for the ibarrier
// returns, which tells it the receiver has joined, so has posted. (With the rsend before that
// wait, nothing orders the two, but the corpus cannot hold it: random schedules check the order
// they took, and on some the receive is posted first. Exploration reports it:
// tests/operations/nonblocking_collectives.cpp.)
CORPUS_PROGRAM(rsend_after_the_ibarrier_wait) {
    if (world.rank() == 1) {
        int got = 0;
        baton::request receive = world.irecv(got, 0, 0);
        world.ibarrier().wait();
        receive.wait();
        corpus::expect(got == 1, "the ready message");
    } else {
        baton::request barrier = world.ibarrier();
        barrier.wait();
        world.rsend(1, 1, 0);
    }
}
CORPUS_RUN(rsend_after_the_ibarrier_wait, "ready send", correct, .ranks = 2);

}  // namespace
