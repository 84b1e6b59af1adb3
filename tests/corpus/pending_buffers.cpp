// Buffers of pending requests, the blind spots of issue #12: what MPI forbids (4.1, 3.7.2: a
// pending isend's buffer must not be modified, a pending irecv's must not be accessed at all;
// 3.10: MPI_Sendrecv's buffers must be disjoint) that the checksums at completion did not see:
// writes into an irecv'd container that was empty, into the object a serialized irecv fills, a
// receive and a send sharing memory in one call, one buffer used by a pending irecv and by another
// operation, and (with --strict-buffers) a write that puts the old bytes back or a read of an
// irecv's buffer before it completes. Each bug comes with correct programs that look like it.
#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

// ---- Resizable containers received into by an irecv --------------------------------------------

// The vector is empty, so it has no bytes a checksum could watch; on MPI the push_back is lost
// (or races with the receive once it is matched).
CORPUS_PROGRAM(irecv_into_empty_vector_then_push_back) {
    if (world.rank() == 1) {
        world.send(std::vector<int>{1, 2, 3}, 0, 0);
        return;
    }
    std::vector<int> in;
    baton::request r = world.irecv(in, 1, 0);
    in.push_back(7);
    r.wait();
}
CORPUS_RUN(irecv_into_empty_vector_then_push_back, "local concurrency", receive_buffer_modified, .ranks = 2);
CORPUS_RUN(irecv_into_empty_vector_then_push_back, "local concurrency", receive_buffer_modified, .ranks = 2,
           .sends = synchronous);

CORPUS_PROGRAM(irecv_into_empty_string_then_assign) {
    if (world.rank() == 1) {
        world.send(std::string("hello"), 0, 0);
        return;
    }
    std::string in;
    baton::request r = world.irecv(in, 1, 0);
    in.assign("hi");  // fits in the string itself (no allocation): only its size changes
    r.wait();
}
CORPUS_RUN(irecv_into_empty_string_then_assign, "local concurrency", receive_buffer_modified, .ranks = 2);

// Room reserved first: the push_back changes neither the memory nor the capacity, only the size.
CORPUS_PROGRAM(irecv_into_reserved_vector_then_push_back) {
    if (world.rank() == 1) {
        world.send(std::vector<double>{1.0}, 0, 0);
        return;
    }
    std::vector<double> in;
    in.reserve(16);
    baton::request r = world.irecv(in, 1, 0);
    in.push_back(2.0);
    r.wait();
}
CORPUS_RUN(irecv_into_reserved_vector_then_push_back, "local concurrency", receive_buffer_modified, .ranks = 2);

// The container's memory is swapped away while the receive owns it.
CORPUS_PROGRAM(irecv_into_vector_then_swap) {
    if (world.rank() == 1) {
        world.send(std::vector<int>{1, 2}, 0, 0);
        return;
    }
    std::vector<int> in, other{5, 6};
    baton::request r = world.irecv(in, 1, 0);
    in.swap(other);
    r.wait();
}
CORPUS_RUN(irecv_into_vector_then_swap, "local concurrency", receive_buffer_modified, .ranks = 2);

// A serialized value arrives in a private buffer and is deserialized into the map on completion:
// the insertion before the wait is silently lost.
CORPUS_PROGRAM(irecv_into_map_then_insert) {
    if (world.rank() == 1) {
        world.send(std::map<int, int>{{1, 1}}, 0, 0);
        return;
    }
    std::map<int, int> in;
    baton::request r = world.irecv(in, 1, 0);
    in[2] = 2;
    r.wait();
}
CORPUS_RUN(irecv_into_map_then_insert, "local concurrency", receive_buffer_modified, .ranks = 2);

