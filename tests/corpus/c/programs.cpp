// The corpus's C programs (this folder), each an unmodified MPI program whose main is named
// corpus_c_<name> (-DBATON_MPI_MAIN) and run as each rank by baton::capi::run_program, labelled
// here like the C++ programs: the finding its mistake gives (every one here is a usage error MPI's
// C API allows to be written: invalid_argument), or correct.
#include "../corpus.hpp"
#include "program.hpp"

#define C_PROGRAM(name)                                                          \
    extern "C" int corpus_c_##name(int argc, char** argv);                       \
    CORPUS_PROGRAM(name) {                                                       \
        char program_name[] = #name;                                             \
        char* argv[] = {program_name, nullptr};                                  \
        baton::capi::run_program(world, &corpus_c_##name, 1, argv);              \
    }

C_PROGRAM(uncommitted_type)
CORPUS_RUN(uncommitted_type, "C API", invalid_argument, .ranks = 2);
C_PROGRAM(call_before_init)
CORPUS_RUN(call_before_init, "C API", invalid_argument, .ranks = 2);
C_PROGRAM(call_after_finalize)
CORPUS_RUN(call_after_finalize, "C API", invalid_argument, .ranks = 2);
C_PROGRAM(in_place_bcast)
CORPUS_RUN(in_place_bcast, "C API", invalid_argument, .ranks = 2);
C_PROGRAM(aliased_allreduce)
CORPUS_RUN(aliased_allreduce, "C API", invalid_argument, .ranks = 2);
C_PROGRAM(overlapping_sendrecv)
CORPUS_RUN(overlapping_sendrecv, "C API", invalid_argument, .ranks = 2);
C_PROGRAM(ring_sendrecv)
CORPUS_RUN(ring_sendrecv, "C API", correct, .ranks = 3);
C_PROGRAM(in_place_reductions)
CORPUS_RUN(in_place_reductions, "C API", correct, .ranks = 3);
C_PROGRAM(committed_and_freed)
CORPUS_RUN(committed_and_freed, "C API", correct, .ranks = 2);
C_PROGRAM(errors_returned)
CORPUS_RUN(errors_returned, "C API", correct, .ranks = 2);
