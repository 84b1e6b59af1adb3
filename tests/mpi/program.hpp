// Random valid baton programs, for the differential test.
//
// A program is a list of steps: point-to-point patterns (one message, a shift around the ranks,
// many-to-one with any_source, a burst of tagged messages received by a mix of calls, a halo
// exchange along a line with proc_null beyond its ends, persistent requests started several times,
// cancelled receives) and every collective, blocking and
// non-blocking, over random ranks, roots, sizes, element types and reductions, with splits and dups
// that run steps of their own on the new communicator. It is a pure function of its seed, and the
// same program runs on any number of ranks (ranks and roots are taken modulo the size).
//
// Every program is valid MPI whatever the buffering (no pair of blocking sends faces each other;
// the reference run uses the simulator's synchronous sends, which would report a deadlock
// otherwise), and its results do not depend on timing: each step's messages are received within
// the step, tags are unique per step, any_source receives are used only where one message can
// match or where what is logged is the sorted set of what arrived.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <baton/communicator.hpp>

namespace differential {

enum class value_type : std::uint8_t {
    i32, i64, i16, u8, chr, boolean, f32, f64, ld, cplx, pod, affine, loc,  // trivially copyable
    text,   // std::string
    table,  // std::map<int, std::string>, serialized
};

enum class step_kind : std::uint8_t {
    pair, shift, to_root_any, burst,
    barrier, bcast, scatter, gather, allgather, alltoall, reduce, allreduce, scan, exscan,
    gatherv, allgatherv, scatterv,
    split, dup,
    halo,  // a line that does not wrap around: proc_null beyond its ends
    alltoallv, reduce_scatter, reduce_scatter_block, in_place,
    cartesian,  // a grid over the communicator: coordinates, a shift, a neighbour collective
    nonblocking,  // a non-blocking collective, with point-to-point while it is under way
    persistent,   // persistent send and receive requests, started several times
    cancel,       // receives cancelled: one nothing matches, one already matched
};

struct step {
    step_kind kind = step_kind::barrier;
    value_type type = value_type::i32;
    int a = 0, b = 0;          // ranks (source, destination, root): taken modulo the size
    int k = 0;                 // shift distance, burst length, number of colors
    std::size_t size = 0;      // elements per message
    int tag = 0;               // the first of the step's tags
    int mode = 0;              // how the step sends and receives (see program.cpp)
    int op = 0;                // which reduction
    std::uint64_t salt = 0;    // seeds the values
    std::vector<step> inner;   // split, dup: steps on the new communicator
};

struct program {
    std::uint64_t seed = 0;
    std::vector<step> steps;
};

program generate(std::uint64_t seed);

// One line per step, for reports.
std::string describe(const program& p);

// Runs the program on this rank and returns what the rank saw.
std::string run(const program& p, baton::communicator& world);

}  // namespace differential
