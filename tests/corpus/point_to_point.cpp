// Point-to-point mismatches (a message's element type is not its receive's: MPI 4.1, 3.3.1 "Type
// Matching Rules"; a message longer than the receive buffer: 3.2.4 "Blocking Receive"), invalid
// arguments (ranks and tags outside what 3.2.3 "Message Envelope" allows, roots that are not
// ranks, counts that do not split into blocks), and message races whose every outcome is wrong.
#include <array>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;

// ---- Element type of the send is not the receive's -------------------------------------------

CORPUS_PROGRAM(send_int_receive_double) {
    if (world.rank() == 0) world.send(42, 1, 0);
    else world.recv<double>(0, 0);
}
CORPUS_RUN(send_int_receive_double, "parameter matching", type_mismatch, .ranks = 2);

CORPUS_PROGRAM(send_floats_receive_doubles) {
    if (world.rank() == 0) world.send(std::vector<float>{1, 2, 3}, 1, 0);
    else world.recv<std::vector<double>>(0, 0);
}
CORPUS_RUN(send_floats_receive_doubles, "parameter matching", type_mismatch, .ranks = 2);

CORPUS_PROGRAM(send_unsigned_receive_int) {
    if (world.rank() == 0) world.send(7u, 1, 0);
    else world.recv<int>(0, 0);
}
CORPUS_RUN(send_unsigned_receive_int, "parameter matching", type_mismatch, .ranks = 2);

CORPUS_PROGRAM(send_serialized_map_receive_another_map) {
    if (world.rank() == 0) world.send(std::map<int, int>{{1, 2}}, 1, 0);
    else world.recv<std::map<int, double>>(0, 0);
}
CORPUS_RUN(send_serialized_map_receive_another_map, "parameter matching", type_mismatch, .ranks = 2);

CORPUS_PROGRAM(irecv_of_another_type) {
    if (world.rank() == 0) {
        world.send(std::vector<long>{1, 2}, 1, 0);
    } else {
        std::vector<int> in;
        baton::request r = world.irecv(in, 0, 0);
        r.wait();
    }
}
CORPUS_RUN(irecv_of_another_type, "parameter matching", type_mismatch, .ranks = 2);

CORPUS_PROGRAM(sendrecv_of_another_type) {
    const int other = 1 - world.rank();
    if (world.rank() == 0) {
        double in = 0;
        world.sendrecv(1.5, other, 0, in, other, 0);
    } else {
        int in = 0;
        world.sendrecv(1, other, 0, in, other, 0);
    }
}
CORPUS_RUN(sendrecv_of_another_type, "parameter matching", type_mismatch, .ranks = 2);

// ---- Message longer than the receive buffer --------------------------------------------------

CORPUS_PROGRAM(five_ints_into_an_array_of_two) {
    if (world.rank() == 0) world.send(std::vector<int>(5, 1), 1, 0);
    else {
        std::array<int, 2> small{};
        world.recv(small, 0, 0);
    }
}
CORPUS_RUN(five_ints_into_an_array_of_two, "parameter matching", truncation, .ranks = 2);

CORPUS_PROGRAM(two_ints_into_a_scalar) {
    if (world.rank() == 0) world.send(std::array<int, 2>{1, 2}, 1, 0);
    else world.recv<int>(0, 0);
}
CORPUS_RUN(two_ints_into_a_scalar, "parameter matching", truncation, .ranks = 2);

CORPUS_PROGRAM(irecv_into_a_short_span) {
    if (world.rank() == 0) {
        world.send(std::vector<double>(4, 1.0), 1, 0);
    } else {
        std::vector<double> storage(3);
        std::span<double> view(storage);
        baton::request r = world.irecv(view, 0, 0);
        r.wait();
    }
}
CORPUS_RUN(irecv_into_a_short_span, "parameter matching", truncation, .ranks = 2);

// The probe says 4 elements; the buffer is sized by a constant instead.
CORPUS_PROGRAM(probe_then_receive_into_a_buffer_too_small) {
    if (world.rank() == 0) {
        world.send(std::string("four"), 1, 3);
    } else {
        const auto st = world.probe(0, 3);
        corpus::expect(st.count<char>() == 4, "four chars");
        std::array<char, 3> buffer{};
        world.recv(buffer, st.source, st.tag);
    }
}
CORPUS_RUN(probe_then_receive_into_a_buffer_too_small, "parameter matching", truncation, .ranks = 2);

// ---- Invalid ranks, tags, roots, counts -------------------------------------------------------

