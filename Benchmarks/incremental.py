#!/usr/bin/env python3
"""Deciding what is up to date: batchrun's no-op run against ninja's no-op build (issue 14).

    python3 Benchmarks/incremental.py [--jobs 1000] [--files 10000] [--rounds 5] [--batchrun PATH]

Generates a DAG of JOBS jobs in layers of 50, each needing 2 jobs of the layer before,
with FILES input files spread over them (FILES/JOBS each, under src/<job>/), and the same
graph as a build.ninja (each edge's inputs: its files and its needs' stamps). Both build
once; then, ROUNDS times, interleaved: a no-op build (nothing changed: every job up to
date), wall time and CPU; then one input file of one job in the middle is changed and
both build again, counting the jobs that ran (only that job and what follows it should).
Prints a Markdown table; raw results go to BENCH_HOME/results/incremental-*.json.
"""

import argparse
import os
import shutil
import subprocess

import benchlib


def generate(directory, jobs, files, layer=50):
    benchlib.fresh_dir(directory)
    per_job = max(1, files // jobs)
    names = [f"j{n:05d}" for n in range(jobs)]
    needs = {}
    for n, name in enumerate(names):
        layer_index = n // layer
        if layer_index == 0:
            needs[name] = []
        else:
            start = (layer_index - 1) * layer
            needs[name] = [names[start + (n % layer)], names[start + ((n * 7 + 3) % layer)]]
            needs[name] = sorted(set(needs[name]))
        os.makedirs(os.path.join(directory, "src", name), exist_ok=True)
        for f in range(per_job):
            with open(os.path.join(directory, "src", name, f"f{f}.txt"), "w") as out:
                out.write(f"{name} {f}\n")
    os.makedirs(os.path.join(directory, "out"), exist_ok=True)
    # batchrun: each job hashes its inputs into out/<job>.stamp and appends to ran.log.
    lines = ["jobs:"]
    for name in names:
        command = f"cat src/{name}/*.txt > out/{name}.stamp; echo {name} >> ran.log"
        lines.append(f"  {name}:")
        lines.append(f"    run: '{command}'")
        if needs[name]:
            lines.append(f"    needs: [{', '.join(needs[name])}]")
        inputs = [f"src/{name}/*.txt"] + [f"out/{need}.stamp" for need in needs[name]]
        lines.append(f"    inputs: [{', '.join(repr(i) for i in inputs)}]")
        lines.append(f"    outputs: [out/{name}.stamp]")
    with open(os.path.join(directory, "manifest.yaml"), "w") as out:
        out.write("\n".join(lines) + "\n")
    # ninja: the same edges, the same commands.
    rules = ["rule job", "  command = $cmd", ""]
    for name in names:
        sources = [f"src/{name}/f{f}.txt" for f in range(per_job)]
        deps = sources + [f"out/{need}.stamp" for need in needs[name]]
        command = f"cat src/{name}/*.txt > out/{name}.stamp; echo {name} >> ran.log"
        rules.append(f"build out/{name}.stamp: job {' '.join(deps)}")
        rules.append(f"  cmd = {command}")
    with open(os.path.join(directory, "build.ninja"), "w") as out:
        out.write("\n".join(rules) + "\n")
    return names


def ran(directory):
    path = os.path.join(directory, "ran.log")
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        count = sum(1 for _ in f)
    os.unlink(path)
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batchrun")
    args = parser.parse_args()
    benchlib.require("ninja")
    batchrun = benchlib.batchrun_binary(args.batchrun)
    root = os.path.join(benchlib.BENCH_HOME, "incremental")
    work = {runner: os.path.join(root, runner) for runner in ("batchrun", "ninja")}
    for runner, directory in work.items():
        names = generate(directory, args.jobs, args.files)
    command = {
        "batchrun": [batchrun, "run", "manifest.yaml", "-j", "2", "--output", "quiet", "--state-dir", "state"],
        "ninja": ["ninja", "--quiet", "-j", "2"],
    }
    for runner in work:
        first = benchlib.measure(command[runner], cwd=work[runner])
        assert first["rc"] == 0, f"{runner}: first build failed"
        assert ran(work[runner]) == args.jobs, f"{runner}: not every job ran"
    results = {runner: {"noop": [], "noop_cpu": [], "changed_ran": [], "changed_wall": []} for runner in work}
    middle = names[len(names) // 2]
    for round_index in range(args.rounds):
        benchlib.wait_quiet(f"incremental round {round_index + 1}")
        for runner, directory in work.items():
            noop = benchlib.measure(command[runner], cwd=directory)
            assert noop["rc"] == 0
            results[runner]["noop"].append(noop["wall"])
            results[runner]["noop_cpu"].append(noop["cpu"])
            assert ran(directory) == 0, f"{runner}: a no-op build ran jobs"
        for runner, directory in work.items():
            with open(os.path.join(directory, "src", middle, "f0.txt"), "a") as out:
                out.write(f"change {round_index}\n")
            changed = benchlib.measure(command[runner], cwd=directory)
            assert changed["rc"] == 0
            results[runner]["changed_wall"].append(changed["wall"])
            results[runner]["changed_ran"].append(ran(directory))
    rows = []
    ninja_noop = benchlib.median(results["ninja"]["noop"])
    for runner in work:
        r = results[runner]
        noop = benchlib.median(r["noop"])
        rows.append([
            runner, benchlib.fmt(noop * 1000, 1, " ms"), benchlib.fmt(noop / ninja_noop, 2, "x"),
            benchlib.fmt(benchlib.median(r["noop_cpu"]) * 1000, 1, " ms"),
            benchlib.fmt(benchlib.median(r["changed_wall"]) * 1000, 1, " ms"),
            "/".join(str(n) for n in sorted(set(r["changed_ran"]))),
        ])
    print(f"No-op and one-file-changed builds: {args.jobs} jobs, {args.files} input files, "
          f"{args.rounds} rounds, -j 2 (median)\n")
    print(benchlib.table(
        ["runner", "no-op wall", "x ninja", "no-op CPU", "one file changed: wall", "jobs run"], rows))
    print(f"\n(one file of {middle} changed each round: it and the jobs after it run)")
    benchlib.save("incremental", dict(args=vars(args), results=results))


if __name__ == "__main__":
    main()
