#!/usr/bin/env python3
"""batchrun against its peers on the same jobs: W1-W4 of issue #5.

    python3 Benchmarks/peers.py [--batchrun PATH] [--rounds N] [--workloads w1-j2,w1-j8,w2,w3,w4,w4-2g]

Runners: spawnpool (Benchmarks/spawnpool.c: posix_spawn + waitpid, the floor), xargs -P,
GNU parallel, GNU make -j, ninja -j, batchrun. Every runner does the same work: each job
runs under /bin/sh -c with its stdout+stderr in its own log file (the peers run
"exec >logs/ID.log 2>&1; CMD"; batchrun writes <state-dir>/runs/<id>/logs/ID.log itself,
with --output quiet and a fresh --state-dir per run). Logs and state are cleared before
every run (untimed) and checked after it (one log per job; W4: 1,000,000 bytes each).

The runners take turns within a round (the order rotates from round to round) and the
rounds repeat ROUNDS times (default 3), so that a noisy neighbour hits every runner
alike; each figure is the median over the rounds. Before each timed run the script waits
for the 1-minute load average to drop below QUIET_LOAD (2.5).

  W1  2000 x `true`, J=2 and J=8       what a runner costs per job
  W2  200 x `sleep 0.05`, J=8          scheduling slack: wall minus the ideal 1.25 s
  W3  500-job DAG, 50 layers of 10,    dependency release (xargs and parallel: n/a)
      each needing the whole previous layer, `true`, J=8
  W4  200 x 1 MB of output, J=4        output handling; batchrun's peak RSS
  W4-2G  2000 x 1 MB, J=4, batchrun only: peak RSS with 2 GB of output

CPU per job is user+sys of the runner and every process under it (wait4's rusage)
divided by the number of jobs; "x floor" is the median over rounds of the ratio to
spawnpool's CPU in the same round.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402

ONE_MB = "head -c 1000000 /dev/zero | tr '\\0' x"

WORKLOADS = {
    "w1-j2": dict(title="W1 2000 x true, J=2", jobs=lambda: b.independent(2000, "true"), j=2),
    "w1-j8": dict(title="W1 2000 x true, J=8", jobs=lambda: b.independent(2000, "true"), j=8),
    "w2": dict(title="W2 200 x sleep 0.05, J=8", jobs=lambda: b.independent(200, "sleep 0.05"), j=8,
               ideal=200 * 0.05 / 8),
    "w3": dict(title="W3 DAG 50 layers x 10, J=8", jobs=lambda: b.layered(50, 10, "true"), j=8),
    "w4": dict(title="W4 200 x 1 MB output, J=4", jobs=lambda: b.independent(200, ONE_MB), j=4,
               size=1_000_000),
    "w4-2g": dict(title="W4 2000 x 1 MB output (2 GB), J=4", jobs=lambda: b.independent(2000, ONE_MB),
                  j=4, size=1_000_000, only=["batchrun"]),
}
RUNNERS = ["spawnpool", "batchrun", "xargs", "parallel", "make", "ninja"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batchrun", help="the batchrun binary (default: the release build)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    parser.add_argument("--workloads", default=os.environ.get("WORKLOADS", ",".join(WORKLOADS)))
    parser.add_argument("--runners", default=os.environ.get("RUNNERS", ",".join(RUNNERS)))
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()

    b.require("xargs", "parallel", "make", "ninja", "gcc")
    batchrun = b.batchrun_binary(args.batchrun)
    b.spawnpool_binary()
    names = args.workloads.split(",")
    runners = args.runners.split(",")
    work = os.path.join(b.BENCH_HOME, "peers")
    machine = b.machine()
    b.log(f"peers: {machine}")

    plans = {}
    for name in names:
        spec = WORKLOADS[name]
        jobs = spec["jobs"]()
        directory = os.path.join(work, name)
        b.write_workload(directory, jobs)
        dag = any(needs for _, _, needs in jobs)
        eligible = [r for r in runners if r in spec.get("only", runners) and not (dag and r in b.NO_DEPS)]
        plans[name] = dict(spec, directory=directory, count=len(jobs), dag=dag, runners=eligible)

    # Warm-up, untimed: every runner once on a small job set (binaries and libraries into
    # the page cache).
    warm = os.path.join(work, "warm-up")
    b.write_workload(warm, b.independent(50, "true"))
    for runner in runners:
        b.prepare(runner, warm)
        argv, stdin = b.runner_command(runner, warm, 2, batchrun, os.path.join(warm, "state"))
        b.measure(argv, cwd=warm, stdin=stdin and os.path.join(warm, stdin), env=b.peer_environment())

    results = {name: {r: [] for r in plan["runners"]} for name, plan in plans.items()}
    for round_number in range(args.rounds):
        for name, plan in plans.items():
            order = plan["runners"]
            shift = round_number % len(order)
            order = order[shift:] + order[:shift]
            for runner in order:
                r = b.run_once(runner, plan["directory"], plan["j"], plan["count"], batchrun,
                               plan.get("size"), what=f"{name} {runner} round {round_number + 1}")
                r["round"] = round_number
                results[name][runner].append(r)
                b.log(f"r{round_number + 1} {name:6} {runner:9} wall {r['wall']:7.3f} s  cpu "
                      f"{r['cpu'] * 1e6 / plan['count']:8.0f} us/job  rss {r['maxrss_kb'] / 1024:6.1f} MB"
                      f"  load {r['load']:.2f}  {r['check']}")
            # W4's logs are 200 MB, W4-2G's 2 GB: do not leave them behind.
            b.fresh_dir(os.path.join(plan["directory"], "logs"))
            b.fresh_dir(os.path.join(plan["directory"], "state"))

    report = render(plans, results, machine, args.rounds)
    print(report)
    raw = dict(machine=machine, rounds=args.rounds, load_notes=b.load_notes,
               results={n: {r: v for r, v in rr.items()} for n, rr in results.items()})
    path = b.save("peers", raw)
    if args.json:
        with open(args.json, "w") as f:
            import json
            json.dump(raw, f, indent=1)
    b.log(f"raw results: {path}")


def summarize(plan, runs, floor_runs):
    count = plan["count"]
    ok = [r for r in runs if r["check"] == "ok"]
    cpu = b.median([r["cpu"] for r in ok])
    wall = b.median([r["wall"] for r in ok])
    # Each ok run against the floor's ok run of the same round.
    pairs = [(r, f) for r in ok for f in floor_runs if f["round"] == r["round"] and f["check"] == "ok"]
    return dict(
        cpu_us=cpu * 1e6 / count if cpu is not None else None,
        ratio=b.median([r["cpu"] / f["cpu"] for r, f in pairs]), wall=wall,
        wall_ratio=b.median([r["wall"] / f["wall"] for r, f in pairs]),
        rss_mb=b.median([r["maxrss_kb"] / 1024 for r in ok]),
        ok=f"{len(ok)}/{len(runs)}", load=max(r["load"] for r in runs) if runs else None)


def paired(results, name, a, b_runner, value):
    """Median over rounds of value(run of a, run of b) for the rounds where both ran fine."""
    got = []
    for r in results.get(name, {}).get(a, []):
        other = [o for o in results[name].get(b_runner, []) if o["round"] == r["round"]]
        if r["check"] == "ok" and other and other[0]["check"] == "ok":
            got.append(value(r, other[0]))
    return b.median(got)


def targets(plans, results):
    """Issue #5's targets, each with the measured figure and met/missed."""
    rows = []

    def add(goal, figure, text, met):
        rows.append([goal, text if figure is not None else "not measured",
                     ("met" if met else "MISSED") if figure is not None else ""])

    cpu_ratio = lambda x, y: x["cpu"] / y["cpu"]  # noqa: E731
    wall_ratio = lambda x, y: x["wall"] / y["wall"]  # noqa: E731
    for name in ("w1-j2", "w1-j8"):
        if name not in plans:
            continue
        j = plans[name]["j"]
        v = paired(results, name, "batchrun", "spawnpool", cpu_ratio)
        add(f"W1 J={j}: CPU/job <= 1.15 x spawnpool", v, f"{v:.2f} x" if v else "", v is not None and v <= 1.15)
        for peer in ("make", "ninja"):
            v = paired(results, name, "batchrun", peer, cpu_ratio)
            add(f"W1 J={j}: CPU/job below {peer}'s", v, f"{v:.2f} x {peer}" if v else "", v is not None and v < 1)
        v = paired(results, name, "parallel", "batchrun", cpu_ratio)
        add(f"W1 J={j}: >= 4x below parallel's", v, f"parallel = {v:.2f} x batchrun" if v else "",
            v is not None and v >= 4)
    if "w2" in plans:
        v = paired(results, "w2", "batchrun", "spawnpool", lambda x, y: x["wall"] - y["wall"])
        add("W2: wall <= spawnpool + 30 ms", v, f"spawnpool {1000 * v:+.0f} ms" if v is not None else "",
            v is not None and v <= 0.030)
    if "w3" in plans:
        v = paired(results, "w3", "batchrun", "spawnpool", wall_ratio)
        add("W3: wall <= 1.10 x spawnpool", v, f"{v:.2f} x" if v else "", v is not None and v <= 1.10)
        v = paired(results, "w3", "batchrun", "ninja", wall_ratio)
        add("W3: wall <= ninja", v, f"{v:.2f} x ninja" if v else "", v is not None and v <= 1)
    if "w4" in plans:
        v = paired(results, "w4", "batchrun", "spawnpool", wall_ratio)
        add("W4: wall <= 1.10 x spawnpool", v, f"{v:.2f} x" if v else "", v is not None and v <= 1.10)
    for name in ("w4", "w4-2g"):
        if name in plans:
            runs = [r for r in results[name].get("batchrun", []) if r["check"] == "ok"]
            v = b.median([r["maxrss_kb"] / 1024 for r in runs])
            add(f"{plans[name]['title']}: batchrun peak RSS < 40 MB", v, f"{v:.1f} MB" if v else "",
                v is not None and v < 40)
    return "Targets (medians of per-round ratios or differences):\n\n" + b.table(
        ["target", "measured", ""], rows)


