#define _GNU_SOURCE
#include "CBatchrunShims.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int batchrun_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdin_fd,
                   int output_fd, const char *directory, const sigset_t *default_signals,
                   const int *extra_fds, int extra_count) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) {
        return result;
    }
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (result == 0) result = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    if (result == 0) result = posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    if (result == 0) result = posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
    // The extra descriptors (a jobserver's, with --jobserver) become 3, 4, ...: their
    // sources are above them (the caller sees to it), so no dup2 overwrites a later one.
    for (int i = 0; result == 0 && i < extra_count; i++) {
        result = posix_spawn_file_actions_adddup2(&actions, extra_fds[i], 3 + i);
    }
    if (result == 0 && directory != NULL) result = posix_spawn_file_actions_addchdir_np(&actions, directory);
    // Whatever a library opened without O_CLOEXEC stays out of the job too.
    if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(&actions, 3 + extra_count);
    if (result == 0) result = posix_spawnattr_setsigmask(&attributes, &empty);
    if (result == 0) result = posix_spawnattr_setsigdefault(&attributes, default_signals);
    if (result == 0) {
        result = posix_spawnattr_setflags(
            &attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    }
    if (result == 0) result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}

void batchrun_ignored_signals(sigset_t *set) {
    sigemptyset(set);
    for (int number = 1; number < NSIG; number++) {
        struct sigaction action;
        if (sigaction(number, NULL, &action) == 0 && action.sa_handler == SIG_IGN) {
            sigaddset(set, number);
        }
    }
}

int batchrun_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int batchrun_wait_pidfd(int pidfd, int *code, int *status) {
    siginfo_t info = {0};
    if (waitid((idtype_t)3 /* P_PIDFD */, (id_t)pidfd, &info, WEXITED) != 0) {
        return -1;
    }
    *code = info.si_code;
    *status = info.si_status;
    return 0;
}

pid_t batchrun_wait_any(int *code, int *status, int peek) {
    siginfo_t info = {0};
    if (waitid(P_ALL, 0, &info, WEXITED | (peek ? WNOWAIT : 0)) != 0) {
        return -1;
    }
    *code = info.si_code;
    *status = info.si_status;
    return info.si_pid;
}

#include <sys/epoll.h>

int batchrun_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int batchrun_epoll_add(int epoll, int fd, int data) {
    struct epoll_event event = {.events = EPOLLIN, .data = {.fd = data}};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int batchrun_epoll_remove_and_close(int epoll, int fd) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
    return close(fd);
}

int batchrun_epoll_wait(int epoll, int *data, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) {
        capacity = 64;
    }
    int count = epoll_wait(epoll, events, capacity, -1);
    for (int i = 0; i < count; i++) {
        data[i] = events[i].data.fd;
    }
    return count;
}
