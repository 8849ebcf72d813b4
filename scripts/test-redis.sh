#!/usr/bin/env bash
# Runs the integration suite again, on the Redis store: against
# $OTP_TEST_STORE if set, else the Redis answering on 127.0.0.1:6379, else a
# redis-server of its own on a free port, stopped afterwards. Tests that need
# their own Redis processes (cluster, outage) ran in the memory pass already.
set -euo pipefail
cd "$(dirname "$0")/.."
own=""
if [ -z "${OTP_TEST_STORE:-}" ]; then
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    export OTP_TEST_STORE=redis://127.0.0.1:6379
  else
    command -v redis-server >/dev/null || { echo "redis-server not found: install Redis (Debian: apt-get install redis-server)" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
    own=$!
    trap 'kill $own 2>/dev/null || true' EXIT
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export OTP_TEST_STORE=redis://127.0.0.1:$port
  fi
fi
echo "== integration suite on the Redis store ($OTP_TEST_STORE)"
cargo test --test it -- --skip redis_processes:: --skip shutdown::
