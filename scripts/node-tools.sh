#!/usr/bin/env bash
# Installs the pinned Node tooling of scripts/node/package-lock.json into
# .tools/node/ with `npm ci`: playwright-core (drives the system Chromium in the
# browser tests; it never downloads a browser), swagger-ui-dist (the source of
# assets/swagger-ui/), @stoplight/prism-cli (a mock server from the specs) and
# @stoplight/spectral-cli (lints the specs: make check-spectral).
# Idempotent: does nothing when .tools/node already holds this lock file.
# Prints the node_modules directory on stdout (progress goes to stderr).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/scripts/node
dest=$root/.tools/node
stamp=$dest/.installed

command -v node >/dev/null || { echo "node-tools: Node.js 20.17+ and npm are needed (Debian 13: apt-get install nodejs npm; Debian 12's nodejs is 18: take NodeSource's or nvm's)" >&2; exit 1; }
# 20.17: the oldest Node.js 20 that @stoplight/spectral-cli supports.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 17) ? 0 : 1)'; then
  echo "node-tools: Node.js 20.17+ is needed, found $(node --version) (Debian 12's own is 18: take NodeSource's or nvm's)" >&2; exit 1
fi

if [ -f "$stamp" ] && cmp -s "$stamp" "$src/package-lock.json" && [ -d "$dest/node_modules" ]; then
  echo "node-tools: up to date in $dest" >&2
else
  echo "node-tools: installing pinned packages into $dest ..." >&2
  mkdir -p "$dest"
  rm -f "$stamp"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  # --ignore-scripts: no package needs an install step here (one would only
  # send telemetry); no browser download either way (playwright-core has none).
  (cd "$dest" && SCARF_ANALYTICS=false PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  cp "$src/package-lock.json" "$stamp"
fi
echo "$dest/node_modules"
