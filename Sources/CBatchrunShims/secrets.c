#define _GNU_SOURCE
#include "CBatchrunShims.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const void *batchrun_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

int batchrun_cloexec_pipe(int ends[2], int size) {
    if (pipe2(ends, O_CLOEXEC) != 0) return -1;
    // A larger pipe means fewer, larger reads; the system's limit may refuse it.
    (void)fcntl(ends[1], F_SETPIPE_SZ, size);
    // The reader polls when the pipe is empty, so that it can stop after a deadline.
    (void)fcntl(ends[0], F_SETFL, O_NONBLOCK);
    return 0;
}
