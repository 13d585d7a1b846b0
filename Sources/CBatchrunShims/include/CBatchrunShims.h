#ifndef CBATCHRUN_SHIMS_H
#define CBATCHRUN_SHIMS_H

/// Makes this process a child subreaper: orphaned descendants are re-parented to it.
/// Returns 0 on success, -1 with errno set otherwise (prctl is variadic, so Swift
/// cannot call it directly).
int batchrun_set_child_subreaper(void);

/// The width in columns of the terminal on `fd`, or 0 when it is not a terminal
/// (ioctl is variadic too).
int batchrun_terminal_width(int fd);

#endif
