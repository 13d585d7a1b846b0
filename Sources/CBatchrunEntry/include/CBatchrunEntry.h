#ifndef CBATCHRUN_ENTRY_H
#define CBATCHRUN_ENTRY_H

/// Whether the stop signals were blocked before `main` (by this target's .preinit_array entry);
/// linking the target is what makes the `batchrun` tool block them first thing.
int batchrun_entry_blocked_stop_signals(void);

/// Whether descriptor `fd` (below 64) was open when the process started, before any of
/// its own code ran.
int batchrun_entry_inherited_descriptor(int fd);

#endif
