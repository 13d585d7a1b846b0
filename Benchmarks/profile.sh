#!/usr/bin/env bash
# Where batchrun's own CPU goes on W1 (2000 x `true`, J=2 by default), with perf:
#
#   Benchmarks/profile.sh [BATCHRUN-BINARY]      # default: the release build
#
# Records `perf record -g` (cpu-clock, $FREQ Hz, children followed) of one batchrun run
# and one spawnpool run of the same jobs, then prints for each: CPU by command and
# shared object (what the jobs' sh costs against the runner), and (perfsummary.py) the
# runner's own CPU per job, split by what is on the call stack, and its hottest
# functions.
# Until exec, the vfork child of posix_spawn runs under the parent thread's name: its
# samples (clone, exec, the kernel's mm work) show as the runner's, not as sh's.
#
# Knobs: J (2), N (2000), FREQ (4000), BENCH_HOME, TOP (25 hottest functions).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$here")
BENCH_HOME=$(cd "$here" && python3 -c 'import benchlib; print(benchlib.BENCH_HOME)')
export BENCH_HOME
j=${J:-2}
n=${N:-2000}
freq=${FREQ:-4000}
top=${TOP:-25}
command -v perf >/dev/null || { echo "profile.sh: perf is missing (apt-get install -y linux-perf)" >&2; exit 2; }

binary=${1:-}
if [[ -z $binary ]]; then
  (cd "$repository" && swift build -c release --product batchrun >&2)
  binary=$(cd "$repository" && swift build -c release --show-bin-path)/batchrun
fi
work=$BENCH_HOME/profile
export HERE=$here
python3 - "$work" "$n" <<'EOF'
import os, sys
sys.path.insert(0, os.environ["HERE"])
import benchlib
benchlib.write_workload(sys.argv[1], benchlib.independent(int(sys.argv[2]), "true"))
print(benchlib.spawnpool_binary())
EOF
spawnpool=$BENCH_HOME/bin/spawnpool
cd "$work"

record() { # NAME COMMAND...
  local name=$1
  shift
  rm -rf logs state && mkdir -p logs state
  python3 -c "import sys; sys.path.insert(0, '$here'); import benchlib; benchlib.wait_quiet('profile $name')"
  perf record -q -e cpu-clock -F "$freq" -g -o "$work/$name.perf" -- "$@" >/dev/null 2>"$work/$name.err"
  local data=$work/$name.perf
  echo "== $name: $(ls logs | wc -l) peer logs, $(find state -name '*.log' | wc -l) batchrun logs"
  echo "-- CPU by command and shared object (all processes of the run)"
  perf report -i "$data" --stdio --no-children --sort comm,dso -g none 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -n 15 || true
  # By sample-time thread name, from perf script: `perf report --comms` filters by a
  # thread's last name and would mix the jobs' sh into the runner.
  python3 "$here/perfsummary.py" "$data" "$n" "$top"
}
record spawnpool "$spawnpool" -j "$j" spawn.txt
record batchrun "$binary" run manifest.yaml -j "$j" --output quiet --state-dir "$work/state"
echo "perf data: $work/{spawnpool,batchrun}.perf (perf report -i FILE)"
