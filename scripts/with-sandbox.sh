#!/usr/bin/env bash
# Runs a command against a fresh sandbox server: builds otp-server, starts
# `otp-server serve` (embedded sandbox config, memory store) on a free
# loopback port, runs COMMAND... with the server's base URL appended as its
# last argument, stops the server, and exits with the command's status.
#
#   scripts/with-sandbox.sh scripts/pact-verify.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
bin="${CARGO_TARGET_DIR:-target}/debug/otp-server"
cargo build --quiet --bin otp-server
log=$(mktemp)
"$bin" serve --listen 127.0.0.1:0 >"$log" 2>"$log.err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log" "$log.err"' EXIT
for _ in $(seq 100); do
  base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "${base:-}" ] || { cat "$log" "$log.err" >&2; echo "the sandbox did not start" >&2; exit 1; }
"$@" "$base"