// Correct: the containers are only looked at (size, capacity) before the wait, written after it.
CORPUS_PROGRAM(irecv_into_containers_used_after_the_wait) {
    const int other = 1 - world.rank();
    std::vector<int> numbers;
    std::string text;
    std::map<int, int> table;
    std::vector<double> reserved;
    reserved.reserve(8);
    std::array<baton::request, 4> requests{world.irecv(numbers, other, 0), world.irecv(text, other, 1),
                                           world.irecv(table, other, 2), world.irecv(reserved, other, 3)};
    corpus::expect(numbers.size() <= 3 && text.size() <= 4 && reserved.capacity() >= 8, "sizes can be read");
    world.send(std::vector<int>{1, 2, 3}, other, 0);
    world.send(std::string("four"), other, 1);
    world.send(std::map<int, int>{{world.rank(), 1}}, other, 2);
    world.send(std::vector<double>{0.5}, other, 3);
    baton::wait_all(requests);
    numbers.push_back(4);
    text += "!";
    table[7] = 7;
    reserved.push_back(1.5);
    corpus::expect(numbers == std::vector<int>{1, 2, 3, 4} && text == "four!" && table.count(other) == 1 &&
                       reserved == std::vector<double>{0.5, 1.5},
                   "what arrived, and what was added after the wait");
}
CORPUS_RUN(irecv_into_containers_used_after_the_wait, "correct", correct, .ranks = 2);
CORPUS_RUN(irecv_into_containers_used_after_the_wait, "correct", correct, .ranks = 2, .sends = synchronous);

// Correct: a container reused for the next irecv once the previous one has completed.
CORPUS_PROGRAM(container_reused_for_irecvs_one_after_another) {
    const int other = 1 - world.rank();
    std::vector<int> in;
    for (int round = 0; round < 3; ++round) {
        baton::request r = world.irecv(in, other, round);
        world.send(std::vector<int>(static_cast<std::size_t>(round + 1), round), other, round);
        r.wait();
        corpus::expect(in == std::vector<int>(static_cast<std::size_t>(round + 1), round), "this round's message");
        in.clear();
    }
}
CORPUS_RUN(container_reused_for_irecvs_one_after_another, "correct", correct, .ranks = 2);

// ---- One buffer for two operations -------------------------------------------------------------

// Both ranks hold the same values, so the receive leaves the bytes as they were and the isend's
// checksum cannot tell; MPI_Sendrecv forbids it all the same.
CORPUS_PROGRAM(sendrecv_onto_its_own_buffer) {
    const int other = 1 - world.rank();
    std::vector<int> data{1, 2, 3};
    world.sendrecv(data, other, 0, data, other, 0);
}
CORPUS_RUN(sendrecv_onto_its_own_buffer, "local concurrency", invalid_argument, .ranks = 2);

// Overlapping parts of one array.
CORPUS_PROGRAM(sendrecv_of_overlapping_spans) {
    const int other = 1 - world.rank();
    std::array<int, 6> data{0, 0, 0, 0, 0, 0};
    const std::span<int> out = std::span(data).first(4);
    std::span<int> in = std::span(data).subspan(2);
    world.sendrecv(out, other, 0, in, other, 0);
}
CORPUS_RUN(sendrecv_of_overlapping_spans, "local concurrency", invalid_argument, .ranks = 2);

// Correct: the two halves of one array, exchanged.
CORPUS_PROGRAM(sendrecv_of_disjoint_halves) {
    const int other = 1 - world.rank();
    std::array<int, 4> data{world.rank(), world.rank(), -1, -1};
    const std::span<int> out = std::span(data).first(2);
    std::span<int> in = std::span(data).last(2);
    world.sendrecv(out, other, 0, in, other, 0);
    corpus::expect(data[2] == other && data[3] == other, "the other's half");
}
CORPUS_RUN(sendrecv_of_disjoint_halves, "correct", correct, .ranks = 2);
CORPUS_RUN(sendrecv_of_disjoint_halves, "correct", correct, .ranks = 2, .sends = synchronous);

