#!/usr/bin/env bash
# Copies what the /docs page needs from the pinned swagger-ui-dist package
# (scripts/node/package-lock.json, installed by scripts/node-tools.sh) into
# assets/swagger-ui/, which the server embeds with include_bytes!.
#
#   scripts/vendor-swagger-ui.sh          refresh assets/swagger-ui/
#   scripts/vendor-swagger-ui.sh --check  exit 1 when assets/swagger-ui/ differs
#                                         from the pinned package (CI)
#
# To upgrade swagger-ui: change its version in scripts/node/package.json, run
# `npm install --package-lock-only --ignore-scripts` in scripts/node/, then
# this script, and commit the three together.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/assets/swagger-ui
# The files copied verbatim: the bundle (swagger-ui core and its dependencies),
# its stylesheet, the licence and notice of swagger-ui and the licences of the
# code bundled into swagger-ui-bundle.js.
files=(swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt)

mode=refresh
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

modules=$("$root/scripts/node-tools.sh")
pkg=$modules/swagger-ui-dist
version=$(node -p "require('$pkg/package.json').version")
want_version="swagger-ui-dist $version"

if [ "$mode" = check ]; then
  bad=0
  for f in "${files[@]}"; do
    if ! cmp -s "$pkg/$f" "$dest/$f"; then
      echo "vendor-swagger-ui: assets/swagger-ui/$f differs from swagger-ui-dist $version" >&2; bad=1
    fi
  done
  if [ "$(cat "$dest/VERSION" 2>/dev/null)" != "$want_version" ]; then
    echo "vendor-swagger-ui: assets/swagger-ui/VERSION is not '$want_version'" >&2; bad=1
  fi
  shopt -s nullglob
  for f in "$dest"/*; do
    name=$(basename "$f")
    [ "$name" = VERSION ] && continue
    [[ " ${files[*]} " == *" $name "* ]] || { echo "vendor-swagger-ui: unexpected file assets/swagger-ui/$name" >&2; bad=1; }
  done
  if [ $bad -ne 0 ]; then
    echo "vendor-swagger-ui: run scripts/vendor-swagger-ui.sh and commit assets/swagger-ui/" >&2
    exit 1
  fi
  echo "vendor-swagger-ui: assets/swagger-ui/ matches swagger-ui-dist $version"
  exit 0
fi

mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name VERSION -exec rm -rf {} +
for f in "${files[@]}"; do cp "$pkg/$f" "$dest/$f"; done
echo "$want_version" > "$dest/VERSION"
echo "vendor-swagger-ui: assets/swagger-ui/ refreshed from swagger-ui-dist $version"
