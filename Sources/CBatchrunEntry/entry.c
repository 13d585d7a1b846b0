#include "CBatchrunEntry.h"

#include "CBatchrunShims.h"

#include <pthread.h>
#include <signal.h>

static int blocked = 0;

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
}

__attribute__((section(".preinit_array"), used)) static void (*const batchrun_preinit)(void) =
    batchrun_block_stop_signals;

int batchrun_entry_blocked_stop_signals(void) {
    return blocked;
}
