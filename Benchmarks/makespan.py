#!/usr/bin/env python3
"""Makespan: how close a runner comes to the best possible wall time on a DAG whose jobs
take different times.

    python3 Benchmarks/makespan.py [--batchrun PATH] [--rounds N]

The DAG (350 jobs, J=4), in manifest order:
  - 12 short chains of 20 jobs, `sleep 0.25` each (5 s per chain);
  - 2 long chains of 5 jobs, `sleep 8` each (40 s per chain: the critical path);
  - 100 independent jobs, `sleep 0.1` each.
Total work 150 s, so the lower bound on the wall time is max(critical path 40 s,
work / J = 37.5 s) = 40 s. Counted in jobs, the short chains look longer (20) than the
long ones (5): a scheduler that weighs jobs by count starts the short chains first and
the long chains late.

Each round runs, on the same files: batchrun with a fresh --state-dir (no durations
known: critical path by job count), batchrun again with the same --state-dir (it weighs
each job by its duration in the first run), `make -j4` and `ninja -j4` (both start
ready jobs in file order). Every job writes its own log (the peers:
"exec >logs/ID.log 2>&1; sleep T"). Printed: the median wall of each and its ratio to the
bound. Targets (issue #5): batchrun's second run within 5% of the bound and no slower
than make and ninja.

Before each timed run the script waits for the 1-minute load average to drop below
QUIET_LOAD (2.5).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402

J = 4
SHORT_CHAINS, SHORT_LENGTH, SHORT_SECONDS = 12, 20, 0.25
LONG_CHAINS, LONG_LENGTH, LONG_SECONDS = 2, 5, 8
SINGLES, SINGLE_SECONDS = 100, 0.1


def jobs():
    out = []

    def chain(prefix, length, seconds):
        for i in range(length):
            out.append((f"{prefix}-{i}", f"sleep {seconds:g}", [f"{prefix}-{i - 1}"] if i else []))
    for c in range(SHORT_CHAINS):
        chain(f"short{c}", SHORT_LENGTH, SHORT_SECONDS)
    for c in range(LONG_CHAINS):
        chain(f"long{c}", LONG_LENGTH, LONG_SECONDS)
    for i in range(SINGLES):
        out.append((f"single{i}", f"sleep {SINGLE_SECONDS:g}", []))
    return out


def bound():
    critical = max(SHORT_LENGTH * SHORT_SECONDS, LONG_LENGTH * LONG_SECONDS, SINGLE_SECONDS)
    work = (SHORT_CHAINS * SHORT_LENGTH * SHORT_SECONDS + LONG_CHAINS * LONG_LENGTH * LONG_SECONDS
            + SINGLES * SINGLE_SECONDS)
    return critical, work, max(critical, work / J)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batchrun")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    args = parser.parse_args()
    b.require("make", "ninja", "gcc")
    batchrun = b.batchrun_binary(args.batchrun)
    machine = b.machine()
    b.log(f"makespan: {machine}")
    directory = os.path.join(b.BENCH_HOME, "makespan")
    job_list = jobs()
    b.write_workload(directory, job_list)
    count = len(job_list)
    critical, work, lower = bound()

    runners = ["batchrun (1st run)", "batchrun (2nd run)", "make", "ninja"]
    results = {r: [] for r in runners}
    for round_number in range(args.rounds):
        peers = ["make", "ninja"] if round_number % 2 == 0 else ["ninja", "make"]
        for label in ["batchrun (1st run)", "batchrun (2nd run)"] + peers:
            what = f"{label} round {round_number + 1}"
            if label == "batchrun (2nd run)":
                # Same state dir as the first run: batchrun reads its durations.
                b.fresh_dir(os.path.join(directory, "logs"))
                argv, _ = b.runner_command("batchrun", directory, J, batchrun, os.path.join(directory, "state"))
                load = b.wait_quiet(what)
                r = b.measure(argv, cwd=directory, stdout=os.path.join(directory, "runner.out"))
                r["load"] = load
                r["check"] = f"FAILED (exit {r['rc']})" if r["rc"] else b.check_logs("batchrun", directory, count)
            else:
                runner = "batchrun" if label.startswith("batchrun") else label
                r = b.run_once(runner, directory, J, count, batchrun, what=what)
            r["round"] = round_number
            results[label].append(r)
            b.log(f"r{round_number + 1} {label:20} wall {r['wall']:7.2f} s ({r['wall'] / lower:.3f} x bound) "
                  f"cpu {r['cpu']:.2f} s load {r['load']:.2f} {r['check']}")

    rows = []
    for label in runners:
        ok = [r for r in results[label] if r["check"] == "ok"]
        wall = b.median([r["wall"] for r in ok])
        rows.append([label, b.fmt(wall, 2), b.fmt(wall / lower if wall else None, 3),
                     b.fmt(100 * (wall / lower - 1) if wall else None, 1, " %"),
                     f"{len(ok)}/{len(results[label])}", b.fmt(max(r["load"] for r in results[label]), 2)])
    second = b.median([r["wall"] for r in results["batchrun (2nd run)"] if r["check"] == "ok"])
    checks = []
    if second:
        checks.append(["batchrun (2nd run) within 5% of the bound", f"{100 * (second / lower - 1):+.1f} %",
                       "met" if second <= 1.05 * lower else "MISSED"])
        for peer in ("make", "ninja"):
            w = b.median([r["wall"] for r in results[peer] if r["check"] == "ok"])
            if w:
                checks.append([f"batchrun (2nd run) no slower than {peer}", f"{second - w:+.2f} s",
                               "met" if second <= w else "MISSED"])
    out = [f"{machine['date']}; nproc {machine['nproc']}; {machine['cpu']}; Linux {machine['kernel']}; "
           f"logs in {machine['files']}; "
           f"ROUNDS={args.rounds}; medians over rounds",
           f"{count} jobs at J={J}: critical path {critical:g} s, work {work:g} s, work/J {work / J:g} s, "
           f"bound {lower:g} s.",
           b.table(["runner", "wall s", "x bound", "over bound", "ok runs", "max load"], rows),
           b.table(["target", "measured", ""], checks)]
    print(b.tables(out))
    b.log(f"raw results: {b.save('makespan', dict(machine=machine, bound=lower, results=results))}")


if __name__ == "__main__":
    main()