CORPUS_PROGRAM(send_to_rank_size) {
    if (world.rank() == 0) world.send(1, world.size(), 0);
}
CORPUS_RUN(send_to_rank_size, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(send_to_a_negative_rank) {
    if (world.rank() == 1) world.send(1, -3, 0);
}
CORPUS_RUN(send_to_a_negative_rank, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(send_to_any_source) {
    if (world.rank() == 1) world.send(1, baton::any_source, 0);
}
CORPUS_RUN(send_to_any_source, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(receive_from_rank_size) {
    if (world.rank() == 0) world.recv<int>(world.size(), 0);
}
CORPUS_RUN(receive_from_rank_size, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(send_with_a_negative_tag) {
    if (world.rank() == 0) world.send(1, 1, -2);
}
CORPUS_RUN(send_with_a_negative_tag, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(send_with_a_tag_above_max_tag) {
    if (world.rank() == 0) world.send(1, 1, baton::max_tag + 1);
}
CORPUS_RUN(send_with_a_tag_above_max_tag, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(send_with_any_tag) {
    if (world.rank() == 0) world.isend(1, 1, baton::any_tag).wait();
}
CORPUS_RUN(send_with_any_tag, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(irecv_from_an_invalid_rank) {
    if (world.rank() == 1) {
        int value = 0;
        world.irecv(value, 7, 0).wait();
    }
}
CORPUS_RUN(irecv_from_an_invalid_rank, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(probe_with_an_invalid_tag) {
    if (world.rank() == 1) world.probe(0, -7);
}
CORPUS_RUN(probe_with_an_invalid_tag, "invalid parameter", invalid_argument, .ranks = 2);

CORPUS_PROGRAM(bcast_from_a_root_out_of_range) {
    int value = 0;
    world.bcast(value, world.size());
}
CORPUS_RUN(bcast_from_a_root_out_of_range, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(reduce_to_a_negative_root) {
    world.reduce(1, baton::op::sum, -1);
}
CORPUS_RUN(reduce_to_a_negative_root, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(scatter_of_a_count_not_divisible) {
    std::vector<int> all;
    if (world.rank() == 0) all = {1, 2, 3, 4};
    world.scatter(all, 0);
}
CORPUS_RUN(scatter_of_a_count_not_divisible, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(alltoall_of_a_count_not_divisible) { world.alltoall(std::vector<int>(5, 1)); }
CORPUS_RUN(alltoall_of_a_count_not_divisible, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(scatterv_with_too_few_blocks) {
    baton::ragged<int> parts;
    if (world.rank() == 0) parts = baton::ragged<int>::from_blocks({{1}, {2}});
    world.scatterv(parts, 0);
}
CORPUS_RUN(scatterv_with_too_few_blocks, "invalid parameter", invalid_argument, .ranks = 3);

CORPUS_PROGRAM(split_with_a_negative_color) { world.split(world.rank() == 1 ? -2 : 0, 0); }
CORPUS_RUN(split_with_a_negative_color, "invalid parameter", invalid_argument, .ranks = 3);

// A rank that split left out (baton::undefined) uses the null communicator it got.
CORPUS_PROGRAM(barrier_on_a_null_communicator) {
    communicator evens = world.split(world.rank() % 2 == 0 ? 0 : baton::undefined, world.rank());
    if (world.rank() == 1) evens.barrier();
    else if (world.rank() % 2 == 0) evens.barrier();
}
CORPUS_RUN(barrier_on_a_null_communicator, "invalid parameter", invalid_argument, .ranks = 3);

// ---- Sends to oneself ------------------------------------------------------------------------

// Received with another tag: never matched, in any mode.
CORPUS_PROGRAM(send_to_self_with_the_wrong_tag) {
    if (world.rank() != 1) return;
    baton::request r = world.isend(3, 1, /*tag=*/4);
    world.recv<int>(1, /*tag=*/5);
    r.wait();
}
CORPUS_RUN(send_to_self_with_the_wrong_tag, "parameter matching", deadlock, .ranks = 2);
CORPUS_RUN(send_to_self_with_the_wrong_tag, "parameter matching", deadlock, .ranks = 2, .sends = synchronous);

// ---- Message races where every outcome is wrong -----------------------------------------------

// Two senders, one wildcard receive: whichever message it takes, the other is never received.
CORPUS_PROGRAM(one_wildcard_receive_for_two_messages) {
    if (world.rank() == 0) world.recv<int>(baton::any_source, 0);
    else world.send(world.rank(), 0, 0);
}
CORPUS_RUN(one_wildcard_receive_for_two_messages, "message race", unreceived_message, .ranks = 3);
CORPUS_RUN(one_wildcard_receive_for_two_messages, "message race", unreceived_message, .ranks = 3,
           .sends = synchronous);

// One sender sends an int, the other a double; both receives expect ints.
CORPUS_PROGRAM(wildcard_receives_of_mixed_types) {
    if (world.rank() == 0) {
        world.recv<int>(baton::any_source, 0);
        world.recv<int>(baton::any_source, 0);
    } else if (world.rank() == 1) {
        world.send(1, 0, 0);
    } else {
        world.send(2.0, 0, 0);
    }
}
CORPUS_RUN(wildcard_receives_of_mixed_types, "message race", type_mismatch, .ranks = 3);

// The receiver sizes its buffers for the short message; one of them gets the long one.
CORPUS_PROGRAM(wildcard_receives_of_mixed_lengths) {
    if (world.rank() == 0) {
        std::array<int, 2> buffer{};
        world.recv(buffer, baton::any_source, baton::any_tag);
        world.recv(buffer, baton::any_source, baton::any_tag);
    } else {
        world.send(std::vector<int>(static_cast<std::size_t>(world.rank() + 1), 0), 0, world.rank());
    }
}
CORPUS_RUN(wildcard_receives_of_mixed_lengths, "message race", truncation, .ranks = 3);

// Three receives for two messages: whichever message the wildcard takes, one of the receives from
// rank 1 waits for a message rank 1 never sends.
CORPUS_PROGRAM(wildcard_then_directed_receive) {
    if (world.rank() == 0) {
        world.recv<int>(baton::any_source, 0);
        world.recv<int>(1, 0);
        world.recv<int>(1, 0);
    } else {
        world.send(world.rank(), 0, 0);
    }
}
CORPUS_RUN(wildcard_then_directed_receive, "message race", deadlock, .ranks = 3);

}  // namespace
