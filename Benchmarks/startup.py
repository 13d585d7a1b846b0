#!/usr/bin/env python3
"""What batchrun costs before and after its jobs: start-up and the fixed work of a run.

    python3 Benchmarks/startup.py [BINARY...]     # default: the release build

For each binary (say, the release build and a variant built another way), the median
wall time and peak RSS over RUNS (31) runs, binaries interleaved, of:

  --version                 loading and the runtime's start, the argument parser
  validate (200 jobs)       plus reading and checking a manifest
  run (1 job, `true`)       plus a run directory, the journal, a report, one process

Waits for a quiet machine first.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402


def main():
    binaries = [os.path.abspath(p) for p in sys.argv[1:]] or [b.batchrun_binary()]
    runs = int(os.environ.get("RUNS", "31"))
    work = os.path.join(b.BENCH_HOME, "startup")
    b.write_workload(os.path.join(work, "w200"), b.independent(200, "true"), peers=False)
    b.write_workload(os.path.join(work, "one"), b.independent(1, "true"))
    state = os.path.join(work, "state")
    cases = []
    for binary in binaries:
        cases += [
            (binary, "--version", [binary, "--version"], work),
            (binary, "validate (200 jobs)", [binary, "validate", "manifest.yaml"], os.path.join(work, "w200")),
            (binary, "run (1 job)", [binary, "run", "manifest.yaml", "--output", "quiet", "--state-dir", state],
             os.path.join(work, "one")),
        ]
    b.wait_quiet("startup")
    walls = {i: [] for i in range(len(cases))}
    rss = {i: [] for i in range(len(cases))}
    for _ in range(runs):
        for i, (_, _, argv, cwd) in enumerate(cases):
            b.fresh_dir(os.path.join(cwd, "logs"))
            r = b.measure(argv, cwd=cwd, stdout=os.devnull)
            walls[i].append(r["wall"])
            rss[i].append(r["maxrss_kb"] / 1024)
    rows = [[binary, what, b.fmt(1000 * statistics.median(walls[i]), 1), b.fmt(statistics.median(rss[i]), 1)]
            for i, (binary, what, _, _) in enumerate(cases)]
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {runs} runs each, interleaved; medians\n")
    print(b.table(["binary", "command", "wall ms", "peak RSS MB"], rows))


if __name__ == "__main__":
    main()
