#define _GNU_SOURCE
#include "CBatchrunShims.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>

int batchrun_set_child_subreaper(void) {
#ifdef PR_SET_CHILD_SUBREAPER
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#else
    return -1;
#endif
}

int batchrun_terminal_width(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) {
        return 0;
    }
    return size.ws_col;
}

// MARK: - Semaphores

#include <time.h>

int batchrun_semaphore_wait(sem_t *semaphore, long long nanoseconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    long long total = deadline.tv_nsec + (nanoseconds > 0 ? nanoseconds : 0);
    deadline.tv_sec += total / 1000000000;
    deadline.tv_nsec = total % 1000000000;
    return sem_clockwait(semaphore, CLOCK_MONOTONIC, &deadline);
}

// MARK: - Stop signals

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static int stop_signal_pipe[2] = {-1, -1};
static const int stop_signals[] = {BATCHRUN_STOP_SIGNALS};

static void batchrun_on_stop_signal(int number) {
    int saved = errno;
    unsigned char byte = (unsigned char)number;
    ssize_t ignored = write(stop_signal_pipe[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

int batchrun_catch_stop_signals(void) {
    if (stop_signal_pipe[0] >= 0) {
        return 0;
    }
    if (pipe2(stop_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        return -1;
    }
    struct sigaction action;
    action.sa_handler = batchrun_on_stop_signal;
    sigfillset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (unsigned i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
        if (sigaction(stop_signals[i], &action, NULL) != 0) {
            return -1;
        }
    }
    return 0;
}

int batchrun_next_stop_signal(void) {
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    for (unsigned i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
        sigdelset(&mask, stop_signals[i]);
    }
    struct pollfd wait = {.fd = stop_signal_pipe[0], .events = POLLIN, .revents = 0};
    for (;;) {
        unsigned char byte;
        if (read(stop_signal_pipe[0], &byte, 1) == 1) {
            return byte;
        }
        // The stop signals are unblocked here only while waiting: a pending one is
        // delivered to this thread's handler at once.
        ppoll(&wait, 1, NULL, &mask);
    }
}
