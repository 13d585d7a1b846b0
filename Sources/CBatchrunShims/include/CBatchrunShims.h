#ifndef CBATCHRUN_SHIMS_H
#define CBATCHRUN_SHIMS_H

/// Makes this process a child subreaper: orphaned descendants are re-parented to it.
/// Returns 0 on success, -1 with errno set otherwise (prctl is variadic, so Swift
/// cannot call it directly).
int batchrun_set_child_subreaper(void);

/// The width in columns of the terminal on `fd`, or 0 when it is not a terminal
/// (ioctl is variadic too).
int batchrun_terminal_width(int fd);

/// Catches SIGINT, SIGTERM and SIGHUP with a handler that writes the signal's number
/// to a pipe (async-signal-safe), whichever thread the signal is delivered to. Returns 0,
/// or -1 with errno set. Jobs start with default dispositions: exec resets handled signals.
int batchrun_catch_stop_signals(void);

/// Waits for the next stop signal caught since ``batchrun_catch_stop_signals`` and returns
/// its number. The calling thread unblocks the stop signals only while it waits, so
/// signals blocked everywhere else are delivered to it.
int batchrun_next_stop_signal(void);

#endif
