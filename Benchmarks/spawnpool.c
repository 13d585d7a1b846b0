/*
 * spawnpool: the floor the benchmarks compare against.
 *
 * The least a job runner can do on this machine: a fixed pool of J slots, each job
 * started with posix_spawn("/bin/sh", ["sh", "-c", LINE]) and reaped with
 * waitpid(-1); dependencies released by counting. No logging of its own, no
 * bookkeeping beyond a FIFO of ready jobs.
 *
 *     spawnpool -j J JOBFILE
 *
 * JOBFILE has one job per line, "NEEDS<TAB>LINE": NEEDS is "-" or a comma-separated
 * list of 1-based line numbers of jobs this one needs, LINE the shell text (the
 * benchmarks give every runner the same "exec >logs/ID.log 2>&1; CMD"). A line without
 * a tab is a job that needs nothing.
 *
 * Exit status: 0 when every job exited 0; 1 when one failed (its dependents never
 * start); 2 on bad usage or input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct job {
    char *line;        /* the shell text */
    char *needs;       /* "-", "" or "3,4,5" (1-based), parsed once all lines are read */
    int waiting;       /* needs not yet finished */
    int first_out;     /* dependents are out_edges[first_out .. first_out + out_count) */
    int out_count;
};

static void fail(const char *what) {
    fprintf(stderr, "spawnpool: %s: %s\n", what, strerror(errno));
    exit(2);
}

static char *read_all(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (!file) fail(path);
    size_t capacity = 1 << 16, used = 0;
    char *text = malloc(capacity);
    if (!text) fail("malloc");
    for (;;) {
        if (used + 1 >= capacity) {
            capacity *= 2;
            text = realloc(text, capacity);
            if (!text) fail("realloc");
        }
        size_t got = fread(text + used, 1, capacity - used - 1, file);
        if (got == 0) break;
        used += got;
    }
    if (ferror(file)) fail(path);
    fclose(file);
    text[used] = '\0';
    *size = used;
    return text;
}

/* Calls visit(need) for each 1-based number in a NEEDS field; returns -1 on junk. */
static int each_need(const char *needs, int count, void (*visit)(int need, int job, void *), int job,
                     void *context) {
    if (needs == NULL || needs[0] == '\0' || strcmp(needs, "-") == 0) return 0;
    const char *p = needs;
    while (*p) {
        char *end;
        long need = strtol(p, &end, 10);
        if (end == p || need < 1 || need > count || need - 1 == job) return -1;
        visit((int)need - 1, job, context);
        if (*end == ',') end++;
        else if (*end != '\0') return -1;
        p = end;
    }
    return 0;
}

static void count_edge(int need, int job, void *context) {
    struct job *jobs = context;
    jobs[need].out_count++;
    jobs[job].waiting++;
}

struct fill { struct job *jobs; int *edges; int *cursor; };

static void fill_edge(int need, int job, void *context) {
    struct fill *fill = context;
    fill->edges[fill->jobs[need].first_out + fill->cursor[need]++] = job;
}

int main(int argc, char **argv) {
    int slots = 2, option;
    while ((option = getopt(argc, argv, "j:")) != -1) {
        if (option == 'j') slots = atoi(optarg);
        else goto usage;
    }
    if (optind != argc - 1 || slots < 1) goto usage;

    size_t size;
    char *text = read_all(argv[optind], &size);
    int count = 0;
    for (size_t i = 0; i < size; i++) count += text[i] == '\n';
    if (size > 0 && text[size - 1] != '\n') count++;

    struct job *jobs = calloc((size_t)count + 1, sizeof *jobs);
    if (!jobs) fail("calloc");
    int n = 0;
    for (char *line = text; line < text + size && *line;) {
        char *newline = strchr(line, '\n');
        if (newline) *newline = '\0';
        char *tab = strchr(line, '\t');
        if (tab) {
            *tab = '\0';
            jobs[n].needs = line;
            jobs[n].line = tab + 1;
        } else {
            jobs[n].line = line;
        }
        n++;
        if (!newline) break;
        line = newline + 1;
    }

    /* Dependents as one flat array (compressed rows), two passes over the NEEDS fields. */
    for (int j = 0; j < n; j++)
        if (each_need(jobs[j].needs, n, count_edge, j, jobs) < 0) {
            fprintf(stderr, "spawnpool: line %d: bad needs '%s'\n", j + 1, jobs[j].needs);
            return 2;
        }
    int edges = 0;
    for (int j = 0; j < n; j++) {
        jobs[j].first_out = edges;
        edges += jobs[j].out_count;
    }
    int *out_edges = malloc(((size_t)edges + 1) * sizeof *out_edges);
    int *cursor = calloc((size_t)n + 1, sizeof *cursor);
    if (!out_edges || !cursor) fail("malloc");
    struct fill fill = { jobs, out_edges, cursor };
    for (int j = 0; j < n; j++) each_need(jobs[j].needs, n, fill_edge, j, &fill);

    int *ready = malloc(((size_t)n + 1) * sizeof *ready);
    pid_t *slot_pid = calloc((size_t)slots, sizeof *slot_pid);
    int *slot_job = calloc((size_t)slots, sizeof *slot_job);
    if (!ready || !slot_pid || !slot_job) fail("malloc");
    int head = 0, tail = 0;
    for (int j = 0; j < n; j++)
        if (jobs[j].waiting == 0) ready[tail++] = j;

    int running = 0, finished = 0, failed = 0;
    for (;;) {
        while (running < slots && head < tail) {
            int j = ready[head++];
            char *child_argv[] = { "sh", "-c", jobs[j].line, NULL };
            pid_t pid;
            int error = posix_spawn(&pid, "/bin/sh", NULL, NULL, child_argv, environ);
            if (error) {
                fprintf(stderr, "spawnpool: posix_spawn: %s\n", strerror(error));
                failed++;
                finished++;
                continue;
            }
            int s = 0;
            while (slot_pid[s] != 0) s++;
            slot_pid[s] = pid;
            slot_job[s] = j;
            running++;
        }
        if (running == 0) break;
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            fail("waitpid");
        }
        int s = 0;
        while (s < slots && slot_pid[s] != pid) s++;
        if (s == slots) continue;
        int j = slot_job[s];
        slot_pid[s] = 0;
        running--;
        finished++;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "spawnpool: line %d failed (wait status %#x)\n", j + 1, status);
            failed++;
            continue;
        }
        for (int e = jobs[j].first_out; e < jobs[j].first_out + jobs[j].out_count; e++)
            if (--jobs[out_edges[e]].waiting == 0) ready[tail++] = out_edges[e];
    }
    if (failed || finished < n) {
        fprintf(stderr, "spawnpool: %d jobs: %d failed, %d never started\n", n, failed, n - finished);
        return 1;
    }
    return 0;

usage:
    fprintf(stderr, "usage: spawnpool -j J JOBFILE\n");
    return 2;
}
