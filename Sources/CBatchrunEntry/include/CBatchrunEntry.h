#ifndef CBATCHRUN_ENTRY_H
#define CBATCHRUN_ENTRY_H

/// Whether the stop signals were blocked before `main` (by this target's .preinit_array entry);
/// linking the target is what makes the `batchrun` tool block them first thing.
int batchrun_entry_blocked_stop_signals(void);

#endif
