#!/usr/bin/env python3
"""Summarises a `perf record -g` of a runner: where the runner's own CPU goes, per job.

    python3 Benchmarks/perfsummary.py PERF.DATA JOBS

Reads `perf script` (sample-time thread names: `perf report --comms` filters by a
thread's last name and so mixes in the jobs' own `sh`). Prints CPU by thread name, then
the runner's CPU (every sample not named `sh`, `true`, ...) split into buckets by the
functions on its call stack, first match wins, and the runner's hottest functions.

A posix_spawn child runs under the parent thread's name until it execs: its samples
(the child's side of clone, setsid, dup2, exec up to the point of no return) are the
"vfork child, until exec" bucket, told apart by thread id (it is a thread that later
execs a job).
"""

import collections
import re
import subprocess
import sys

JOB_COMMANDS = {"sh", "dash", "true", "sleep", "head", "tr"}

# (bucket, regular expression matched against any frame of the stack), first match wins.
BUCKETS = [
    ("startup: dynamic loading, runtime init", r"^(_dl_start_user|_dl_start|dl_main|_dl_init)$"),
    ("journal (events.jsonl)", r"Journal"),
    ("report.json, JSON", r"RunReport|ReportDocument|4JSONO|JUnitReport"),
    ("console", r"ConsoleReporter|Console"),
    ("process groups, orphans (/proc)", r"ProcessGroups|Orphans"),
    ("open() (log files, /dev/null)", r"^(__libc_open64|__GI___libc_open|open64|__open64)$|^do_sys_openat2$"),
    ("posix_spawn, parent side (clone, child stack)", r"__spawni$|__spawnix|posix_spawn|^clone3$"),
    ("waiting for exits (pidfd, waitid, epoll, signals)", r"waitid|pidfd|epoll|sigsuspend|wait4"),
    ("scheduler, launches", r"Scheduler|ReadyQueue|LaunchFactory|AttemptControl"),
    ("thread hand-offs (futex, wake-ups, scheduling)", r"futex|sem_post|sem_wait|__schedule|finish_task_switch|pthread_cond|_dispatch|swift_task|swift_job_run"),
]


def samples(data):
    """Yields (comm, tid, period_ns, [symbols leaf first]) and collects exec'd tids."""
    out = subprocess.run(
        ["perf", "script", "-i", data, "--show-task-events", "-F", "comm,tid,period,ip,sym"],
        capture_output=True, text=True, errors="replace").stdout
    exec_tids = set()
    current = None
    for line in out.splitlines():
        if not line.strip():
            if current:
                yield current
            current = None
            continue
        if line.startswith("\t") or line.startswith(" " * 8) and current is not None:
            if current is not None:
                current[3].append(line.strip().split(" ", 1)[-1].rsplit("+", 1)[0])
            continue
        if "PERF_RECORD_COMM exec" in line:
            m = re.search(r"exec: (.+):(\d+)/(\d+)\s*$", line)
            if m and m.group(1) in JOB_COMMANDS:
                exec_tids.add(int(m.group(3)))
            continue
        if "PERF_RECORD" in line:
            continue
        m = re.match(r"\s*(.+?)\s+(\d+)\s+(\d+)\s*$", line)
        if m:
            if current:
                yield current
            current = [m.group(1), int(m.group(2)), int(m.group(3)), []]
    if current:
        yield current
    samples.exec_tids = exec_tids


def main():
    data, jobs = sys.argv[1], int(sys.argv[2])
    by_comm = collections.Counter()
    runner = []
    for comm, tid, period, stack in samples(data):
        by_comm[comm] += period
        if comm not in JOB_COMMANDS:
            runner.append((tid, period, stack))
    exec_tids = samples.exec_tids
    total = sum(by_comm.values())
    print(f"CPU by thread name ({jobs} jobs):")
    for comm, period in by_comm.most_common():
        print(f"  {comm:18} {period / 1e6:8.1f} ms {period / 1e3 / jobs:7.1f} us/job {100 * period / total:5.1f} %")
    runner_total = sum(p for _, p, _ in runner)
    print(f"the runner's own: {runner_total / 1e6:.1f} ms, {runner_total / 1e3 / jobs:.1f} us/job")
    buckets = collections.Counter()
    selfs = collections.Counter()
    for tid, period, stack in runner:
        if stack:
            selfs[stack[0]] += period
        if tid in exec_tids:
            buckets["vfork child, until exec (named after the parent thread)"] += period
            continue
        for name, pattern in BUCKETS:
            if any(re.search(pattern, frame) for frame in stack):
                buckets[name] += period
                break
        else:
            buckets["other"] += period
    print("\nthe runner's CPU by call stack (first match):")
    for name, period in buckets.most_common():
        print(f"  {name:58} {period / 1e6:7.1f} ms {period / 1e3 / jobs:6.1f} us/job {100 * period / runner_total:5.1f} %")
    print("\nthe runner's hottest functions (self):")
    for name, period in selfs.most_common(int(sys.argv[3]) if len(sys.argv) > 3 else 20):
        print(f"  {name[:90]:90} {period / 1e3 / jobs:6.1f} us/job {100 * period / runner_total:5.1f} %")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass
