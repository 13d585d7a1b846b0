#!/usr/bin/env python3
"""batchrun at scale: a 100,000-job manifest, and 1,000 to 100,000 jobs run.

    python3 Benchmarks/scale.py [--batchrun PATH] [--rounds N] [--sizes 1000,10000,100000]

1. A layered DAG of 100,000 jobs (1,000 layers of 100; every job after the first layer
   needs 3 jobs of the layer before: 299,700 needs edges), measured with
   `/usr/bin/time -v`: `batchrun validate` (target <= 2 s, peak RSS <= 400 MB) and
   `batchrun run --dry-run -j 8` (target <= 3 s), its plan sent to /dev/null.
2. 1,000 / 10,000 / 100,000 independent `true` jobs at J=8, batchrun (fresh --state-dir,
   --output quiet) and spawnpool (the floor: posix_spawn + waitpid, same shell text
   "exec >logs/ID.log 2>&1; true") taking turns, ROUNDS rounds (default 3). Printed:
   each one's CPU per job (user+sys of the runner and its jobs, wait4) and batchrun's
   minus spawnpool's in the same round (median over rounds): flat if batchrun has no
   per-job cost that grows with the number of jobs.

Before each timed run the script waits for the 1-minute load average to drop below
QUIET_LOAD (2.5).
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402


def big_dag(layers=1000, width=100, spread=(0, 33, 67)):
    jobs = []
    for layer in range(layers):
        for i in range(width):
            needs = [f"j{layer - 1}_{(i + s) % width}" for s in spread] if layer else []
            jobs.append((f"j{layer}_{i}", "true", needs))
    return jobs


def time_v(argv, cwd, stdout="/dev/null"):
    """Runs argv under /usr/bin/time -v; returns wall, user, sys (s) and peak RSS (MB)."""
    report = os.path.join(cwd, "time-v.txt")
    with open(stdout, "w") as out:
        rc = subprocess.run(["/usr/bin/time", "-v", "-o", report] + argv, cwd=cwd, stdout=out,
                            stderr=subprocess.DEVNULL).returncode
    text = open(report).read()

    def field(name):
        return re.search(re.escape(name) + r": (.*)", text).group(1).strip()
    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return dict(rc=rc, wall=wall, user=float(field("User time (seconds)")),
                sys=float(field("System time (seconds)")),
                rss_mb=int(field("Maximum resident set size (kbytes)")) / 1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batchrun")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "1000,10000,100000"))
    parser.add_argument("--skip-manifest", action="store_true", help="only the runs of part 2")
    parser.add_argument("--skip-runs", action="store_true", help="only the 100,000-job manifest of part 1")
    args = parser.parse_args()
    batchrun = b.batchrun_binary(args.batchrun)
    b.spawnpool_binary()
    machine = b.machine()
    b.log(f"scale: {machine}")
    work = os.path.join(b.BENCH_HOME, "scale")
    out = [f"{machine['date']}; nproc {machine['nproc']}; {machine['cpu']}; Linux {machine['kernel']}; "
           f"logs in {machine['files']}; "
           f"ROUNDS={args.rounds}; medians over rounds"]
    raw = dict(machine=machine, rounds=args.rounds)

    if not args.skip_manifest:
        directory = os.path.join(work, "dag-100k")
        jobs = big_dag()
        b.write_workload(directory, jobs, peers=False)
        edges = sum(len(n) for _, _, n in jobs)
        size_mb = os.path.getsize(os.path.join(directory, "manifest.yaml")) / 1e6
        commands = {
            "validate": [batchrun, "validate", "manifest.yaml"],
            "run --dry-run -j 8": [batchrun, "run", "--dry-run", "-j", "8", "manifest.yaml"],
        }
        runs = {name: [] for name in commands}
        for round_number in range(args.rounds):
            for name, argv in commands.items():
                load = b.wait_quiet(f"{name} round {round_number + 1}")
                r = time_v(argv, directory)
                r["load"] = load
                runs[name].append(r)
                b.log(f"r{round_number + 1} {name:20} wall {r['wall']:.2f} s user {r['user']:.2f} "
                      f"sys {r['sys']:.2f} rss {r['rss_mb']:.0f} MB rc {r['rc']} load {load:.2f}")
        raw["manifest"] = runs
        limits = {"validate": (2.0, 400), "run --dry-run -j 8": (3.0, None)}
        rows = []
        for name, rs in runs.items():
            ok = [r for r in rs if r["rc"] == 0]
            wall = b.median([r["wall"] for r in ok])
            rss = b.median([r["rss_mb"] for r in ok])
            wall_limit, rss_limit = limits[name]
            met = wall is not None and wall <= wall_limit and (rss_limit is None or rss <= rss_limit)
            target = f"<= {wall_limit:.0f} s" + (f", <= {rss_limit} MB" if rss_limit else "")
            rows.append([f"batchrun {name}", b.fmt(wall, 2), b.fmt(b.median([r["user"] + r["sys"] for r in ok]), 2),
                         b.fmt(rss, 0), target, "met" if met else "MISSED", f"{len(ok)}/{len(rs)}",
                         b.fmt(max(r["load"] for r in rs), 2)])
        out.append(f"100,000 jobs, {edges:,} needs edges, manifest {size_mb:.1f} MB "
                   "(`/usr/bin/time -v`):\n\n"
                   + b.table(["command", "wall s", "CPU s", "peak RSS MB", "target", "", "ok runs", "max load"],
                             rows))

    if not args.skip_runs:
        sizes = [int(s) for s in args.sizes.split(",")]
        directories = {}
        for n in sizes:
            directories[n] = os.path.join(work, f"true-{n}")
            b.write_workload(directories[n], b.independent(n, "true"))
        results = {n: {"spawnpool": [], "batchrun": []} for n in sizes}
        for round_number in range(args.rounds):
            for n in sizes:
                order = ["spawnpool", "batchrun"] if round_number % 2 == 0 else ["batchrun", "spawnpool"]
                for runner in order:
                    r = b.run_once(runner, directories[n], 8, n, batchrun,
                                   what=f"{n} jobs {runner} round {round_number + 1}")
                    r["round"] = round_number
                    results[n][runner].append(r)
                    b.log(f"r{round_number + 1} {n:7} {runner:9} wall {r['wall']:8.2f} s cpu "
                          f"{r['cpu'] * 1e6 / n:6.0f} us/job rss {r['maxrss_kb'] / 1024:6.1f} MB "
                          f"load {r['load']:.2f} {r['check']}")
                # 100,000 logs: do not leave them behind.
                b.fresh_dir(os.path.join(directories[n], "logs"))
                b.fresh_dir(os.path.join(directories[n], "state"))
        raw["runs"] = {str(n): v for n, v in results.items()}
        rows = []
        for n in sizes:
            floor = [r for r in results[n]["spawnpool"] if r["check"] == "ok"]
            mine = [r for r in results[n]["batchrun"] if r["check"] == "ok"]
            differences = []
            for r in mine:
                f = [x for x in floor if x["round"] == r["round"]]
                if f:
                    differences.append((r["cpu"] - f[0]["cpu"]) * 1e6 / n)
            rows.append([f"{n:,}", b.fmt(b.median([r["cpu"] * 1e6 / n for r in floor])),
                         b.fmt(b.median([r["cpu"] * 1e6 / n for r in mine])), b.fmt(b.median(differences)),
                         b.fmt(b.median([r["wall"] for r in floor]), 2),
                         b.fmt(b.median([r["wall"] for r in mine]), 2),
                         b.fmt(b.median([r["maxrss_kb"] / 1024 for r in mine]), 1),
                         f"{len(mine)}/{len(results[n]['batchrun'])}",
                         b.fmt(max(r["load"] for r in results[n]["batchrun"] + results[n]["spawnpool"]), 2)])
        out.append("`true` jobs at J=8, batchrun and spawnpool taking turns:\n\n" + b.table(
            ["jobs", "spawnpool CPU us/job", "batchrun CPU us/job", "batchrun - spawnpool us/job",
             "spawnpool wall s", "batchrun wall s", "batchrun peak RSS MB", "ok runs", "max load"], rows))

    print(b.tables(out))
    b.log(f"raw results: {b.save('scale', raw)}")


if __name__ == "__main__":
    main()
