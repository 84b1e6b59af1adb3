// Request lifecycle (a request never completed; one completed twice: MPI 4.1, 3.7.3
// "Communication Completion"), messages nobody receives, and buffers touched while a non-blocking
// operation owns them (local concurrency: 3.7.2 "Communication Initiation": the send buffer must
// not be modified, nor the receive buffer accessed, until the operation completes).
#include <array>
#include <map>
#include <span>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

// ---- Requests never completed ----------------------------------------------------------------

CORPUS_PROGRAM(isend_never_waited_for) {
    if (world.rank() == 0) world.isend(1, 1, 0);
    else world.recv<int>(0, 0);
}
CORPUS_RUN(isend_never_waited_for, "request lifecycle", request_leak, .ranks = 2);
CORPUS_RUN(isend_never_waited_for, "request lifecycle", request_leak, .ranks = 2, .sends = synchronous);

// The irecv is matched (its message is gone from the mailbox) but never completed.
CORPUS_PROGRAM(irecv_matched_never_waited_for) {
    if (world.rank() == 0) {
        world.send(std::vector<int>{1, 2}, 1, 0);
    } else {
        std::vector<int> in;
        baton::request forgotten = world.irecv(in, 0, 0);
        world.barrier();
    }
    if (world.rank() == 0) world.barrier();
}
CORPUS_RUN(irecv_matched_never_waited_for, "request lifecycle", request_leak, .ranks = 2);

CORPUS_PROGRAM(irecv_never_matched_nor_waited_for) {
    int value = 0;
    if (world.rank() == 1) baton::request forgotten = world.irecv(value, 0, 3);
}
CORPUS_RUN(irecv_never_matched_nor_waited_for, "request lifecycle", request_leak, .ranks = 2);

// Only the first half of the requests is waited for.
CORPUS_PROGRAM(wait_all_on_half_of_the_requests) {
    const int other = 1 - world.rank();
    std::array<int, 4> in{};
    std::vector<baton::request> requests;
    for (int i = 0; i < 4; ++i) requests.push_back(world.irecv(in[static_cast<std::size_t>(i)], other, i));
    for (int i = 0; i < 4; ++i) world.send(i, other, i);
    world.barrier();  // every message has met its irecv: the leak is the only error
    baton::wait_all(std::span(requests).first(2));
}
CORPUS_RUN(wait_all_on_half_of_the_requests, "request lifecycle", request_leak, .ranks = 2);

// wait_any completes one request; the other is dropped.
CORPUS_PROGRAM(wait_any_once_then_drop_the_rest) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    std::array<baton::request, 2> requests{world.irecv(a, other, 1), world.irecv(b, other, 2)};
    world.send(1, other, 1);
    world.send(2, other, 2);
    world.barrier();  // both messages have met their irecvs: the leak is the only error
    baton::wait_any(requests);
}
CORPUS_RUN(wait_any_once_then_drop_the_rest, "request lifecycle", request_leak, .ranks = 2);

// test_some completes the request whose message came; the other is dropped (issue 14: completion).
CORPUS_PROGRAM(test_some_once_then_drop_the_rest) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    std::array<baton::request, 2> requests{world.irecv(a, other, 1), world.irecv(b, other, 2)};
    world.send(1, other, 1);
    world.barrier();  // the tag-1 message has met its irecv; no tag-2 message ever comes
    while (baton::test_some(requests).empty()) {
    }
}
CORPUS_RUN(test_some_once_then_drop_the_rest, "request lifecycle", request_leak, .ranks = 2);

