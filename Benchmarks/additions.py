"""What the manifest additions cost (issue 13): matrix expansion at validate time, the
100,000-job validate with the additions in place, and secret masking of a job's output.

    python3 Benchmarks/additions.py [--batchrun PATH] [--rounds N] [--gigabytes G]

1. `batchrun validate` of a 10x10x10 matrix (1,000 expansions, each interpolating
   `run`, `env` and a pairwise `needs`): wall time, target < 50 ms; and of a one-job
   manifest, for the process's own start-up.
2. `batchrun validate` of scale.py's 100,000-job DAG: target <= 1 s.
3. A job that prints G GB (`yes` piped through `head -c`), run with and without a
   secret in its environment, and with a secret that occurs in every 64-byte line:
   batchrun's own CPU (utime+stime of its threads, from /proc/PID/stat, not its
   children's) per GB masked, target >= 500 MB/s per core, and the wall time against the
   run without a secret, target <= 1.2x.
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402
import scale  # noqa: E402

SECRET = "s3cr3t-Value_42x"


def matrix_manifest():
    values = ", ".join(str(v) for v in range(10))
    return (
        "vars: {tag: v1}\n"
        "jobs:\n"
        "  prep:\n"
        f"    matrix: {{a: [{values}]}}\n"
        "    run: echo prep ${{ matrix.a }}\n"
        "  t:\n"
        f"    matrix: {{a: [{values}], b: [{values}], c: [{values}]}}\n"
        "    needs: [\"prep.${{ matrix.a }}\"]\n"
        "    env: {TAG: \"${{ vars.tag }}-${{ matrix.b }}\"}\n"
        "    run: ./test --a ${{ matrix.a }} --b ${{ matrix.b }} --c ${{ matrix.c }} --id ${{ job.id }}\n")


def wall_of(argv, cwd, rounds):
    walls = []
    for _ in range(rounds):
        start = time.perf_counter()
        rc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        walls.append(time.perf_counter() - start)
        if rc != 0:
            sys.exit(f"{argv} failed with {rc}")
    return walls


def own_cpu(pid):
    """utime+stime of the process's own threads, in seconds, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def masked_run(batchrun, directory, manifest, environment):
    """Runs batchrun on `manifest`; returns its wall time and its own CPU."""
    with open(os.path.join(directory, "m.yaml"), "w") as f:
        f.write(manifest)
    env = dict(os.environ, **environment)
    start = time.perf_counter()
    process = subprocess.Popen([batchrun, "--output", "quiet", "--state-dir", "state", "m.yaml"], cwd=directory,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu = 0.0
    while process.poll() is None:
        sample = own_cpu(process.pid)
        if sample is not None:
            cpu = sample
        time.sleep(0.01)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"the masking run failed with {process.returncode}")
    b.fresh_dir(os.path.join(directory, "state"))
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batchrun")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "5")))
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    batchrun = b.batchrun_binary(args.batchrun)
    machine = b.machine()
    work = os.path.join(b.BENCH_HOME, "additions")
    b.fresh_dir(work)
    out = [f"{machine['date']}; nproc {machine['nproc']}; {machine['cpu']}; rounds {args.rounds}; medians"]
    rows = []

    with open(os.path.join(work, "matrix.yaml"), "w") as f:
        f.write(matrix_manifest())
    with open(os.path.join(work, "one.yaml"), "w") as f:
        f.write("jobs:\n  a: {run: 'true'}\n")
    b.wait_quiet("validate")
    one = b.median(wall_of([batchrun, "validate", "-q", "one.yaml"], work, args.rounds))
    matrix = b.median(wall_of([batchrun, "validate", "-q", "matrix.yaml"], work, args.rounds))
    rows.append(["validate, one job (start-up)", b.fmt(one * 1000, 1), "", ""])
    rows.append(["validate, 10x10x10 matrix (1,010 jobs)", b.fmt(matrix * 1000, 1), "< 50 ms",
                 "met" if matrix < 0.05 else "MISSED"])

    dag = os.path.join(work, "dag-100k")
    b.write_workload(dag, scale.big_dag(), peers=False)
    b.wait_quiet("validate 100k")
    big = b.median(wall_of([batchrun, "validate", "-q", "manifest.yaml"], dag, max(1, args.rounds // 2)))
    rows.append(["validate, 100,000 jobs", b.fmt(big * 1000, 0), "<= 1000 ms", "met" if big <= 1.0 else "MISSED"])
    out.append(b.table(["manifest", "wall ms", "target", ""], rows))

    size = int(args.gigabytes * 1e9)
    line = "x" * 47 + " " + SECRET  # 64 bytes with the newline
    cases = {
        "no secret": ("", {}, "yes 'plain text, no secret in it: just bytes to write out here'"),
        "secret, no match": ("secrets: [TOKEN]\n", {"TOKEN": SECRET},
                             "yes 'plain text, no secret in it: just bytes to write out here'"),
        "secret in every line": ("secrets: [TOKEN]\n", {"TOKEN": SECRET}, f"yes '{line}'"),
    }
    results = {name: [] for name in cases}
    for round_number in range(args.rounds):
        for name, (top, env, producer) in cases.items():
            b.wait_quiet(f"{name} round {round_number + 1}")
            manifest = top + f"jobs:\n  big: {{run: \"{producer} | head -c {size}\"}}\n"
            wall, cpu = masked_run(batchrun, work, manifest, env)
            results[name].append((wall, cpu))
            b.log(f"r{round_number + 1} {name:22} wall {wall:.2f} s batchrun cpu {cpu:.2f} s")
    base_wall = b.median([w for w, _ in results["no secret"]])
    base_cpu = b.median([c for _, c in results["no secret"]])
    rows = []
    for name, runs in results.items():
        wall = b.median([w for w, _ in runs])
        cpu = b.median([c for _, c in runs])
        masked = name != "no secret"
        rate = size / 1e6 / max(cpu - base_cpu, 1e-3) if masked else None
        rows.append([name, b.fmt(wall, 2), b.fmt(cpu, 2), b.fmt(rate, 0) if masked else "",
                     b.fmt(wall / base_wall, 2) + "x" if masked else "",
                     ("met" if rate >= 500 and wall <= 1.2 * base_wall else "MISSED") if masked else ""])
    out.append(f"a job printing {size / 1e9:g} GB; batchrun's own CPU (its threads, not the job's):\n\n"
               + b.table(["run", "wall s", "batchrun CPU s", "MB/s per core masked", "wall vs no secret",
                          "targets (>= 500 MB/s, <= 1.2x)"], rows))
    text = "\n\n".join(out) + "\n"
    print(text)
    b.save("additions", dict(machine=machine, results=results, text=text))


if __name__ == "__main__":
    main()
