#!/usr/bin/env bash
# $1 = deadline (epoch seconds) for the quiet wait; logs loads to $R/load.log
set -u
R=/work/wt-bench/Benchmarks/results/2026-12-02
B=/work/wt-bench/.build/release/batchrun
deadline=$1
waitq() { # label
  while :; do
    l=$(cut -d' ' -f1 /proc/loadavg)
    echo "$(date -u +%T) $1 load $(cat /proc/loadavg)" >> $R/load.log
    awk -v l="$l" 'BEGIN{exit !(l<3)}' && return
    [ "$(date +%s)" -ge "$deadline" ] && { echo "$(date -u +%T) $1 gave up waiting" >> $R/load.log; return; }
    sleep 30
  done
}
waitq shared-bench
mkdir -p /dev/shm/bench-logs
cd /work/wt-bench
LOGROOT=/dev/shm/bench-logs ROUNDS=3 EXTRA_NAME=batchrun BENCH_HOME=/dev/shm/wtb/sb OUT=$R/shared-bench \
  EXTRA_PREPARE="rm -rf /dev/shm/bench-logs/state" \
  /work/shared/bench/run-all.sh 2000 \
  "$B run {manifest} -j {J} --output quiet --state-dir /dev/shm/bench-logs/state" > $R/shared-bench.out 2> $R/shared-bench.err
echo "$(date -u +%T) shared-bench done load $(cat /proc/loadavg)" >> $R/load.log
touch /dev/shm/wtb/shared.done
