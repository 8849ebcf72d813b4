#!/usr/bin/env bash
# Regenerate the rust-server crates from specs/ into OUT (default: generated/).
#
#   scripts/generate.sh [OUT]
#
# Each spec specs/NAME.yaml becomes OUT/NAME/, generated from the checked-in
# config generator/NAME.yaml. The folder is emptied first, so files the
# generator no longer writes disappear; generator/rust-server.ignore is laid
# in as the crate's .openapi-generator-ignore so that only what a server
# needs is written (no client, examples, docs or CLI). Last, OUT/FINGERPRINT
# records the sha256 of every input; build.rs compares it with the inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-generated}
gen=${OPENAPI_GENERATOR:-.tools/venv/bin/openapi-generator-cli}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

mkdir -p "$out"
for config in generator/*.yaml; do
  name=$(basename "$config" .yaml)
  [ -f "specs/$name.yaml" ] || { echo "generator/$name.yaml has no specs/$name.yaml" >&2; exit 1; }
  rm -rf "${out:?}/$name"
  mkdir -p "$out/$name"
  cp generator/rust-server.ignore "$out/$name/.openapi-generator-ignore"
  if ! "$gen" generate -c "$config" -o "$out/$name" >"$log" 2>&1; then
    cat "$log" >&2
    echo "openapi-generator failed on specs/$name.yaml" >&2
    exit 1
  fi
done
scripts/fingerprint.sh >"$out/FINGERPRINT"
