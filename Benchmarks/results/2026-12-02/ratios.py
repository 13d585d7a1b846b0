#!/usr/bin/env python3
"""Per-round ratios of batchrun to each runner from a shared-bench results dir (ROUNDS>1)."""
import json, os, statistics, sys
d = sys.argv[1]
wls = ["w1-j2", "w1-j8", "w2", "w3", "w4"]
runners = ["spawnpool", "batchrun", "make", "ninja", "xargs", "parallel"]
N = {"w1-j2": 2000, "w1-j8": 2000, "w2": 200, "w3": 500, "w4": 200}
def get(wl, r, rnd):
    p = os.path.join(d, f"{wl}.{r}.r{rnd}.json")
    if not os.path.exists(p): return None
    try:
        h = json.load(open(p))["results"][0]
    except ValueError:
        return None
    return dict(cpu=h["user"] + h["system"], wall=h["median"])
rounds = sorted({int(f.rsplit(".r", 1)[1].split(".")[0]) for f in os.listdir(d) if ".r" in f and f.endswith(".json") and f.count(".") >= 3})
print("| workload | runner | CPU us/job (median of rounds) | batchrun CPU x runner | wall s | batchrun wall x runner | batchrun wall - runner, ms |")
print("|---|---|---:|---:|---:|---:|---:|")
for wl in wls:
    for r in runners:
        per = [(get(wl, r, k), get(wl, "batchrun", k)) for k in rounds]
        per = [(x, y) for x, y in per if x and y]
        if not per: continue
        cpu = statistics.median(x["cpu"] for x, _ in per) * 1e6 / N[wl]
        wall = statistics.median(x["wall"] for x, _ in per)
        rc = statistics.median(y["cpu"] / x["cpu"] for x, y in per)
        rw = statistics.median(y["wall"] / x["wall"] for x, y in per)
        dw = statistics.median(1000 * (y["wall"] - x["wall"]) for x, y in per)
        print(f"| {wl} | {r} | {cpu:.0f} | {rc:.2f} | {wall:.3f} | {rw:.2f} | {dw:+.0f} |")
