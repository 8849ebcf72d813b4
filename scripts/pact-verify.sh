#!/usr/bin/env bash
# Verifies every consumer pact in tests/pacts/ against a running otp-server
# in sandbox mode, with the Rust Pact verifier (`pact verifier`, pinned as
# pact-python-cli in scripts/requirements.txt; `make tools` installs it).
#
#   scripts/pact-verify.sh BASE_URL        e.g. http://127.0.0.1:8080
#
# Provider states are set up (and torn down after each interaction) by
# POST BASE_URL/sandbox/v1/provider-states. JUnit report:
# target/pact/junit.xml, JSON report: target/pact/report.json. Exits
# non-zero when any interaction fails.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 BASE_URL   (e.g. http://127.0.0.1:8080)" >&2; exit 2; }
[ $# -eq 1 ] || usage
base=${1%/}

# The verifier takes the provider as transport, host, port and base path.
re='^(https?)://(\[[^]]+\]|[^/:]+)(:([0-9]+))?(/.*)?$'
[[ $base =~ $re ]] || usage
transport=${BASH_REMATCH[1]}
host=${BASH_REMATCH[2]}
port=${BASH_REMATCH[4]:-}
path=${BASH_REMATCH[5]:-}
if [ -z "$port" ]; then
  if [ "$transport" = https ]; then port=443; else port=80; fi
fi

pact=.tools/venv/bin/pact
[ -x "$pact" ] || { echo "$pact is missing: run \`make tools\`" >&2; exit 2; }
shopt -s nullglob
pacts=(tests/pacts/*.json)
[ ${#pacts[@]} -gt 0 ] || { echo "no pacts in tests/pacts/" >&2; exit 2; }

out=target/pact
mkdir -p "$out"
rm -f "$out/junit.xml" "$out/report.json"

# No machine here reaches the internet: never try to send usage metrics.
export PACT_DO_NOT_TRACK=true

# --file per pact, not --dir: --dir tries to load every file as a pact.
args=()
for f in "${pacts[@]}"; do args+=(--file "$f"); done
args+=(
  --provider-name otp-server
  --transport "$transport" --hostname "$host" --port "$port"
  --state-change-url "$base/sandbox/v1/provider-states"
  --state-change-teardown
  --junit "$out/junit.xml"
  --json "$out/report.json"
  --no-colour
)
[ -n "$path" ] && args+=(--base-path "$path")

echo "== pact verifier: ${#pacts[@]} pact(s) in tests/pacts/ against $base"
status=0
"$pact" verifier "${args[@]}" || status=$?
# One closing line with the counts, from the JSON report.
if [ -f "$out/report.json" ]; then
  .tools/venv/bin/python - "$out/report.json" <<'PY'
import json, sys
results = [i["result"] for i in json.load(open(sys.argv[1]))["interactionResults"]]
ok = sum(1 for r in results if r == "OK")
print(f"pact: {ok} passed, {len(results) - ok} failed")
PY
fi
echo "JUnit report: $out/junit.xml"
if [ $status -ne 0 ]; then
  echo "pact verification FAILED (exit $status)" >&2
fi
exit $status