// The isend sends whatever the pending irecv's buffer holds before its message arrives.
CORPUS_PROGRAM(isend_from_a_pending_irecvs_buffer) {
    const int other = 1 - world.rank();
    int value = 0;
    baton::request receiving = world.irecv(value, other, 0);
    baton::request forwarding = world.isend(value, other, 1);
    world.send(world.rank(), other, 0);
    world.recv<int>(other, 1);
    forwarding.wait();  // first: the irecv's completion writes the buffer the isend sends from
    receiving.wait();
}
CORPUS_RUN(isend_from_a_pending_irecvs_buffer, "local concurrency", receive_buffer_modified, .ranks = 2);

// Two irecvs into one empty vector: one message is lost, whichever completes last.
CORPUS_PROGRAM(two_irecvs_into_one_empty_vector) {
    if (world.rank() == 1) {
        world.send(std::vector<int>{1}, 0, 0);
        world.send(std::vector<int>{2, 2}, 0, 1);
        return;
    }
    std::vector<int> in;
    std::array<baton::request, 2> requests{world.irecv(in, 1, 0), world.irecv(in, 1, 1)};
    baton::wait_all(requests);
}
CORPUS_RUN(two_irecvs_into_one_empty_vector, "local concurrency", receive_buffer_modified, .ranks = 2);

// The root of an allreduce contributes the buffer of its pending irecv: poison, not a value.
CORPUS_PROGRAM(allreduce_of_a_pending_irecvs_buffer) {
    int value = 0;
    baton::request r;
    if (world.rank() == 0) r = world.irecv(value, 1, 0);
    world.allreduce(value, baton::op::sum);
    if (world.rank() == 1) world.send(5, 0, 0);
    if (world.rank() == 0) r.wait();
}
CORPUS_RUN(allreduce_of_a_pending_irecvs_buffer, "local concurrency", receive_buffer_modified, .ranks = 2);

// Correct: one buffer sent by several isends at once (reading it twice is fine), and read while
// they are pending.
CORPUS_PROGRAM(one_buffer_in_several_isends) {
    std::vector<int> data(4, 7);
    if (world.rank() == 0) {
        std::vector<baton::request> requests;
        for (int r = 1; r < world.size(); ++r) requests.push_back(world.isend(data, r, 0));
        int sum = 0;
        for (const int x : data) sum += x;  // reading a pending isend's buffer is allowed
        world.send(sum, 1, 1);
        baton::wait_all(requests);
    } else {
        corpus::expect(world.recv<std::vector<int>>(0, 0) == data, "the shared buffer");
        if (world.rank() == 1) corpus::expect(world.recv<int>(0, 1) == 28, "its sum");
    }
}
CORPUS_RUN(one_buffer_in_several_isends, "correct", correct, .ranks = 4);
CORPUS_RUN(one_buffer_in_several_isends, "correct", correct, .ranks = 4, .sends = synchronous);

// Correct: an isend's buffer received into once the isend has completed, and one irecv's buffer
// sent from once it has arrived.
CORPUS_PROGRAM(buffer_reused_after_completion) {
    const int other = 1 - world.rank();
    std::array<int, 3> buffer{world.rank(), 1, 2};
    baton::request sending = world.isend(buffer, other, 0);
    sending.wait();
    baton::request receiving = world.irecv(buffer, other, 0);
    receiving.wait();
    corpus::expect(buffer[0] == other, "the other's buffer");
    world.isend(buffer, other, 1).wait();
    world.recv(buffer, other, 1);
    corpus::expect(buffer[0] == world.rank(), "back again");
}
CORPUS_RUN(buffer_reused_after_completion, "correct", correct, .ranks = 2);

// ---- The receive buffer of a pending non-blocking collective (issue 14) ------------------------

// Written before the wait: whether the collective's result overwrites the write or the write the
// result depends on when the others arrive (on MPI it is undefined), so both are reported.
CORPUS_PROGRAM(iallreduce_result_written_before_wait) {
    int mine = world.rank() + 1, sum = 0;
    baton::request total = world.iallreduce(mine, sum, baton::op::sum);
    sum = 100;  // a first guess, meant to be refined once the total arrives
    total.wait();
}
CORPUS_RUN(iallreduce_result_written_before_wait, "local concurrency", receive_buffer_modified, .ranks = 2);
CORPUS_RUN(iallreduce_result_written_before_wait, "local concurrency", receive_buffer_modified, .ranks = 4,
           .collectives = local);

