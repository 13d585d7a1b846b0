#!/usr/bin/env bash
# Where swift-subprocess's own cost per job goes: subprocesspool --session (Benchmarks/
# SubprocessPool) built against three copies of the swift-subprocess this package
# resolved, and measured against spawnpool on W1 (2000 x `true`, J=2 and J=8):
#
#   Benchmarks/subprocess-variants.sh
#
#   unmodified          swift-subprocess as resolved
#   no-cleanup-handler  `withAsyncTaskCleanupHandler` calls its body directly: no task
#                       group with a watcher task sleeping in 1 s steps, no stream
#   inline-spawn        also `runOnBackgroundThread` runs its closure in place: no hop to
#                       swift-subprocess's spawning thread and back
#
# The copies are patched in $BENCH_HOME/subprocess-variants (never the checkout itself);
# nothing here is used by batchrun. Knobs: ROUNDS (5), N (2000), BENCH_HOME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$here")
BENCH_HOME=$(cd "$here" && python3 -c 'import benchlib; print(benchlib.BENCH_HOME)')
export BENCH_HOME
work=$BENCH_HOME/subprocess-variants
checkout=$repository/.build/checkouts/swift-subprocess
[[ -d $checkout ]] || (cd "$repository" && swift package resolve)
rm -rf "$work" && mkdir -p "$work/bin"

# variant NAME PATCHES...: a package building Benchmarks/SubprocessPool against a copy.
variant() {
  local name=$1
  shift
  local dir=$work/$name
  mkdir -p "$dir/Sources/pool"
  cp -r "$checkout" "$dir/subprocess"
  rm -rf "$dir/subprocess/.git"
  cp "$here/SubprocessPool/main.swift" "$dir/Sources/pool/main.swift"
  cat >"$dir/Package.swift" <<'EOF'
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "variant",
  dependencies: [.package(path: "subprocess")],
  targets: [
    .executableTarget(
      name: "pool", dependencies: [.product(name: "Subprocess", package: "subprocess")], path: "Sources/pool")
  ]
)
EOF
  for patch in "$@"; do
    python3 - "$dir/subprocess/Sources/Subprocess" "$patch" <<'EOF'
import sys
root, patch = sys.argv[1:]
# Each patch makes a function return at its top, before its own machinery.
file, signature, early = {
    "cleanup-handler": ("Configuration.swift", "internal func withAsyncTaskCleanupHandler<",
                        "if true { return try await body() }"),
    "background-thread": ("Thread.swift", "internal func runOnBackgroundThread<",
                          "if true { return try body() }"),
}[patch]
path = f"{root}/{file}"
text = open(path).read()
start = text.index(signature)
brace = text.index("{\n", text.index(") async throws", start)) + 2
open(path, "w").write(text[:brace] + "    " + early + "\n" + text[brace:])
EOF
  done
  (cd "$dir" && swift build -c release >&2)
  cp "$dir/.build/release/pool" "$work/bin/$name"
}

variant unmodified
variant no-cleanup-handler cleanup-handler
variant inline-spawn cleanup-handler background-thread

export HERE=$here WORK=$work
python3 - <<'EOF'
import os, statistics, sys
sys.path.insert(0, os.environ["HERE"])
import benchlib as b
n, rounds, work = int(os.environ.get("N", "2000")), int(os.environ.get("ROUNDS", "5")), os.environ["WORK"]
directory = os.path.join(work, "w1")
b.write_workload(directory, b.independent(n, "true"))
runners = {"spawnpool": [b.spawnpool_binary()]}
for name in ("unmodified", "no-cleanup-handler", "inline-spawn"):
    runners[name] = [os.path.join(work, "bin", name), "--session"]
results = {(name, j): [] for name in runners for j in (2, 8)}
for round_number in range(rounds):
    for j in (2, 8):
        for name, argv in runners.items():
            b.fresh_dir(os.path.join(directory, "logs"))
            load = b.wait_quiet(f"{name} J={j} round {round_number + 1}")
            r = b.measure(argv + ["-j", str(j), "spawn.txt"], cwd=directory)
            assert len(os.listdir(os.path.join(directory, "logs"))) == n, f"{name}: a log is missing"
            results[(name, j)].append((r["cpu"] * 1e6 / n, r["wall"], load))
rows = []
for j in (2, 8):
    floor = [cpu for cpu, _, _ in results[("spawnpool", j)]]
    for name in runners:
        runs = results[(name, j)]
        ratios = [cpu / f for (cpu, _, _), f in zip(runs, floor)]
        rows.append([f"W1 J={j}", name, b.fmt(statistics.median(c for c, _, _ in runs)),
                     b.fmt(statistics.median(ratios), 2), b.fmt(statistics.median(w for _, w, _ in runs), 3),
                     b.fmt(max(load for _, _, load in runs), 2)])
print(f"{b.machine()['date']}; {n} jobs; ROUNDS={rounds}, runners interleaved; medians over rounds\n")
print(b.table(["workload", "swift-subprocess", "CPU us/job", "x spawnpool", "wall s", "max load"], rows))
EOF
