#!/usr/bin/env bash
# Runs the browser tests (tests/browser/*.test.mjs) in headless Chromium
# against a running sandbox server:
#
#   scripts/browser-tests.sh http://127.0.0.1:8080
#
# Needs Node.js 20+ and Debian's chromium (apt-get install chromium; another
# binary with CHROMIUM=/path). Installs the pinned playwright-core into
# .tools/node first (scripts/node-tools.sh). Screenshots go to
# target/screenshots/. The tests reset the sandbox. Exits non-zero on failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-${BASE_URL:-}}
if [ -z "$base" ]; then
  echo "usage: $0 BASE_URL   (e.g. http://127.0.0.1:8080)" >&2; exit 2
fi
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "browser-tests: no Chromium at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 1
fi
"$root/scripts/node-tools.sh" >/dev/null
if ! curl -fsS -o /dev/null --max-time 5 "$base/sandbox/v1/sms"; then
  echo "browser-tests: no sandbox server answers at $base (GET /sandbox/v1/sms)" >&2; exit 1
fi
mkdir -p "$root/target/screenshots"
cd "$root"
BASE_URL=$base CHROMIUM=$chromium node --test --test-concurrency=1 --test-reporter=spec \
  tests/browser/console.test.mjs tests/browser/docs.test.mjs
echo "browser-tests: screenshots in target/screenshots/"
