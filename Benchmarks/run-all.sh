#!/usr/bin/env bash
# Runs every benchmark of issue #5 once and keeps the printed tables:
#
#   Benchmarks/run-all.sh            # ROUNDS=3; about 35 minutes on a quiet 2-core machine
#
# Builds the release batchrun and the micro-benchmarks (`swift build -c release`),
# installs GNU parallel and ninja when they are missing (apt-get, as root), then runs
# peers.py (W1-W4), scale.py, makespan.py and BatchrunBenchmarks, each of which waits
# for a quiet machine (1-minute load < QUIET_LOAD, default 2.5) before every timed run.
# Tables go to $OUT (default $BENCH_HOME/results/<date>-<time>/): peers.md, scale.md,
# makespan.md, micro.md, machine.txt. Working files, the jobs' logs among them, go to
# $BENCH_HOME (default /dev/shm/batchrun-benchmarks, a tmpfs, when it has 6 GB free; else
# ${TMPDIR:-/tmp}/batchrun-benchmarks); the largest, W4's 2 GB of logs, are removed as
# soon as they have been checked.
#
# Knobs (environment): ROUNDS (3), QUIET_LOAD (2.5), QUIET_CHECK (15 s), QUIET_MAX
# (600 s), BENCH_HOME, OUT, ONLY (a subset of "peers scale makespan micro").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$here")
# Default: /dev/shm/batchrun-benchmarks on a tmpfs with room, else ${TMPDIR:-/tmp}/...
# (see _default_home in benchlib.py: file creation on ext4 after mass deletion is slow).
BENCH_HOME=$(cd "$here" && python3 -c 'import benchlib; print(benchlib.BENCH_HOME)')
export BENCH_HOME
export ROUNDS=${ROUNDS:-3}
out=${OUT:-$BENCH_HOME/results/$(date +%Y%m%d-%H%M%S)}
only=${ONLY:-peers scale makespan micro}
mkdir -p "$out"

missing=()
command -v parallel >/dev/null || missing+=(parallel)
command -v ninja >/dev/null || missing+=(ninja-build)
if ((${#missing[@]})); then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
for tool in gcc make xargs python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run-all.sh: missing $tool" >&2; exit 2; }
done

(cd "$repository" && swift build -c release >&2)
bin=$(cd "$repository" && swift build -c release --show-bin-path)
export BATCHRUN=$bin/batchrun

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit: $(git -C "$repository" rev-parse --short HEAD)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel: $(uname -sr)"
  echo "files: $BENCH_HOME ($(df -T "$BENCH_HOME" | awk 'NR==2 {print $2}'))"
  echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "swift: $(swift --version 2>/dev/null | head -1)"
  echo "peers: $(xargs --version | head -1); $(parallel --version | head -1); $(make --version | head -1); ninja $(ninja --version); sh -> $(readlink -f /bin/sh)"
  echo "load at start: $(cat /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

for part in $only; do
  echo "== $part" >&2
  case $part in
    peers) python3 "$here/peers.py" >"$out/peers.md" ;;
    scale) python3 "$here/scale.py" >"$out/scale.md" ;;
    makespan) python3 "$here/makespan.py" >"$out/makespan.md" ;;
    micro)
      python3 -c "import sys; sys.path.insert(0, '$here'); import benchlib; benchlib.wait_quiet('micro')"
      echo "load before: $(cat /proc/loadavg)" >"$out/micro.md"
      "$bin/BatchrunBenchmarks" >>"$out/micro.md"
      ;;
    *) echo "run-all.sh: unknown part $part" >&2; exit 2 ;;
  esac
  cat "$out/$part.md"
  echo
done
echo "load at end: $(cat /proc/loadavg)" >>"$out/machine.txt"
echo "results: $out" >&2
