// Collectives called differently on different ranks: another operation (call matching, in the
// MBI's terms), or the same one with another root, element type, element count or reduction
// (parameter matching), for every collective. MPI requires every rank of the communicator to make
// the same collective calls in the same order with matching arguments (MPI 4.1, 6.1 and 6.14).
//
// In each program rank 2 of 3 (the odd one out) calls something other than ranks 0 and 1.
//
// A collective on another communicator is no mismatch that the ranks can see: each waits in its
// own communicator for ranks that never come, which is a deadlock, and is labelled so.
#include <array>
#include <map>
#include <span>
#include <vector>

#include "corpus.hpp"

namespace {

using baton::communicator;
using baton::ragged;

bool odd_one(const communicator& world) { return world.rank() == 2; }
std::vector<int> one_each(const communicator& world) { return std::vector<int>(static_cast<std::size_t>(world.size()), 1); }
ragged<int> uneven_blocks() { return ragged<int>::from_blocks({{1}, {2, 3}, {}}); }

// ---- Another operation ----------------------------------------------------------------------

CORPUS_PROGRAM(barrier_against_bcast) {
    int value = 1;
    if (odd_one(world)) world.bcast(value, 0);
    else world.barrier();
}
CORPUS_RUN(barrier_against_bcast, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(bcast_against_reduce) {
    int value = 1;
    if (odd_one(world)) world.reduce(value, baton::op::sum, 0);
    else world.bcast(value, 0);
}
CORPUS_RUN(bcast_against_reduce, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scatter_against_gather) {
    if (odd_one(world)) world.gather(1, 0);
    else world.scatter(one_each(world), 0);
}
CORPUS_RUN(scatter_against_gather, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gather_against_allgather) {
    if (odd_one(world)) world.allgather(1);
    else world.gather(1, 0);
}
CORPUS_RUN(gather_against_allgather, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allgather_against_alltoall) {
    if (odd_one(world)) world.alltoall(one_each(world));
    else world.allgather(1);
}
CORPUS_RUN(allgather_against_alltoall, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(alltoall_against_barrier) {
    if (odd_one(world)) world.barrier();
    else world.alltoall(one_each(world));
}
CORPUS_RUN(alltoall_against_barrier, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(reduce_against_allreduce) {
    if (odd_one(world)) world.allreduce(1, baton::op::sum);
    else world.reduce(1, baton::op::sum, 0);
}
CORPUS_RUN(reduce_against_allreduce, "call matching", collective_mismatch, .ranks = 3);

// A non-blocking collective matches only its own non-blocking form (MPI-3.1 5.12).
CORPUS_PROGRAM(iallreduce_against_allreduce) {
    int sum = 0;
    if (odd_one(world)) sum = world.allreduce(1, baton::op::sum);
    else world.iallreduce(1, sum, baton::op::sum).wait();
}
CORPUS_RUN(iallreduce_against_allreduce, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(ibarrier_against_ibcast) {
    int value = 0;
    baton::request r = odd_one(world) ? world.ibcast(value, 0) : world.ibarrier();
    r.wait();
}
CORPUS_RUN(ibarrier_against_ibcast, "call matching", collective_mismatch, .ranks = 3);

// A non-blocking v-collective's root names the counts it receives beforehand (MPI_Igatherv's
// recvcounts): rank 2 sends another count than the root expects from it (issue 14: igather).
CORPUS_PROGRAM(igatherv_count_not_what_the_root_expects) {
    ragged<int> all;
    if (world.rank() == 0) all = ragged<int>(std::vector<std::size_t>(static_cast<std::size_t>(world.size()), 1));
    const std::vector<int> mine(odd_one(world) ? 2 : 1, world.rank());
    world.igatherv(mine, all, 0).wait();
}
CORPUS_RUN(igatherv_count_not_what_the_root_expects, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allreduce_against_scan) {
    if (odd_one(world)) world.scan(1, baton::op::sum);
    else world.allreduce(1, baton::op::sum);
}
CORPUS_RUN(allreduce_against_scan, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scan_against_exscan) {
    if (odd_one(world)) world.exscan(1, baton::op::sum);
    else world.scan(1, baton::op::sum);
}
CORPUS_RUN(scan_against_exscan, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(exscan_against_allreduce) {
    if (odd_one(world)) world.allreduce(1, baton::op::sum);
    else world.exscan(1, baton::op::sum);
}
CORPUS_RUN(exscan_against_allreduce, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gatherv_against_allgatherv) {
    const std::vector<int> mine(static_cast<std::size_t>(world.rank()), 4);
    if (odd_one(world)) world.allgatherv(mine);
    else world.gatherv(mine, 0);
}
CORPUS_RUN(gatherv_against_allgatherv, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allgatherv_against_allgather) {
    if (odd_one(world)) world.allgather(5);
    else world.allgatherv(5);
}
CORPUS_RUN(allgatherv_against_allgather, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scatterv_against_scatter) {
    if (odd_one(world)) world.scatter(std::vector<int>{}, 0);
    else world.scatterv(world.rank() == 0 ? uneven_blocks() : ragged<int>{}, 0);
}
CORPUS_RUN(scatterv_against_scatter, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(split_against_dup) {
    if (odd_one(world)) world.dup();
    else world.split(0, world.rank());
}
CORPUS_RUN(split_against_dup, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(dup_against_barrier) {
    if (odd_one(world)) world.barrier();
    else world.dup();
}
CORPUS_RUN(dup_against_barrier, "call matching", collective_mismatch, .ranks = 3);

// The same collectives, in another order on one rank.
CORPUS_PROGRAM(allreduce_and_bcast_swapped) {
    int value = 3;
    if (odd_one(world)) {
        world.bcast(value, 0);
        world.allreduce(value, baton::op::max);
    } else {
        world.allreduce(value, baton::op::max);
        world.bcast(value, 0);
    }
}
CORPUS_RUN(allreduce_and_bcast_swapped, "call matching", collective_mismatch, .ranks = 3);

// ---- Another root ----------------------------------------------------------------------------

int root_of(const communicator& world) { return odd_one(world) ? 1 : 0; }

CORPUS_PROGRAM(bcast_another_root) {
    int value = 1;
    world.bcast(value, root_of(world));
}
CORPUS_RUN(bcast_another_root, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scatter_another_root) {
    world.scatter(one_each(world), root_of(world));
}
CORPUS_RUN(scatter_another_root, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gather_another_root) { world.gather(world.rank(), root_of(world)); }
CORPUS_RUN(gather_another_root, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(reduce_another_root) { world.reduce(world.rank(), baton::op::sum, root_of(world)); }
CORPUS_RUN(reduce_another_root, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gatherv_another_root) {
    world.gatherv(std::vector<int>(static_cast<std::size_t>(world.rank()), 1), root_of(world));
}
CORPUS_RUN(gatherv_another_root, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scatterv_another_root) {
    world.scatterv(world.rank() == root_of(world) ? uneven_blocks() : ragged<int>{}, root_of(world));
}
CORPUS_RUN(scatterv_another_root, "parameter matching", collective_mismatch, .ranks = 3);

// ---- Another element type --------------------------------------------------------------------

CORPUS_PROGRAM(bcast_another_type) {
    if (odd_one(world)) {
        double value = 1;
        world.bcast(value, 0);
    } else {
        int value = 1;
        world.bcast(value, 0);
    }
}
CORPUS_RUN(bcast_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(bcast_another_serialized_type) {
    if (odd_one(world)) {
        std::map<int, double> value;
        world.bcast(value, 0);
    } else {
        std::map<int, int> value{{1, 2}};
        world.bcast(value, 0);
    }
}
CORPUS_RUN(bcast_another_serialized_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scatter_another_type) {
    if (odd_one(world)) world.scatter(std::vector<double>{}, 0);
    else world.scatter(one_each(world), 0);
}
CORPUS_RUN(scatter_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gather_another_type) {
    if (odd_one(world)) world.gather(1.0f, 0);
    else world.gather(1, 0);
}
CORPUS_RUN(gather_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allgather_another_type) {
    if (odd_one(world)) world.allgather(1L);
    else world.allgather(1);
}
CORPUS_RUN(allgather_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(alltoall_another_type) {
    if (odd_one(world)) world.alltoall(std::vector<unsigned>(3, 1u));
    else world.alltoall(one_each(world));
}
CORPUS_RUN(alltoall_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(reduce_another_type) {
    if (odd_one(world)) world.reduce(1.0, baton::op::sum, 0);
    else world.reduce(1, baton::op::sum, 0);
}
CORPUS_RUN(reduce_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allreduce_another_type) {
    if (odd_one(world)) world.allreduce(1.0f, baton::op::sum);
    else world.allreduce(1.0, baton::op::sum);
}
CORPUS_RUN(allreduce_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scan_another_type) {
    if (odd_one(world)) world.scan(1L, baton::op::sum);
    else world.scan(1, baton::op::sum);
}
CORPUS_RUN(scan_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(exscan_another_type) {
    if (odd_one(world)) world.exscan(static_cast<short>(1), baton::op::sum);
    else world.exscan(1, baton::op::sum);
}
CORPUS_RUN(exscan_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gatherv_another_type) {
    if (odd_one(world)) world.gatherv(std::vector<double>{1.0}, 0);
    else world.gatherv(std::vector<int>{1}, 0);
}
CORPUS_RUN(gatherv_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allgatherv_another_type) {
    if (odd_one(world)) world.allgatherv(std::string("ab"));
    else world.allgatherv(std::vector<int>{1, 2});
}
CORPUS_RUN(allgatherv_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scatterv_another_type) {
    if (odd_one(world)) world.scatterv(ragged<double>{}, 0);
    else world.scatterv(world.rank() == 0 ? uneven_blocks() : ragged<int>{}, 0);
}
CORPUS_RUN(scatterv_another_type, "parameter matching", collective_mismatch, .ranks = 3);

// ---- Another element count -------------------------------------------------------------------

// The root sends 3 ints; rank 2 receives into a fixed buffer of 2.
CORPUS_PROGRAM(bcast_into_a_shorter_span) {
    std::vector<int> data(3, world.rank());
    if (odd_one(world)) world.bcast(std::span<int>(data).first(2), 0);
    else world.bcast(data, 0);
}
CORPUS_RUN(bcast_into_a_shorter_span, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(bcast_arrays_of_other_sizes) {
    if (odd_one(world)) {
        std::array<int, 4> data{};
        world.bcast(data, 0);
    } else {
        std::array<int, 3> data{1, 2, 3};
        world.bcast(data, 0);
    }
}
CORPUS_RUN(bcast_arrays_of_other_sizes, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(gather_another_count) {
    if (odd_one(world)) world.gather(std::vector<int>{1, 2}, 0);
    else world.gather(1, 0);
}
CORPUS_RUN(gather_another_count, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allgather_another_count) {
    if (odd_one(world)) world.allgather(std::array<int, 3>{});
    else world.allgather(std::array<int, 2>{});
}
CORPUS_RUN(allgather_another_count, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(alltoall_another_count) {
    if (odd_one(world)) world.alltoall(std::vector<int>(6, 1));
    else world.alltoall(one_each(world));
}
CORPUS_RUN(alltoall_another_count, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(reduce_another_count) {
    const std::vector<int> mine(odd_one(world) ? 2 : 3, 1);
    world.reduce(mine, baton::op::sum, 0);
}
CORPUS_RUN(reduce_another_count, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allreduce_another_count) {
    const std::vector<double> mine(odd_one(world) ? 4 : 1, 1.0);
    world.allreduce(mine, baton::op::max);
}
CORPUS_RUN(allreduce_another_count, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scan_another_count) {
    const std::vector<int> mine(odd_one(world) ? 0 : 2, 1);
    world.scan(mine, baton::op::sum);
}
CORPUS_RUN(scan_another_count, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(exscan_another_count) {
    const std::vector<int> mine(odd_one(world) ? 1 : 2, 1);
    world.exscan(mine, baton::op::sum);
}
CORPUS_RUN(exscan_another_count, "parameter matching", collective_mismatch, .ranks = 3);

// ---- Another reduction -----------------------------------------------------------------------

CORPUS_PROGRAM(reduce_another_op) {
    if (odd_one(world)) world.reduce(1, baton::op::max, 0);
    else world.reduce(1, baton::op::sum, 0);
}
CORPUS_RUN(reduce_another_op, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allreduce_another_op) {
    if (odd_one(world)) world.allreduce(2, std::multiplies<>{});
    else world.allreduce(2, std::plus<>{});
}
CORPUS_RUN(allreduce_another_op, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(scan_another_op) {
    if (odd_one(world)) world.scan(1, baton::op::max);
    else world.scan(1, baton::op::min);
}
CORPUS_RUN(scan_another_op, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(exscan_user_op_against_sum) {
    auto sum_of_squares = [](const int& a, const int& b) { return a * a + b * b; };
    if (odd_one(world)) world.exscan(1, sum_of_squares);
    else world.exscan(1, baton::op::sum);
}
CORPUS_RUN(exscan_user_op_against_sum, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(allreduce_two_user_ops) {
    auto larger = [](const int& a, const int& b) { return a < b ? b : a; };
    auto smaller = [](const int& a, const int& b) { return a < b ? a : b; };
    if (odd_one(world)) world.allreduce(world.rank(), smaller);
    else world.allreduce(world.rank(), larger);
}
CORPUS_RUN(allreduce_two_user_ops, "parameter matching", collective_mismatch, .ranks = 3);

// ---- alltoallv, reduce_scatter and reductions in place (issue 14) -----------------------------

CORPUS_PROGRAM(alltoallv_against_alltoall) {
    if (odd_one(world)) world.alltoall(one_each(world));
    else world.alltoallv(uneven_blocks());
}
CORPUS_RUN(alltoallv_against_alltoall, "call matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(alltoallv_another_type) {
    if (odd_one(world)) world.alltoallv(ragged<double>::from_blocks({{1.0}, {}, {2.0}}));
    else world.alltoallv(uneven_blocks());
}
CORPUS_RUN(alltoallv_another_type, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(reduce_scatter_against_allreduce) {
    const std::vector<int> mine{1, 2, 3};
    if (odd_one(world)) world.allreduce(mine, baton::op::sum);
    else world.reduce_scatter_block(mine, baton::op::sum);
}
CORPUS_RUN(reduce_scatter_against_allreduce, "call matching", collective_mismatch, .ranks = 3);

// MPI_Reduce_scatter needs the same recvcounts on every rank: rank 2 cuts the result otherwise.
CORPUS_PROGRAM(reduce_scatter_other_blocks) {
    const std::vector<int> mine{1, 2, 3};
    const std::vector<std::size_t> counts = odd_one(world) ? std::vector<std::size_t>{0, 1, 2}
                                                           : std::vector<std::size_t>{1, 1, 1};
    world.reduce_scatter(mine, counts, baton::op::sum);
}
CORPUS_RUN(reduce_scatter_other_blocks, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(reduce_scatter_block_another_op) {
    const std::vector<int> mine{1, 2, 3};
    if (odd_one(world)) world.reduce_scatter_block(mine, baton::op::max);
    else world.reduce_scatter_block(mine, baton::op::sum);
}
CORPUS_RUN(reduce_scatter_block_another_op, "parameter matching", collective_mismatch, .ranks = 3);

// MPI_Allreduce takes MPI_IN_PLACE on every rank or on none.
CORPUS_PROGRAM(allreduce_in_place_on_one_rank) {
    std::vector<int> data{world.rank(), 1};
    if (odd_one(world)) world.allreduce_in_place(data, baton::op::sum);
    else data = world.allreduce(data, baton::op::sum);
}
CORPUS_RUN(allreduce_in_place_on_one_rank, "parameter matching", collective_mismatch, .ranks = 3);

CORPUS_PROGRAM(exscan_in_place_on_two_ranks) {
    std::array<long, 1> data{world.rank()};
    if (odd_one(world)) data = world.exscan(data, baton::op::sum);
    else world.exscan_in_place(std::span<long>(data), baton::op::sum);
}
CORPUS_RUN(exscan_in_place_on_two_ranks, "parameter matching", collective_mismatch, .ranks = 3);

// MPI_Alltoall (and MPI_Allgather) take MPI_IN_PLACE on every rank or on none, too.
CORPUS_PROGRAM(alltoall_in_place_on_one_rank) {
    std::vector<int> data(static_cast<std::size_t>(world.size()), world.rank());
    if (odd_one(world)) world.alltoall_in_place(data);
    else data = world.alltoall(data);
}
CORPUS_RUN(alltoall_in_place_on_one_rank, "parameter matching", collective_mismatch, .ranks = 3);

// A non-blocking scan matches only its own non-blocking form.
CORPUS_PROGRAM(iscan_against_scan) {
    int prefix = 0;
    if (odd_one(world)) prefix = world.scan(1, baton::op::sum);
    else world.iscan(1, prefix, baton::op::sum).wait();
}
CORPUS_RUN(iscan_against_scan, "call matching", collective_mismatch, .ranks = 3);

// ---- With collectives completing locally ------------------------------------------------------
// The ranks that left early are compared by the copy of their call they left behind.

CORPUS_RUN(gather_another_root, "parameter matching", collective_mismatch, .ranks = 3, .collectives = local);
CORPUS_RUN(reduce_another_op, "parameter matching", collective_mismatch, .ranks = 3, .collectives = local);
CORPUS_RUN(bcast_into_a_shorter_span, "parameter matching", collective_mismatch, .ranks = 3, .collectives = local);
CORPUS_RUN(scatterv_another_type, "parameter matching", collective_mismatch, .ranks = 3, .collectives = local);

// On a communicator made by split: the mismatch is reported on it.
CORPUS_PROGRAM(allreduce_another_op_in_a_half) {
    communicator half = world.split(world.rank() % 2, world.rank());
    if (world.rank() == 3) half.allreduce(1, baton::op::min);
    else half.allreduce(1, baton::op::sum);
}
CORPUS_RUN(allreduce_another_op_in_a_half, "parameter matching", collective_mismatch, .ranks = 4);

// The root never joins the gather; the others may leave it at once, but their data never arrives.
CORPUS_PROGRAM(gather_the_root_never_calls) {
    if (world.rank() != 0) world.gather(world.rank(), 0);
}
CORPUS_RUN(gather_the_root_never_calls, "call matching", deadlock, .ranks = 3);
CORPUS_RUN(gather_the_root_never_calls, "call matching", deadlock, .ranks = 3, .collectives = local);

// ---- Another communicator: a deadlock -------------------------------------------------------

CORPUS_PROGRAM(barrier_on_another_communicator) {
    communicator copy = world.dup();
    if (odd_one(world)) copy.barrier();
    else world.barrier();
}
CORPUS_RUN(barrier_on_another_communicator, "call matching", deadlock, .ranks = 3);

CORPUS_PROGRAM(allreduce_on_another_communicator) {
    communicator copy = world.dup();
    if (odd_one(world)) copy.allreduce(1, baton::op::sum);
    else world.allreduce(1, baton::op::sum);
}
CORPUS_RUN(allreduce_on_another_communicator, "call matching", deadlock, .ranks = 3);

// The root may leave its bcast at once (collective_mode::local), or not: a deadlock either way,
// since the others wait on a communicator the root never uses.
CORPUS_PROGRAM(bcast_root_on_another_communicator) {
    communicator copy = world.dup();
    int value = 1;
    if (world.rank() == 0) world.bcast(value, 0);
    else copy.bcast(value, 0);
}
CORPUS_RUN(bcast_root_on_another_communicator, "call matching", deadlock, .ranks = 3, .collectives = local);
CORPUS_RUN(bcast_root_on_another_communicator, "call matching", deadlock, .ranks = 3);

CORPUS_PROGRAM(split_on_another_communicator) {
    communicator copy = world.dup();
    if (odd_one(world)) copy.split(0, 0);
    else world.split(0, 0);
}
CORPUS_RUN(split_on_another_communicator, "call matching", deadlock, .ranks = 3);

}  // namespace
