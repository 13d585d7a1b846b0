#!/bin/sh
# slurm.sh - batchrun on the single-node Slurm cluster of scripts/slurm-test-cluster:
#   1. latency from a job becoming ready to RUNNING (a chain of CHAIN jobs, each stamping
#      its start and end: the gap between one's end and the next's start), and from
#      batchrun's start to its first job's start;
#   2. jobs per second through Slurm at -j 20 (COUNT jobs running `true`), and batchrun's
#      squeue calls per minute (counted by a wrapper on PATH);
#   3. the same COUNT jobs as one `sbatch --array`, and as a shell loop of `sbatch --wait`.
# Usage: Benchmarks/slurm.sh [BATCHRUN]   (default .build/debug/batchrun; COUNT=200 CHAIN=10)
set -eu
cd "$(dirname "$0")/.."
BATCHRUN=$(realpath "${1:-.build/debug/batchrun}")
COUNT=${COUNT:-200}
CHAIN=${CHAIN:-10}
eval "$(scripts/slurm-test-cluster start 2>/dev/null | grep '^export SLURM_CONF=')"
export SLURM_CONF
WORK=$(mktemp -d "${TMPDIR:-/tmp}/batchrun-slurm-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
now() { date +%s.%N; }
drained() { # drained NAME-PART: no job of that name queued or running
    [ -z "$(squeue -h -o '%j' | grep -F "$1" || true)" ]
}

echo "cluster: $(sinfo -h -N -o '%N %c CPUs %T'), slurm $(sinfo -V | cut -d' ' -f2), $(nproc) real cores"

# 1. Latency: a chain, each job stamping its start and end times (ns).
{
    echo "jobs:"
    i=1
    while [ $i -le "$CHAIN" ]; do
        echo "  c$i:"
        [ $i -gt 1 ] && echo "    needs: [c$((i - 1))]"
        echo "    run: 'date +%s.%N > $WORK/c$i.start; date +%s.%N > $WORK/c$i.end'"
        i=$((i + 1))
    done
} >"$WORK/chain.yaml"
t0=$(now)
"$BATCHRUN" --executor slurm --output quiet --state-dir "$WORK/state" "$WORK/chain.yaml"
t1=$(now)
python3 - "$WORK" "$CHAIN" "$t0" "$t1" <<'PY'
import sys, statistics
work, n, t0, t1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
read = lambda name: float(open(f"{work}/{name}").read())
gaps = [read(f"c{i+1}.start") - read(f"c{i}.end") for i in range(1, n)]
print(f"latency ready->RUNNING (chain of {n}): median {statistics.median(gaps):.2f} s,"
      f" min {min(gaps):.2f} s, max {max(gaps):.2f} s; batchrun start -> first job {read('c1.start') - t0:.2f} s;"
      f" chain wall {t1 - t0:.1f} s")
PY

# 2. Fan-out at -j 20, squeue counted through a wrapper.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\necho x >> %s/squeue-calls\nexec /usr/bin/squeue "$@"\n' "$WORK" >"$WORK/bin/squeue"
chmod +x "$WORK/bin/squeue"
{
    echo "jobs:"
    i=1
    while [ $i -le "$COUNT" ]; do
        echo "  j$i: {run: 'true'}"
        i=$((i + 1))
    done
} >"$WORK/fan.yaml"
t0=$(now)
PATH="$WORK/bin:$PATH" "$BATCHRUN" --executor slurm --output quiet -j 20 --state-dir "$WORK/state" "$WORK/fan.yaml"
t1=$(now)
calls=$(wc -l <"$WORK/squeue-calls")
python3 -c "
w = $t1 - $t0
print(f'batchrun -j 20, $COUNT jobs: {w:.1f} s, {$COUNT / w:.1f} jobs/s; squeue: $calls calls, {$calls / w * 60:.0f} per minute')"

# 3a. One job array.
t0=$(now)
sbatch --parsable --job-name "bench-array-$$" --array "1-$COUNT" -o /dev/null --wrap true >/dev/null
while ! drained "bench-array-$$"; do sleep 0.2; done
t1=$(now)
python3 -c "w = $t1 - $t0; print(f'sbatch --array=1-$COUNT: {w:.1f} s, {$COUNT / w:.1f} jobs/s (polled every 0.2 s)')"

# 3b. A shell loop of sbatch --wait (one job at a time).
t0=$(now)
i=1
while [ $i -le "$COUNT" ]; do
    sbatch --wait --job-name "bench-wait-$$" -o /dev/null --wrap true >/dev/null
    i=$((i + 1))
done
t1=$(now)
python3 -c "w = $t1 - $t0; print(f'loop of $COUNT sbatch --wait: {w:.1f} s, {$COUNT / w:.2f} jobs/s')"
