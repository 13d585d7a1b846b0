#ifndef CBATCHRUN_SHIMS_H
#define CBATCHRUN_SHIMS_H

#include <semaphore.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/types.h>

/// The signals that stop a run, for a C array's initializer: blocked before `main` by
/// CBatchrunEntry, caught by ``batchrun_catch_stop_signals``, waited for by
/// ``batchrun_next_stop_signal``. The one place they are listed.
#define BATCHRUN_STOP_SIGNALS SIGINT, SIGTERM, SIGHUP

/// Makes this process a child subreaper: orphaned descendants are re-parented to it.
/// Returns 0 on success, -1 with errno set otherwise (prctl is variadic, so Swift
/// cannot call it directly).
int batchrun_set_child_subreaper(void);

/// The width in columns of the terminal on `fd`, or 0 when it is not a terminal
/// (ioctl is variadic too).
int batchrun_terminal_width(int fd);

/// Waits until `semaphore` is posted or `nanoseconds` have passed on the monotonic clock
/// (sem_clockwait(3): a step of the wall clock neither stretches nor cuts the wait).
/// Returns 0 when it was posted, or -1 with errno set (ETIMEDOUT, EINTR).
int batchrun_semaphore_wait(sem_t *semaphore, long long nanoseconds);

/// Catches SIGINT, SIGTERM and SIGHUP with a handler that writes the signal's number
/// to a pipe (async-signal-safe), whichever thread the signal is delivered to. Returns 0,
/// or -1 with errno set. Jobs start with default dispositions: exec resets handled signals.
int batchrun_catch_stop_signals(void);

/// Waits for the next stop signal caught since ``batchrun_catch_stop_signals`` and returns
/// its number. The calling thread unblocks the stop signals only while it waits, so
/// signals blocked everywhere else are delivered to it.
int batchrun_next_stop_signal(void);

/// Starts `path` as a job: a session of its own (`POSIX_SPAWN_SETSID`), an empty signal
/// mask, `default_signals` reset to their default action, `stdin_fd` as standard input,
/// `output_fd` as standard output and error, the `extra_count` `extra_fds` (each above
/// 2 + extra_count) as 3, 4, ..., no other descriptor (close-from), and `directory` as its
/// working directory unless NULL. Returns 0, or the error number (the exec's own, such as
/// ENOENT or EACCES, included).
int batchrun_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdin_fd,
                   int output_fd, const char *directory, const sigset_t *default_signals,
                   const int *extra_fds, int extra_count);

/// The signals this process ignores (SIGPIPE, or SIGINT in a background job of a shell):
/// a job must get them back with their default action.
void batchrun_ignored_signals(sigset_t *set);

/// A pidfd for `pid` (pidfd_open(2)), or -1 with errno set.
int batchrun_pidfd_open(pid_t pid);

/// Reaps the process behind `pidfd` (waitid(P_PIDFD)), blocking: `code` is CLD_EXITED,
/// CLD_KILLED or CLD_DUMPED and `status` the exit code or signal. 0, or -1 with errno.
int batchrun_wait_pidfd(int pidfd, int *code, int *status);

/// A new epoll descriptor, close-on-exec; -1 with errno set.
int batchrun_epoll_create(void);

/// Adds `fd` to `epoll` for reading, with `data` as its tag. (`struct epoll_event` is
/// packed on x86_64, which Swift cannot lay out: it is only touched in C.)
int batchrun_epoll_add(int epoll, int fd, int data);

/// Removes `fd` from `epoll`, then closes it. A bare close is not enough: a child being
/// spawned holds a copy of the descriptor until its exec, which keeps the registration
/// alive and would report a number that may already name another file.
int batchrun_epoll_remove_and_close(int epoll, int fd);

/// Waits for readiness on `epoll` and stores up to `capacity` (at most 64) tags in
/// `data`; their count, or -1 with errno set.
int batchrun_epoll_wait(int epoll, int *data, int capacity);

/// Waits for any child to exit (waitid(P_ALL)), blocking; its pid, or -1 with errno
/// (ECHILD: none). With `peek`, the child is left a zombie, to be reaped later.
pid_t batchrun_wait_any(int *code, int *status, int peek);

/// The first `needle_length` bytes `needle` in `haystack`, or NULL: memmem(3), a GNU
/// extension Swift's Glibc module does not show.
const void *batchrun_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// A pipe whose ends close on exec, made atomically (pipe2(2) with O_CLOEXEC), with room for
/// `size` bytes where the system allows it, and a non-blocking read end. Returns 0, or -1
/// with errno set.
int batchrun_cloexec_pipe(int ends[2], int size);

#endif
