/*
 * measure: runs a command and reports its wall time, CPU time and peak RSS.
 *
 *     measure RESULTFILE PROGRAM [ARG ...]
 *
 * Writes one line to RESULTFILE: "WALL_NS USER_US SYS_US MAXRSS_KB EXIT" where the times
 * and the RSS come from wait4's rusage: user and system time of PROGRAM and of every
 * descendant it waited for, and the largest peak RSS among them. Exits with PROGRAM's
 * exit status (128+n for signal n).
 *
 * Why not time it from the benchmark scripts directly: a child started with vfork or
 * posix_spawn reports its parent's peak RSS as its own once it calls exec (the kernel
 * keeps the high-water mark of the address space it leaves), so a child of a 60 MB
 * Python shows 60 MB whatever it runs. This program stays small.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: measure RESULTFILE PROGRAM [ARG ...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid;
    int error = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (error) {
        fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(error));
        return 127;
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("measure: wait4");
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    long long wall = (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    fprintf(out, "%lld %lld %lld %ld %d\n", wall,
            (long long)usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec,
            (long long)usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec, usage.ru_maxrss, code);
    fclose(out);
    return code;
}
