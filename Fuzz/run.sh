#!/usr/bin/env bash
# Builds the fuzzers with libFuzzer and AddressSanitizer and runs each in turn:
# ManifestFuzzer (the manifest loader) and ReportFuzzer (the report and journal reader).
#   Fuzz/run.sh [SECONDS [TARGET ...]]   (default: 60 s for each of both targets)
# Findings land in Fuzz/findings/ (named after the target); any finding fails the script.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
if [ $# -gt 1 ]; then targets=("${@:2}"); else targets=(ManifestFuzzer ReportFuzzer); fi
swift build -c release --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >/dev/null
mkdir -p findings

# Seeds of ManifestFuzzer: every manifest the project ships and every test fixture.
seed_manifests() {
  find ../manifests ../Tests -name '*.yaml' -exec cp {} "$1/" \;
}

# Seeds of ReportFuzzer: real reports and journals, made by the built batchrun from
# manifests/*.yaml and one manifest with every status, run in a scratch directory.
seed_reports() {
  local corpus="$1" work batchrun run
  work="$(mktemp -d)"
  (cd .. && swift build --product batchrun >/dev/null)
  batchrun="$(cd .. && swift build --show-bin-path)/batchrun"
  cp ../manifests/*.yaml "$work/"
  cat >"$work/every-status.yaml" <<'YAML'
jobs:
  ok: {run: echo ok}
  bad: {run: 'echo bad >&2; exit 3', needs: ok}
  flaky: {run: 'test -e flaky.seen || { touch flaky.seen; exit 1; }', retries: 1}
  slow: {run: sleep 5, timeout: 200ms, allow-failure: true}
  after-bad: {argv: [echo, never], needs: bad}
  cleanup: {run: rm -f flaky.seen, needs: [bad, flaky], when: always, description: Clean up}
YAML
  for manifest in "$work"/*.yaml; do
    "$batchrun" --state-dir "$work/state" --output quiet -k --kill-grace 200ms "$manifest" >/dev/null || true
  done
  for run in "$work"/state/runs/*/; do
    cp "$run/report.json" "$corpus/$(basename "$run").report.json"
    cp "$run/events.jsonl" "$corpus/$(basename "$run").events.jsonl"
  done
  rm -rf "$work"
}

for target in "${targets[@]}"; do
  corpus=".corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    ManifestFuzzer) seed_manifests "$corpus"; options=(-max_len=4096 -dict=manifest.dict) ;;
    ReportFuzzer) seed_reports "$corpus"; options=(-max_len=16384 -dict=report.dict) ;;
    *) echo "Fuzz/run.sh: unknown target $target" >&2; exit 64 ;;
  esac
  echo "== $target, $seconds s"
  "./.build-fuzz/release/$target" "$corpus" -max_total_time="$seconds" "${options[@]}" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="findings/$target-" -print_final_stats=1
done