def render(plans, results, machine, rounds):
    out = [f"{machine['date']}; nproc {machine['nproc']}; {machine['cpu']}; Linux {machine['kernel']}; "
           f"logs in {machine['files']}; "
           f"ROUNDS={rounds}; medians over rounds"]
    header = ["workload", "runner", "CPU us/job", "x floor", "wall s", "wall x floor", "extra", "peak RSS MB",
              "ok runs", "max load"]
    rows = []
    for name, plan in plans.items():
        floor_runs = results[name].get("spawnpool", [])
        for runner in RUNNERS:
            if runner not in plan["runners"]:
                if runner in b.NO_DEPS and plan["dag"] and runner in results[next(iter(results))]:
                    rows.append([plan["title"], runner, "n/a (no deps)"] + [""] * 7)
                continue
            s = summarize(plan, results[name][runner], floor_runs)
            extra = ""
            if "ideal" in plan and s["wall"] is not None:
                extra = f"wall - ideal {1000 * (s['wall'] - plan['ideal']):.0f} ms"
            rows.append([plan["title"], runner, b.fmt(s["cpu_us"]), b.fmt(s["ratio"], 2),
                         b.fmt(s["wall"], 3), b.fmt(s["wall_ratio"], 2), extra,
                         b.fmt(s["rss_mb"], 1) if runner == "batchrun" else "", s["ok"],
                         b.fmt(s["load"], 2)])
    out.append(b.table(header, rows))
    out.append(targets(plans, results))
    return b.tables(out, "; each row's max load is in the table")


if __name__ == "__main__":
    main()