// test_all is all or nothing: when it says no, it completed none of them, and giving up leaks both.
CORPUS_PROGRAM(test_all_says_no_then_give_up) {
    const int other = 1 - world.rank();
    int a = 0, b = 0;
    std::array<baton::request, 2> requests{world.irecv(a, other, 1), world.irecv(b, other, 2)};
    world.send(1, other, 1);
    world.barrier();  // the tag-1 message has met its irecv; the tag-2 one is sent after the test
    const bool all = baton::test_all(requests).has_value();
    world.barrier();
    world.send(2, other, 2);
    world.barrier();
    if (all) baton::wait_all(requests);
}
CORPUS_RUN(test_all_says_no_then_give_up, "request lifecycle", request_leak, .ranks = 2);

// A persistent receive started and then dropped with its request while still pending.
CORPUS_PROGRAM(persistent_receive_dropped_while_pending) {
    int value = 0;
    const int mine = world.rank();
    baton::request receiving = world.recv_init(value, 1 - world.rank(), 0);
    baton::request sending = world.send_init(mine, 1 - world.rank(), 0);
    for (int round = 0; round < 2; ++round) {
        receiving.start();
        sending.start();
        sending.wait();
        if (round == 0) receiving.wait();  // the second activation is never completed
    }
    world.barrier();
}
CORPUS_RUN(persistent_receive_dropped_while_pending, "request lifecycle", request_leak, .ranks = 2);

// A persistent send started again before its activation was completed (MPI: erroneous).
CORPUS_PROGRAM(persistent_send_started_twice) {
    const int value = world.rank();
    int got = 0;
    baton::request receiving = world.recv_init(got, 1 - world.rank(), 0);
    baton::request sending = world.send_init(value, 1 - world.rank(), 0);
    receiving.start();
    sending.start();
    sending.start();
    baton::request both[] = {std::move(receiving), std::move(sending)};
    baton::wait_all(both);
}
CORPUS_RUN(persistent_send_started_twice, "request lifecycle", invalid_argument, .ranks = 2);

// A persistent send's value changed while its second activation is pending: each activation's
// buffer is checked as an isend's.
CORPUS_PROGRAM(persistent_send_value_changed_while_pending) {
    int value = world.rank(), got = 0;
    baton::request receiving = world.recv_init(got, 1 - world.rank(), 0);
    baton::request sending = world.send_init(value, 1 - world.rank(), 0);
    for (int round = 0; round < 2; ++round) {
        receiving.start();
        sending.start();
        if (round == 1) value += 10;  // before the wait
        receiving.wait();
        sending.wait();
    }
}
CORPUS_RUN(persistent_send_value_changed_while_pending, "local concurrency", send_buffer_modified, .ranks = 2);

// A cancelled receive still has to be completed by wait or test (MPI 3.7.3, MPI_Cancel).
CORPUS_PROGRAM(cancelled_receive_never_completed) {
    int value = 0;
    baton::request optional_message = world.irecv(value, 1 - world.rank(), 5);
    optional_message.cancel();
    world.barrier();
}
CORPUS_RUN(cancelled_receive_never_completed, "request lifecycle", request_leak, .ranks = 2);

// A request cancelled is a send's: baton refuses it (MPI 4.0 deprecates it).
CORPUS_PROGRAM(cancel_of_a_send) {
    const int value = world.rank();
    baton::request sending = world.isend(value, 1 - world.rank(), 5);
    sending.cancel();
    world.recv<int>(1 - world.rank(), 5);
    sending.wait();
}
CORPUS_RUN(cancel_of_a_send, "request lifecycle", invalid_argument, .ranks = 2);

// A single test that fails, and the request is given up.
CORPUS_PROGRAM(test_once_then_give_up) {
    if (world.rank() == 1) {
        int value = 0;
        baton::request r = world.irecv(value, 0, 0);
        if (!r.test()) world.barrier();
        else world.barrier();
    } else {
        world.barrier();
    }
}
CORPUS_RUN(test_once_then_give_up, "request lifecycle", request_leak, .ranks = 2);

// ---- Requests completed twice ----------------------------------------------------------------

