#!/usr/bin/env bash
# make bench-instructions: instructions per request of the server process,
# counted by callgrind (repeatable where seconds are not), for bare hyper
# and otp-server in production mode; then where the instructions go, by
# bucket, for telemarketing generate and the RAO flow. The client runs
# natively on core 1, the servers under valgrind on core 0 (two cores or
# more). Results: target/bench/instructions.json and the callgrind dumps in
# target/bench/callgrind/ (callgrind_annotate FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in valgrind callgrind_control callgrind_annotate redis-server python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (Debian: apt-get install valgrind redis-server python3)" >&2; exit 1; }
done
cargo build --release --quiet -p otp-server -p otp-bench
bin="${CARGO_TARGET_DIR:-target}/release"
pin=()
if [ "$(nproc --all)" -ge 2 ] && command -v taskset >/dev/null; then pin=(taskset -c 1); fi
"${pin[@]}" "$bin/otp-bench" instructions --requests "${BENCH_REQUESTS:-1000}" --warmup "${BENCH_WARMUP:-200}"
dumps=target/bench/callgrind
for scenario in telemarketing-generate rao-flow; do
  requests=$(python3 -c "import json,sys; print(next(r['requests'] for r in json.load(open('target/bench/instructions.json')) if r['profile'].endswith('/production-memory-$scenario.callgrind')))")
  echo
  scripts/profile-buckets.py callgrind "$dumps/production-memory-$scenario.callgrind" --per "$requests" --top 0
done
