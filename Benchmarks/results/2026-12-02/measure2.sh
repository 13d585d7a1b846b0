#!/usr/bin/env bash
# start-up (B) and 100k jobs (C); $1 = deadline for the quiet wait
set -u
R=/work/wt-bench/Benchmarks/results/2026-12-02
B=/work/wt-bench/.build/release/batchrun
S=/tmp/brinst/bin/batchrun
deadline=$1
waitq() {
  while :; do
    l=$(cut -d' ' -f1 /proc/loadavg)
    echo "$(date -u +%T) $1 load $(cat /proc/loadavg)" >> $R/load.log
    awk -v l="$l" 'BEGIN{exit !(l<3)}' && return
    [ "$(date +%s)" -ge "$deadline" ] && { echo "$(date -u +%T) $1 gave up waiting" >> $R/load.log; return; }
    sleep 30
  done
}
W4=/dev/shm/wtb/sb/work/N2000/w4
waitq w4-rss
for i in 1 2 3; do
  rm -rf /dev/shm/wtb/w4st
  (cd $W4 && /usr/bin/time -v -o $R/w4-rss-$i.time $B run manifest.yaml -j 4 --output quiet --state-dir /dev/shm/wtb/w4st >/dev/null 2>&1)
done
rm -rf /dev/shm/wtb/w4st
cd /dev/shm/wtb/one
rm -rf st st-static
waitq startup
cmds=("make -s -f one.mk" "$B run manifest.yaml --output quiet --state-dir /dev/shm/wtb/one/st")
[ -x $S ] && cmds+=("$S run manifest.yaml --output quiet --state-dir /dev/shm/wtb/one/st-static")
hyperfine -N --warmup 5 --runs 50 --export-json $R/startup-one-job.json "${cmds[@]}" > $R/startup-one-job.txt 2>&1
echo "$(date -u +%T) startup done load $(cat /proc/loadavg)" >> $R/load.log
cd /dev/shm/wtb/big
waitq validate-100k
hyperfine -N --warmup 1 --runs 5 --export-json $R/validate-100k.json "$B validate manifest.yaml" > $R/validate-100k.txt 2>&1
/usr/bin/time -v -o $R/validate-100k.time $B validate manifest.yaml > /dev/null 2>&1
echo "$(date -u +%T) validate done load $(cat /proc/loadavg)" >> $R/load.log
waitq run-100k
rm -rf st
/usr/bin/time -v -o $R/run-100k-j8.time $B run manifest.yaml -j 8 --output quiet --state-dir /dev/shm/wtb/big/st > $R/run-100k-j8.out 2>&1
echo "rc=$?" >> $R/run-100k-j8.out
echo "$(date -u +%T) run-100k done load $(cat /proc/loadavg)" >> $R/load.log
ls /dev/shm/wtb/big/st/runs/*/logs | wc -l >> $R/run-100k-j8.out
rm -rf /dev/shm/wtb/big/st
touch /dev/shm/wtb/m2.done
