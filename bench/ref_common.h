/* Helpers shared by the plain-MPI reference programs (ref_*.c).
 *
 * The same source is built with Open MPI's mpicc and with SimGrid's smpicc. smpicc force-includes
 * smpi_helpers.h, which turns clock_gettime and gettimeofday into *simulated* time; these programs
 * measure what the tool costs on this machine, so they read the wall clock with the raw system
 * call, which no macro rewrites. MPI_Wtime is not used for the same reason. */
#ifndef BATON_BENCH_REF_COMMON_H
#define BATON_BENCH_REF_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline double wall_seconds(void) {
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "--iters N" anywhere on the command line, else `fallback`. */
static inline long arg_long(int argc, char** argv, const char* name, long fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (strcmp(argv[i], name) == 0) return atol(argv[i + 1]);
    return fallback;
}

#endif