// A rank that receives an ibcast resets its buffer while the root's data may be on its way.
CORPUS_PROGRAM(ibcast_buffer_cleared_before_wait) {
    std::vector<double> coefficients(8, world.rank() == 0 ? 0.5 : 0.0);
    baton::request sharing = world.ibcast(coefficients, 0);
    if (world.rank() != 0) std::fill(coefficients.begin(), coefficients.end(), 1.0);
    sharing.wait();
}
CORPUS_RUN(ibcast_buffer_cleared_before_wait, "local concurrency", receive_buffer_modified, .ranks = 3);

// Correct: the overlap the non-blocking collective is for. The input is read, other memory is
// written meanwhile, the result is used (and reused) only after the wait; an in-place one's
// buffer likewise.
CORPUS_PROGRAM(iallreduce_overlapped_with_other_work) {
    std::vector<double> local(4, 1.0 + world.rank()), total, next(4, 0.0), running(2, 1.0);
    baton::request summing = world.iallreduce(local, total, baton::op::sum);
    baton::request in_place = world.iallreduce_in_place(running, baton::op::prod);
    for (std::size_t i = 0; i < next.size(); ++i) next[i] = 2.0 * local[i];  // reads the input
    summing.wait();
    in_place.wait();
    const double n = world.size();
    corpus::expect(total.size() == 4 && total[0] == n * (n + 1) / 2 && running[0] == 1.0, "the results");
    total[0] = 0.0;  // the program's again
    baton::request again = world.iallreduce(next, total, baton::op::max);
    again.wait();
    corpus::expect(total[3] == 2.0 * n, "the second result");
}
CORPUS_RUN(iallreduce_overlapped_with_other_work, "correct", correct, .ranks = 3);
CORPUS_RUN(iallreduce_overlapped_with_other_work, "correct", correct, .ranks = 3, .collectives = local);

// --strict-buffers: a read of the result before the wait (large enough to have whole pages).
CORPUS_PROGRAM(iallgather_result_read_before_wait) {
    std::vector<int> mine(4096, world.rank()), all(4096 * static_cast<std::size_t>(world.size()), 0);
    baton::request gathering = world.iallgather(mine, all);
    long early = 0;
    for (std::size_t i = 0; i < all.size(); i += 1024) early += *static_cast<volatile int*>(&all[i]);
    gathering.wait();
    corpus::expect(early >= 0, "a sum of what was there");
}
CORPUS_RUN(iallgather_result_read_before_wait, "local concurrency", receive_buffer_modified, .ranks = 2,
           .strict_buffers = true);

// ---- --strict-buffers: protected pages -------------------------------------------------------

constexpr std::size_t big = 4096;  // ints: 16 KiB, at least three whole pages

// The old value goes back before the wait: the checksum sees nothing; the write still races with
// MPI reading the buffer.
CORPUS_PROGRAM(isend_write_then_restore) {
    std::vector<int> data(big, 1);
    if (world.rank() == 0) {
        baton::request r = world.isend(data, 1, 0);
        volatile int* element = &data[big / 2];  // volatile: both stores happen, in any build
        *element = 2;
        *element = 1;
        r.wait();
    } else {
        world.recv(data, 0, 0);
    }
}
CORPUS_RUN(isend_write_then_restore, "local concurrency", send_buffer_modified, .ranks = 2, .strict_buffers = true);

