// The corpus's C programs (this folder), each an unmodified MPI program whose main is named
// corpus_c_<name> (-DBATON_MPI_MAIN) and run as each rank by baton::capi::run_program, labelled
// here like the C++ programs: the finding its mistake gives, or correct.
#include "../corpus.hpp"
#include "program.hpp"

// The program `name` (c/name.c), registered with its label on `count` ranks.
#define C_PROGRAM(name, label, count)                                            \
    extern "C" int corpus_c_##name(int argc, char** argv);                       \
    CORPUS_PROGRAM(name) {                                                       \
        char program_name[] = #name;                                             \
        char* argv[] = {program_name, nullptr};                                  \
        baton::capi::run_program(world, &corpus_c_##name, 1, argv);              \
    }                                                                            \
    CORPUS_RUN(name, "C API", label, .ranks = count)

C_PROGRAM(uncommitted_type, invalid_argument, 2);
C_PROGRAM(call_before_init, invalid_argument, 2);
C_PROGRAM(call_after_finalize, invalid_argument, 2);
C_PROGRAM(in_place_bcast, invalid_argument, 2);
C_PROGRAM(aliased_allreduce, invalid_argument, 2);
C_PROGRAM(overlapping_sendrecv, invalid_argument, 2);
C_PROGRAM(receive_from_each_other, deadlock, 2);
C_PROGRAM(struct_as_other_signature, type_mismatch, 2);
C_PROGRAM(bcast_and_barrier, collective_mismatch, 3);
C_PROGRAM(short_receive, truncation, 2);
C_PROGRAM(ring_sendrecv, correct, 3);
C_PROGRAM(halo_with_requests, correct, 4);
C_PROGRAM(wildcard_then_specific, correct, 3);
C_PROGRAM(in_place_reductions, correct, 3);
C_PROGRAM(committed_and_freed, correct, 2);
C_PROGRAM(errors_returned, correct, 2);
