#include "CBatchrunEntry.h"

#include "CBatchrunShims.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

static int blocked = 0;
static uint64_t inherited = 0;

// Runs before any shared library's initializer (an executable's .preinit_array comes
// first: the Swift runtime, Foundation and ICU take milliseconds to start) and before
// any thread exists, so every thread of the process inherits the mask: SIGINT, SIGTERM
// and SIGHUP wait for batchrun's signal watcher instead of killing it halfway through
// setting up a run, however early they come. SIGPIPE is ignored, so that a closed stdout
// is an EPIPE error, not a death. Jobs start with an empty mask and default dispositions
// (the spawn path resets both).
static void batchrun_block_stop_signals(void) {
    static const int stop_signals[] = {BATCHRUN_STOP_SIGNALS};
    sigset_t set;
    sigemptyset(&set);
    for (unsigned i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
        sigaddset(&set, stop_signals[i]);
    }
    blocked = pthread_sigmask(SIG_BLOCK, &set, 0) == 0;
    signal(SIGPIPE, SIG_IGN);
    // Which descriptors the process was started with, before it opens any: make's
    // jobserver descriptors are only to be used if they were (batchrun's own may take
    // the same numbers later).
    for (int fd = 0; fd < 64; fd++) {
        if (fcntl(fd, F_GETFD) != -1) inherited |= (uint64_t)1 << fd;
    }
}

__attribute__((section(".preinit_array"), used)) static void (*const batchrun_preinit)(void) =
    batchrun_block_stop_signals;

int batchrun_entry_blocked_stop_signals(void) {
    return blocked;
}

int batchrun_entry_inherited_descriptor(int fd) {
    return fd >= 0 && fd < 64 && (inherited >> fd & 1);
}
