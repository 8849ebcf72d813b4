#!/usr/bin/env bash
# Drift check: regenerate from specs/ into a temp folder and compare with the
# committed generated/. Any difference means generated/ was edited by hand or
# not regenerated after a spec change.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/generate.sh "$tmp"
if ! diff -r "$tmp" generated >"$tmp.diff" 2>&1; then
  head -n 40 "$tmp.diff" >&2
  rm -f "$tmp.diff"
  echo "generated/ differs from what specs/ generate: run \`make generate\` (never edit generated/ by hand)" >&2
  exit 1
fi
rm -f "$tmp.diff"
echo "generated/ matches specs/"
