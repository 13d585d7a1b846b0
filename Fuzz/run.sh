#!/usr/bin/env bash
# Builds the manifest fuzzer with libFuzzer and AddressSanitizer and runs it.
#   Fuzz/run.sh [SECONDS]   (default 60); findings land in Fuzz/findings/
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
swift build -c release --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >/dev/null
corpus=.corpus
mkdir -p "$corpus" findings
# Seeds: every manifest the project ships and every test fixture.
find ../manifests ../Tests -name '*.yaml' -exec cp {} "$corpus/" \;
./.build-fuzz/release/ManifestFuzzer "$corpus" -max_total_time="$seconds" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 -artifact_prefix=findings/ -print_final_stats=1