CORPUS_PROGRAM(wait_twice_for_one_isend) {
    if (world.rank() == 0) {
        baton::request r = world.isend(1, 1, 0);
        r.wait();
        r.wait();
    } else {
        world.recv<int>(0, 0);
    }
}
CORPUS_RUN(wait_twice_for_one_isend, "request lifecycle", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(wait_after_a_successful_test) {
    if (world.rank() == 1) {
        world.send(1, 0, 0);
        return;
    }
    int value = 0;
    baton::request r = world.irecv(value, 1, 0);
    while (!r.test()) {
    }
    r.wait();
}
CORPUS_RUN(wait_after_a_successful_test, "request lifecycle", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(wait_after_wait_all) {
    const int other = 1 - world.rank();
    int in = 0;
    std::array<baton::request, 2> requests{world.irecv(in, other, 0), world.isend(world.rank(), other, 0)};
    baton::wait_all(requests);
    requests[0].wait();
}
CORPUS_RUN(wait_after_wait_all, "request lifecycle", invalid_argument, .ranks = 2);

// ---- Messages nobody receives -----------------------------------------------------------------

CORPUS_PROGRAM(message_never_received) {
    if (world.rank() == 2) world.send(std::vector<int>(3), 0, 7);
}
CORPUS_RUN(message_never_received, "request lifecycle", unreceived_message, .ranks = 3);
// Without buffering the same send waits for a receive that never comes (rank 0 has finished, so no
// buffering would let it receive): a deadlock, but the bug is still the message nobody received,
// and it is reported as that in every mode (issue #12), the deadlock in its report.
CORPUS_RUN(message_never_received, "request lifecycle", unreceived_message, .ranks = 3, .sends = synchronous);
CORPUS_RUN(message_never_received, "request lifecycle", unreceived_message, .ranks = 3, .sends = eager,
           .eager_limit = 8);

// Rank 2's first message is never received; without buffering rank 2 waits for it forever, and
// rank 1, which waits for rank 2's second message, with it.
CORPUS_PROGRAM(message_never_received_holds_up_another_rank) {
    if (world.rank() == 2) {
        world.send(1, 0, 0);
        world.send(2, 1, 0);
    } else if (world.rank() == 1) {
        corpus::expect(world.recv<int>(2, 0) == 2, "rank 2's second message");
    }
}
CORPUS_RUN(message_never_received_holds_up_another_rank, "request lifecycle", unreceived_message, .ranks = 3);
CORPUS_RUN(message_never_received_holds_up_another_rank, "request lifecycle", unreceived_message, .ranks = 3,
           .sends = synchronous);

// The receiver looks for tag 6 and gives up; the message has tag 5.
CORPUS_PROGRAM(iprobe_for_the_wrong_tag_then_give_up) {
    if (world.rank() == 1) world.send(1, 0, 5);
    world.barrier();
    if (world.rank() == 0 && world.iprobe(1, 6)) world.recv<int>(1, 6);
}
CORPUS_RUN(iprobe_for_the_wrong_tag_then_give_up, "request lifecycle", unreceived_message, .ranks = 2);

// The message goes on a copy of the world; the receive is on the world itself.
CORPUS_PROGRAM(message_on_a_communicator_nobody_receives_on) {
    communicator copy = world.dup();
    if (world.rank() == 1) {
        copy.send(1, 0, 0);
        world.send(2, 0, 0);
    } else {
        corpus::expect(world.recv<int>(1, 0) == 2, "the world's message");
    }
}
CORPUS_RUN(message_on_a_communicator_nobody_receives_on, "request lifecycle", unreceived_message, .ranks = 2);

CORPUS_PROGRAM(message_to_self_never_received) {
    if (world.rank() == 0) world.send(1, 0, 0);
}
CORPUS_RUN(message_to_self_never_received, "request lifecycle", unreceived_message, .ranks = 2);

CORPUS_PROGRAM(isend_waited_for_never_received) {
    if (world.rank() == 0) world.isend(std::vector<double>{1.0}, 1, 0).wait();
}
CORPUS_RUN(isend_waited_for_never_received, "request lifecycle", unreceived_message, .ranks = 2);
CORPUS_RUN(isend_waited_for_never_received, "request lifecycle", unreceived_message, .ranks = 2,
           .sends = synchronous);

// ---- Send buffers changed before the isend completes ------------------------------------------

CORPUS_PROGRAM(isend_vector_changed_before_wait) {
    if (world.rank() == 0) {
        std::vector<int> data{1, 2, 3};
        baton::request r = world.isend(data, 1, 0);
        data[0] = 99;
        r.wait();
    } else {
        world.recv<std::vector<int>>(0, 0);
    }
}
CORPUS_RUN(isend_vector_changed_before_wait, "local concurrency", send_buffer_modified, .ranks = 2);
CORPUS_RUN(isend_vector_changed_before_wait, "local concurrency", send_buffer_modified, .ranks = 2,
           .sends = synchronous);

CORPUS_PROGRAM(isend_scalar_incremented_before_test) {
    if (world.rank() == 0) {
        int counter = 1;
        baton::request r = world.isend(counter, 1, 0);
        ++counter;
        while (!r.test()) {
        }
    } else {
        world.recv<int>(0, 0);
    }
}
CORPUS_RUN(isend_scalar_incremented_before_test, "local concurrency", send_buffer_modified, .ranks = 2);

CORPUS_PROGRAM(isend_array_refilled_before_wait_all) {
    const int other = 1 - world.rank();
    std::array<double, 4> out{1, 2, 3, 4};
    std::array<double, 4> in{};
    std::array<baton::request, 2> requests{world.irecv(in, other, 0), world.isend(out, other, 0)};
    out.fill(0.0);
    baton::wait_all(requests);
}
CORPUS_RUN(isend_array_refilled_before_wait_all, "local concurrency", send_buffer_modified, .ranks = 2);

CORPUS_PROGRAM(isend_changed_before_wait_any) {
    if (world.rank() == 0) {
        std::vector<int> data(8, 1);
        std::array<baton::request, 1> requests{world.isend(data, 1, 0)};
        data.back() = 2;
        baton::wait_any(requests);
    } else {
        world.recv<std::vector<int>>(0, 0);
    }
}
CORPUS_RUN(isend_changed_before_wait_any, "local concurrency", send_buffer_modified, .ranks = 2);

// The isend refers to the loop counter itself, which moves on before the waits.
CORPUS_PROGRAM(isend_of_a_loop_counter) {
    const int other = 1 - world.rank();
    std::vector<baton::request> requests;
    std::array<int, 3> in{};
    for (int k = 0; k < 3; ++k) requests.push_back(world.irecv(in[static_cast<std::size_t>(k)], other, k));
    int i = 0;
    for (; i < 3; ++i) requests.push_back(world.isend(i, other, i));
    baton::wait_all(requests);
}
CORPUS_RUN(isend_of_a_loop_counter, "local concurrency", send_buffer_modified, .ranks = 2);

// ---- Receive buffers written before the irecv completes ---------------------------------------

CORPUS_PROGRAM(irecv_array_written_before_wait) {
    if (world.rank() == 1) {
        world.send(std::array<int, 3>{1, 2, 3}, 0, 0);
        return;
    }
    std::array<int, 3> buffer{};
    baton::request r = world.irecv(buffer, 1, 0);
    buffer[2] = 0;
    r.wait();
}
CORPUS_RUN(irecv_array_written_before_wait, "local concurrency", receive_buffer_modified, .ranks = 2);

CORPUS_PROGRAM(irecv_scalar_assigned_before_wait) {
    if (world.rank() == 1) {
        world.send(5, 0, 0);
        return;
    }
    int value = 0;
    baton::request r = world.irecv(value, 1, 0);
    value = 1;
    r.wait();
}
CORPUS_RUN(irecv_scalar_assigned_before_wait, "local concurrency", receive_buffer_modified, .ranks = 2);

CORPUS_PROGRAM(irecv_span_written_through_its_vector) {
    if (world.rank() == 1) {
        world.send(std::vector<float>{1, 2}, 0, 0);
        return;
    }
    std::vector<float> storage(2);
    std::span<float> view(storage);
    baton::request r = world.irecv(view, 1, 0);
    storage[0] = 3.0f;
    std::array<baton::request, 1> requests{std::move(r)};
    baton::wait_all(requests);
}
CORPUS_RUN(irecv_span_written_through_its_vector, "local concurrency", receive_buffer_modified, .ranks = 2);

// On MPI, an irecv into a std::vector receives into the vector's own memory once the message is
// matched, so writing it before the wait races with the receive just as for a fixed buffer.
CORPUS_PROGRAM(irecv_vector_written_before_wait) {
    if (world.rank() == 1) {
        world.send(std::vector<int>{1, 2, 3}, 0, 0);
        return;
    }
    std::vector<int> buffer(3);
    baton::request r = world.irecv(buffer, 1, 0);
    buffer[0] = 7;
    r.wait();
}
CORPUS_RUN(irecv_vector_written_before_wait, "local concurrency", receive_buffer_modified, .ranks = 2);

// A non-blocking collective's request must be completed too (MPI-3.1 5.12): the collective is
// done on every rank here, but nobody waited for it.
CORPUS_PROGRAM(ibarrier_never_waited_for) {
    baton::request arrived = world.ibarrier();
    world.barrier();
}
CORPUS_RUN(ibarrier_never_waited_for, "request lifecycle", request_leak, .ranks = 3);

// The data an iallreduce gives changed before the request completed.
CORPUS_PROGRAM(iallreduce_input_changed_while_pending) {
    int mine = world.rank(), sum = 0;
    baton::request total = world.iallreduce(mine, sum, baton::op::sum);
    mine = -1;
    total.wait();
}
CORPUS_RUN(iallreduce_input_changed_while_pending, "local concurrency", send_buffer_modified, .ranks = 2);

// igather ... ialltoallv (issue 14: igather): a request never completed, and data changed before
// completion.
CORPUS_PROGRAM(ialltoall_never_waited_for) {
    std::vector<int> swapped;
    baton::request swapping = world.ialltoall(std::vector<int>(static_cast<std::size_t>(world.size()), 1), swapped);
    world.barrier();
}
CORPUS_RUN(ialltoall_never_waited_for, "request lifecycle", request_leak, .ranks = 3);

CORPUS_PROGRAM(igather_input_changed_while_pending) {
    std::vector<int> mine{world.rank(), 1}, all;
    baton::request gathering = world.igather(mine, all, 0);
    mine[1] = 2;
    gathering.wait();
}
CORPUS_RUN(igather_input_changed_while_pending, "local concurrency", send_buffer_modified, .ranks = 2);

// The same for an ireduce_scatter_block's data (issue 14: iscan), and an iexscan never waited for.
CORPUS_PROGRAM(ireduce_scatter_block_input_changed_while_pending) {
    std::vector<int> mine(static_cast<std::size_t>(world.size()), world.rank()), block;
    baton::request scattered = world.ireduce_scatter_block(mine, block, baton::op::sum);
    mine[0] = -1;
    scattered.wait();
}
CORPUS_RUN(ireduce_scatter_block_input_changed_while_pending, "local concurrency", send_buffer_modified, .ranks = 2);

CORPUS_PROGRAM(iexscan_never_waited_for) {
    long before = 0;
    baton::request prefix = world.iexscan(1L, before, baton::op::sum);
    world.barrier();
}
CORPUS_RUN(iexscan_never_waited_for, "request lifecycle", request_leak, .ranks = 3);

}  // namespace