// A read of an irecv's buffer before the wait (it holds poison then).
CORPUS_PROGRAM(irecv_read_before_wait) {
    std::vector<int> data(big, 0);
    if (world.rank() == 0) {
        baton::request r = world.irecv(data, 1, 0);
        world.barrier();
        [[maybe_unused]] const int early = *static_cast<volatile int*>(&data[big / 2]);
        r.wait();
    } else {
        world.send(std::vector<int>(big, 5), 0, 0);
        world.barrier();
    }
}
CORPUS_RUN(irecv_read_before_wait, "local concurrency", receive_buffer_modified, .ranks = 2, .strict_buffers = true);

// Correct under strict buffers: pending isend buffers read (not written), one buffer in several
// isends, large irecvs into fixed and resizable buffers used after their waits, and the memory
// reused for the next request.
CORPUS_PROGRAM(large_requests_used_correctly) {
    std::vector<int> out(big, world.rank());
    std::vector<int> in_vector;
    std::vector<int> in_fixed(big, -1);
    const int right = (world.rank() + 1) % world.size(), left = (world.rank() + world.size() - 1) % world.size();
    for (int round = 0; round < 2; ++round) {
        std::array<baton::request, 4> requests{world.irecv(in_vector, left, 0), world.irecv(in_fixed, left, 1),
                                               world.isend(out, right, 0), world.isend(out, right, 1)};
        long sum = 0;
        for (const int x : out) sum += x;
        corpus::expect(sum == static_cast<long>(big) * world.rank(), "reading a pending isend's buffer");
        baton::wait_all(requests);
        corpus::expect(in_vector.size() == big && in_vector[big - 1] == left && in_fixed[0] == left, "the messages");
        in_fixed[0] = -1;
        in_vector.push_back(1);
        in_vector.clear();
    }
}
CORPUS_RUN(large_requests_used_correctly, "correct", correct, .ranks = 3, .strict_buffers = true);
CORPUS_RUN(large_requests_used_correctly, "correct", correct, .ranks = 3, .sends = synchronous,
           .strict_buffers = true);

// ---- Polling loops that give up by themselves ----------------------------------------------------

// Rank 0 looks for an optional message a fixed number of times, then goes on; nothing else can
// happen meanwhile (rank 1 waits for it). Correct, and longer than the default bound: a run with
// a higher --poll-limit does not call it stuck.
CORPUS_PROGRAM(polling_that_gives_up_after_12000_tries) {
    if (world.rank() == 0) {
        int tries = 0;
        while (!world.iprobe(1, 9) && ++tries < 12'000) {
        }
        world.send(tries, 1, 0);
    } else {
        corpus::expect(world.recv<int>(0, 0) == 12'000, "every try made");
    }
}
CORPUS_RUN(polling_that_gives_up_after_12000_tries, "polling", correct, .ranks = 2, .poll_limit = 20'000);
CORPUS_RUN(polling_that_gives_up_after_12000_tries, "polling", correct, .ranks = 2, .poll_limit = 0);

// The same loop gave up by itself after 4000 tries before: the program's own history says it
// has a counter, so the second, longer round (12 000 tries) is not called stuck either.
CORPUS_PROGRAM(polling_that_gives_up_longer_each_round) {
    for (int round = 1; round <= 2; ++round) {
        const int patience = round == 1 ? 4'000 : 12'000;
        if (world.rank() == 0) {
            int tries = 0;
            while (!world.iprobe(1, 9) && ++tries < patience) {
            }
            world.send(tries, 1, round);
        } else {
            corpus::expect(world.recv<int>(0, round) == patience, "every try made");
        }
    }
}
CORPUS_RUN(polling_that_gives_up_longer_each_round, "polling", correct, .ranks = 2);

// A loop that can never succeed is still a deadlock with a lower limit, and sooner.
CORPUS_PROGRAM(polling_for_a_message_nobody_sends) {
    if (world.rank() == 0)
        while (!world.iprobe(1, 9)) {
        }
}
CORPUS_RUN(polling_for_a_message_nobody_sends, "polling", deadlock, .ranks = 2, .poll_limit = 50);
CORPUS_RUN(polling_for_a_message_nobody_sends, "polling", deadlock, .ranks = 2);

}  // namespace
