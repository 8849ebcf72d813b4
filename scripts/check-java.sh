#!/usr/bin/env bash
# openapi-generator needs Java 17 or newer on PATH.
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  echo "java not found: openapi-generator needs Java 17+ (Debian: apt-get install openjdk-17-jre-headless)" >&2
  exit 1
fi
major=$(java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}')
if [ "${major:-0}" -lt 17 ]; then
  echo "java $major found: openapi-generator needs Java 17+" >&2
  exit 1
fi
