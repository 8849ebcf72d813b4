#!/usr/bin/env bash
# Print the fingerprint of the generator's inputs: one "sha256  path" line per
# spec (specs/*.yaml) and per file under generator/ (the configs, the ignore
# file and the template overrides of generator/templates/, at any depth),
# sorted by path. build.rs computes the same lines and compares them with
# generated/FINGERPRINT.
set -euo pipefail
cd "$(dirname "$0")/.."
{ printf '%s\0' specs/*.yaml; find generator -type f -print0; } | xargs -0 sha256sum | LC_ALL=C sort -k2
