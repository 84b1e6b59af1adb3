// Rank failures: an exception escapes one rank while the others wait for it, run on, or have
// finished. The run must end at once with that rank's failure and nothing else (the others are
// unwound, not reported as deadlocked).
#include <map>
#include <stdexcept>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

CORPUS_PROGRAM(throw_while_others_wait_in_a_barrier) {
    if (world.rank() == 1) throw std::runtime_error("rank 1 gives up");
    world.barrier();
}
CORPUS_RUN(throw_while_others_wait_in_a_barrier, "rank failure", rank_failure, .ranks = 4);

CORPUS_PROGRAM(throw_before_sending_what_another_waits_for) {
    if (world.rank() == 0) throw std::logic_error("no data");
    if (world.rank() == 1) world.recv<int>(0, 0);
}
CORPUS_RUN(throw_before_sending_what_another_waits_for, "rank failure", rank_failure, .ranks = 3);
CORPUS_RUN(throw_before_sending_what_another_waits_for, "rank failure", rank_failure, .ranks = 3,
           .sends = synchronous);

CORPUS_PROGRAM(throw_something_that_is_not_an_exception) {
    if (world.rank() == 2) throw 42;
    world.allreduce(1, baton::op::sum);
}
CORPUS_RUN(throw_something_that_is_not_an_exception, "rank failure", rank_failure, .ranks = 3);

// Out of range in the rank's own code, after the communication went well.
CORPUS_PROGRAM(out_of_range_after_a_gather) {
    const auto all = world.gather(world.rank(), 0);
    if (world.rank() == 0) corpus::expect(all.at(static_cast<std::size_t>(world.size())) == 0, "unreachable");
}
CORPUS_RUN(out_of_range_after_a_gather, "rank failure", rank_failure, .ranks = 3);

// The user's reduction throws inside the collective.
CORPUS_PROGRAM(reduction_that_throws) {
    auto checked_sum = [](const int& a, const int& b) {
        if (a + b > 2) throw std::overflow_error("sum above 2");
        return a + b;
    };
    world.allreduce(1, checked_sum);
}
CORPUS_RUN(reduction_that_throws, "rank failure", rank_failure, .ranks = 4);

// A failure while other ranks exchange messages on a split communicator.
CORPUS_PROGRAM(throw_inside_a_split_communicator) {
    communicator half = world.split(world.rank() % 2, world.rank());
    if (world.rank() == 3) throw std::runtime_error("odd half fails");
    for (int i = 0; i < 10; ++i) {
        int in = 0;
        const int other = (half.rank() + 1) % half.size();
        half.sendrecv(i, other, 0, in, other, 0);
    }
}
CORPUS_RUN(throw_inside_a_split_communicator, "rank failure", rank_failure, .ranks = 4);

// The bcast's root leaves early (collective_mode::local) and then fails.
CORPUS_PROGRAM(root_fails_after_leaving_a_bcast) {
    std::vector<int> data(4, world.rank());
    world.bcast(data, 0);
    if (world.rank() == 0) throw std::runtime_error("root fails");
    world.barrier();
}
CORPUS_RUN(root_fails_after_leaving_a_bcast, "rank failure", rank_failure, .ranks = 3, .collectives = local);

// The last rank fails after every other rank has finished.
CORPUS_PROGRAM(fail_after_the_others_finished) {
    if (world.rank() == 0) {
        for (int r = 1; r < world.size(); ++r) world.recv<int>(r, 0);
        throw std::runtime_error("late failure");
    }
    world.send(world.rank(), 0, 0);
}
CORPUS_RUN(fail_after_the_others_finished, "rank failure", rank_failure, .ranks = 4);

// A failure while the others wait in a synchronous send to the failing rank.
CORPUS_PROGRAM(fail_with_synchronous_sends_pending) {
    if (world.rank() == 0) throw std::bad_alloc();
    world.send(std::map<int, int>{{world.rank(), 1}}, 0, 0);
}
CORPUS_RUN(fail_with_synchronous_sends_pending, "rank failure", rank_failure, .ranks = 3, .sends = synchronous);

}  // namespace
