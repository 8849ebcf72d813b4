#!/usr/bin/env bash
# make bench: release build, then the HTTP benchmarks (baseline, memory
# store, Redis store) and the memory benchmark. The load generator runs on
# core 1 and the servers on core 0 when the machine has two cores or more.
# Then memory per live RAO challenge through the server (Redis used_memory,
# memory-store RSS). Results: target/bench/http.json, memory.json and
# challenges.json.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p otp-server -p otp-bench
bin="${CARGO_TARGET_DIR:-target}/release"
command -v redis-server >/dev/null || { echo "redis-server not found (Debian: apt-get install redis-server)" >&2; exit 1; }
pin=()
if [ "$(nproc --all)" -ge 2 ] && command -v taskset >/dev/null; then pin=(taskset -c 1); fi
echo "machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
"${pin[@]}" "$bin/otp-bench" --duration "${BENCH_SECONDS:-10}" --warmup 2 --concurrency 64
"$bin/otp-bench" memory --count 1000000
"$bin/otp-bench" challenges --count 10000 --memory-count 100000
