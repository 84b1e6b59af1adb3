/* spawn: runs a command and reports its wall time (fork to exit) and its peak resident memory.
 *
 *     spawn [--report FILE] [--append-rss FILE] -- command [args...]
 *
 * --report writes "wall_ns N", "maxrss_kb N" and "cpu_us N" (user + system time of the command and
 * of every process it waited for) to FILE; --append-rss appends the peak memory in
 * KiB as one line to FILE (every rank of an MPI job can append to one file). The command's output
 * and exit status pass through (a command killed by a signal makes spawn die of the same signal).
 *
 * bench/run.py runs every benchmark command under it instead of timing from Python or using
 * /usr/bin/time: a process started by fork inherits its parent's peak memory, so measured from a
 * Python parent every process would weigh at least as much as Python; and this adds well under a
 * millisecond to a whole-process time. What it does add to the peak memory is its own, about 1 MiB. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
    const char* report = NULL;
    const char* append_rss = NULL;
    int i = 1;
    for (; i < argc; ++i) {
        if (strcmp(argv[i], "--") == 0) {
            ++i;
            break;
        }
        if (strcmp(argv[i], "--report") == 0 && i + 1 < argc) report = argv[++i];
        else if (strcmp(argv[i], "--append-rss") == 0 && i + 1 < argc) append_rss = argv[++i];
        else {
            fprintf(stderr, "spawn: unknown argument %s\nusage: spawn [--report FILE] [--append-rss FILE] -- command...\n",
                    argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "spawn: no command\n");
        return 2;
    }
    const long long start = now_ns();
    const pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 127;
    }
    if (pid == 0) {
        execvp(argv[i], argv + i);
        fprintf(stderr, "spawn: cannot run %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("spawn: wait4");
            return 127;
        }
    }
    const long long wall = now_ns() - start;
    if (report) {
        FILE* f = fopen(report, "w");
        if (f) {
            const long long cpu_us = (long long)usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec +
                                     (long long)usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
            fprintf(f, "wall_ns %lld\nmaxrss_kb %ld\ncpu_us %lld\n", wall, usage.ru_maxrss, cpu_us);
            fclose(f);
        }
    }
    if (append_rss) {
        const int fd = open(append_rss, O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd >= 0) {
            char line[32];
            const int n = snprintf(line, sizeof line, "%ld\n", usage.ru_maxrss);
            if (write(fd, line, (size_t)n) != n) perror("spawn: write");
            close(fd);
        }
    }
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}
