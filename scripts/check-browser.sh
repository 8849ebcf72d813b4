#!/usr/bin/env bash
# `make check-browser`: builds the server, starts it in sandbox mode on a
# free port, runs the browser tests of the console and the API docs
# (scripts/browser-tests.sh: headless Chromium via the pinned
# playwright-core, installed into .tools/node when missing) and stops the
# server; first checks that assets/swagger-ui/ is the pinned swagger-ui-dist.
# Screenshots land in target/screenshots/. Needs Node.js 20+ and
# Chromium (.ci/run installs both when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/debug/otp-server"
cargo build --quiet --bin otp-server

log=$(mktemp)
"$bin" serve --listen 127.0.0.1:0 >"$log" 2>"$log.err" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log" "$log.err"' EXIT
for _ in $(seq 50); do
  base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "${base:-}" ] || { cat "$log" "$log.err" >&2; echo "check-browser: the server did not start" >&2; exit 1; }
scripts/vendor-swagger-ui.sh --check
echo "== browser tests against $base"
if ! scripts/browser-tests.sh "$base"; then
  echo "check-browser: server log (last 20 lines):" >&2
  tail -n 20 "$log" "$log.err" >&2
  exit 1
fi
