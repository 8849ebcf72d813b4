#!/usr/bin/env bash
# Print the fingerprint of the generator's inputs: one "sha256  path" line per
# spec and generator config, sorted by path. build.rs computes the same lines
# and compares them with generated/FINGERPRINT.
set -euo pipefail
cd "$(dirname "$0")/.."
sha256sum specs/*.yaml generator/* | LC_ALL=C sort -k2
