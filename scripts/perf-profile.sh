#!/usr/bin/env bash
# Real-CPU profile of a native otp-server under load: `otp-bench --only
# ROW` (default "prod memory": telemarketing generate, production config,
# memory store) starts the server on core 0 and loads it from core 1;
# `perf record -e cpu-clock` samples the server process for SECONDS (default
# 10) while the load runs; then self samples by bucket and the top
# functions. Data: target/bench/perf-<row>.data.
# Usage: scripts/perf-profile.sh ["ROW" [SECONDS]]
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-prod memory}"
seconds="${2:-10}"
command -v perf >/dev/null || { echo "perf not found (Debian: apt-get install linux-perf)" >&2; exit 1; }
cargo build --release --quiet -p otp-server -p otp-bench
bin="$(cd "${CARGO_TARGET_DIR:-target}/release" && pwd)"
mkdir -p target/bench
data="target/bench/perf-${only// /-}.data"
pin=()
if [ "$(nproc --all)" -ge 2 ] && command -v taskset >/dev/null; then pin=(taskset -c 1); fi
before=$(pgrep -d, -f "^$bin/otp-server serve" || true)
"${pin[@]}" "$bin/otp-bench" --only "$only" --warmup 2 --duration $((seconds + 4)) > "target/bench/perf-load.txt" &
load=$!
server=""
for _ in $(seq 100); do
  sleep 0.1
  server=$(pgrep -n -f "^$bin/otp-server serve" || true)
  if [ -n "$server" ] && [[ ",$before," != *",$server,"* ]]; then break; fi
  server=""
done
[ -n "$server" ] || { echo "no otp-server started" >&2; wait "$load"; exit 1; }
sleep 2
perf record -q -e cpu-clock -p "$server" -o "$data" -- sleep "$seconds"
wait "$load"
grep -E "^(server +scenario|$only +telemarketing)" target/bench/perf-load.txt | head -2
scripts/profile-buckets.py perf "$data" --top "${BENCH_TOP:-30}"
