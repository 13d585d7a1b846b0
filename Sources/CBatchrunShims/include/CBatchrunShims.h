#ifndef CBATCHRUN_SHIMS_H
#define CBATCHRUN_SHIMS_H

/// Makes this process a child subreaper: orphaned descendants are re-parented to it.
/// Returns 0 on success, -1 with errno set otherwise (prctl is variadic, so Swift
/// cannot call it directly).
int batchrun_set_child_subreaper(void);

#endif
