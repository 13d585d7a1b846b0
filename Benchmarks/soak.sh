#!/usr/bin/env bash
# Soak test: run many short jobs through one batchrun and watch it for leaks.
#
#   Benchmarks/soak.sh [BATCHRUN-BINARY]
#
# Without a binary it builds the release one first (`swift build -c release`). It
# generates a manifest of $JOBS (default 20000) short jobs, runs it at -j $J (default
# 16), samples batchrun's open file descriptors (/proc/PID/fd) and threads
# (/proc/PID/status) every $INTERVAL (default 0.5) seconds, and prints at the end:
#   - min/max (and first/last) of both counts,
#   - batchrun's exit code and the report's summary,
#   - zombies whose parent was batchrun, at the last check before it exited (checked
#     every 0.05 s; also the most seen at any check),
#   - processes still carrying the run's id (BATCHRUN_RUN_ID) in their environment
#     after it exited.
#
# The job mix ($MIX): `plain` is `echo` jobs only; `mixed` (default) also has every
# 10th job leave a short background child in its group and every 100th job leave one
# that escaped with setsid (re-parented to batchrun, the child subreaper): half of those
# outlive their job, the other half end before it.
#
# Not -e: sampling /proc races with processes coming and going, which is expected.
set -u

jobs=${JOBS:-20000}
concurrency=${J:-16}
interval=${INTERVAL:-0.5}
mix=${MIX:-mixed}
repository=$(cd "$(dirname "$0")/.." && pwd)

binary=${1:-}
if [[ -z $binary ]]; then
  (cd "$repository" && swift build -c release --product batchrun >&2) || exit 2
  binary=$(cd "$repository" && swift build -c release --show-bin-path)/batchrun
fi
[[ -x $binary ]] || { echo "soak: no executable batchrun at $binary" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/batchrun-soak.XXXXXX")
pid=''
cleanup() {
  # Interrupted: stop batchrun (it stops its jobs), then remove the files.
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
manifest=$work/soak.yaml

{
  echo "name: soak"
  echo "jobs:"
  for ((i = 1; i <= jobs; i++)); do
    if [[ $mix == mixed ]] && ((i % 200 == 0)); then
      echo "  j$i: {run: '( setsid true & ); sleep 0.02; echo escaped and ended'}"
    elif [[ $mix == mixed ]] && ((i % 100 == 0)); then
      echo "  j$i: {run: '( setsid sleep 0.05 & ); echo escaped'}"
    elif [[ $mix == mixed ]] && ((i % 10 == 0)); then
      echo "  j$i: {run: 'sleep 0.05 & echo background'}"
    else
      echo "  j$i: {run: 'echo \$BATCHRUN_JOB_ID'}"
    fi
  done
} >"$manifest"

# Zombies among the children of $1 (comm may hold spaces: parse after the last ')').
zombies_of() {
  local children
  children=$(cat "/proc/$1"/task/*/children 2>/dev/null)
  if [[ -z ${children// /} ]]; then
    echo 0
    return
  fi
  for child in $children; do cat "/proc/$child/stat" 2>/dev/null; done |
    LC_ALL=C awk -v parent="$1" '{ sub(/^.*\) /, ""); if ($1 == "Z" && $2 == parent) n++ } END { print n + 0 }'
}

is_running() {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

echo "soak: $jobs jobs ($mix) at -j $concurrency with $binary" >&2
start=$(date +%s.%N)
"$binary" --output quiet -j "$concurrency" --kill-grace 2s --state-dir "$work/state" "$manifest" \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!

# Zombies are counted every $tick s (cheap: batchrun's children only), so that the last
# count is from just before batchrun exits; fds and threads every $interval s.
tick=0.05
interval_us=$(awk -v i="$interval" 'BEGIN { printf "%d", i * 1000000 }')
now_us() { echo $((${EPOCHREALTIME/./})); }
next_sample=$(now_us)
samples=0
fd_min='' fd_max='' fd_first='' fd_last=''
th_min='' th_max='' th_first='' th_last=''
zombies_last=0 zombies_max=0
fd_series=()
while is_running "$pid"; do
  zombies=$(zombies_of "$pid")
  # A sample counts only if batchrun was still running after it was taken.
  if is_running "$pid"; then
    zombies_last=$zombies
    ((zombies > zombies_max)) && zombies_max=$zombies
  fi
  if (($(now_us) >= next_sample)); then
    next_sample=$((next_sample + interval_us))
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    if [[ -n $threads ]] && is_running "$pid"; then
      samples=$((samples + 1))
      fd_series+=("$fds/$threads")
      [[ -z $fd_first ]] && fd_first=$fds th_first=$threads
      fd_last=$fds th_last=$threads
      [[ -z $fd_min || $fds -lt $fd_min ]] && fd_min=$fds
      [[ -z $fd_max || $fds -gt $fd_max ]] && fd_max=$fds
      [[ -z $th_min || $threads -lt $th_min ]] && th_min=$threads
      [[ -z $th_max || $threads -gt $th_max ]] && th_max=$threads
    fi
  fi
  sleep "$tick"
done
wait "$pid"
status=$?
pid=''
end=$(date +%s.%N)

run_id=$(basename "$(readlink "$work/state/latest" 2>/dev/null || echo none)")
left=0
if [[ $run_id != none ]]; then
  left=$(grep -lsxzF "BATCHRUN_RUN_ID=$run_id" /proc/[0-9]*/environ 2>/dev/null | wc -l)
fi
summary=$(tr -d ' \n' <"$work/state/runs/$run_id/report.json" 2>/dev/null | grep -o '"summary":{[^}]*}')

printf 'jobs:            %s (%s) at -j %s\n' "$jobs" "$mix" "$concurrency"
printf 'elapsed:         %s s\n' "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')"
printf 'samples:         %s every %s s\n' "$samples" "$interval"
printf 'fds:             min %s max %s (first %s, last %s)\n' "$fd_min" "$fd_max" "$fd_first" "$fd_last"
printf 'threads:         min %s max %s (first %s, last %s)\n' "$th_min" "$th_max" "$th_first" "$th_last"
# The samples in order, fds/threads, in at most 12 evenly spaced picks.
picks=()
for ((k = 0; k < 12 && samples > 0; k++)); do
  index=$((k * samples / 12))
  ((${#picks[@]} == 0)) || [[ ${picks[-1]} != "$index" ]] && picks+=("$index")
done
printf 'over time:       '
for index in "${picks[@]}"; do printf '%s ' "${fd_series[$index]}"; done
printf '(fds/threads)\n'
printf 'exit code:       %s\n' "$status"
printf 'report:          %s\n' "${summary:-none}"
printf 'zombies:         %s at the last check before exit (most at any check: %s)\n' \
  "$zombies_last" "$zombies_max"
printf 'left with run id: %s\n' "$left"
if [[ -s $work/stderr ]]; then
  echo "stderr:" && head -20 "$work/stderr"
fi
