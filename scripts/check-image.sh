#!/usr/bin/env bash
# `make check-image`: builds the image (scripts/image.sh) and checks running
# containers of it, over loopback only (host network, ports chosen free):
#
#  1. sandbox: the image's default command (OTP_LISTEN moved to a free
#     loopback port), read-only root, no capabilities: its HEALTHCHECK,
#     /health/live and /health/ready, a whole RAO flow with curl (OTP read
#     from the outbox), then the conformance kit run from the host build
#     (`otp-server conform`), which must pass every check; SIGTERM exits 0;
#  2. production: a config with `sandbox = false` mounted read-only at
#     /etc/otp-server/config.toml, keys from the environment and from a
#     mounted secret file, a Redis store, the webhook SMS gateway pointed at
#     a receiver this script runs: health, `/metrics` only on the admin
#     listener, a telemarketing and a RAO (AES-256-GCM) flow whose OTPs are
#     read from what the receiver got, and no OTP or phone in the logs;
#  3. two instances on one Redis reached by the name `redis` (compose.yaml
#     without compose): generate on one, validate on the other; and an
#     instance whose store does not answer: live, not ready, unhealthy.
#
# Redis: a redis-server of its own on a free port (stopped afterwards), so
# the checks never touch a shared one. Containers, the receiver and Redis
# are removed on exit, whatever happens. Prints the time each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
phase_started=""
# phase TITLE: ends the previous part (its time) and starts the next.
phase() {
  local now
  now=$(date +%s)
  [ -z "$phase_started" ] || echo "   ($((now - phase_started)) s)"
  phase_started=$now
  [ $# = 0 ] || echo "== $*"
}
fail() {
  echo "check-image: FAILED: $*" >&2
  exit 1
}

for tool in curl python3 redis-server redis-cli; do
  command -v "$tool" >/dev/null || fail "$tool not found (Debian: apt-get install curl python3 redis-server)"
done

read -r -a podman <<<"$(scripts/podman.sh --command)"
# `healthcheck run` and the run flags below are podman's.
[ "$(basename "${podman[0]}")" = podman ] || fail "check-image runs podman (PODMAN=${podman[*]})"

phase "make image"
scripts/image.sh
version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
image=otp-server:$version
kit="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release/otp-server"

# What every container gets: the host's network (loopback ports), a
# read-only root, no capabilities, open-file and process limits this
# machine's runc accepts (it refuses podman's defaults), and no health timer
# (the checks run the HEALTHCHECK themselves; podman's timers need systemd).
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=65536
run_flags=(--network host --read-only --cap-drop ALL --security-opt no-new-privileges
  --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096 --health-interval disable)

work=$(mktemp -d)
prefix="otp-check-image-$$"
containers=()
pids=()
cleanup() {
  for c in "${containers[@]}"; do "${podman[@]}" rm -f -t 2 "$c" >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}
read -r sandbox_port prod_port admin_port hook_port redis_port one_port two_port nostore_port closed_port \
  <<<"$(free_ports 9)"

# start NAME RUN_ARGS...: a detached container, removed on exit.
start() {
  local name="$prefix-$1"
  shift
  containers+=("$name")
  # podman 4.3 still tries systemd for the health timer: leave its complaint out.
  "${podman[@]}" run -d --name "$name" "${run_flags[@]}" "$@" \
    2> >(grep -v 'unable to get systemd connection' >&2) >/dev/null
}
# wait_ready NAME BASE: until BASE/health/ready answers 200 (30 s at most).
wait_ready() {
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$2/health/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  "${podman[@]}" logs "$prefix-$1" >&2 || true
  fail "$1 did not become ready at $2"
}
# expect STATUS METHOD URL [CURL_ARGS...]: the answer's status, body in $work/body.
expect() {
  local want=$1 method=$2 url=$3 got
  shift 3
  got=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$@" "$url")
  [ "$got" = "$want" ] || fail "$method $url: $got, expected $want: $(head -c 300 "$work/body")"
}
# token BASE CLIENT SECRET: a bearer token.
token() {
  expect 200 POST "$1/api/v1/oauth/token" -d grant_type=client_credentials -d "client_id=$2" -d "client_secret=$3"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$work/body"
}
# healthcheck NAME: the image's own HEALTHCHECK, run now, must pass.
healthcheck() {
  "${podman[@]}" healthcheck run "$prefix-$1" >/dev/null ||
    fail "$1: the image's HEALTHCHECK failed"
}
# no_secrets_in_logs NAME WORD...: none of the words in the container's log
# (whole words: a 6-digit OTP inside a longer number is no leak).
no_secrets_in_logs() {
  local name=$1 word
  shift
  "${podman[@]}" logs "$prefix-$name" >"$work/log" 2>&1
  [ -s "$work/log" ] || fail "$name logged nothing"
  for word in "$@"; do
    ! grep -qwF -- "$word" "$work/log" || fail "$name's log holds an OTP, a phone or a secret"
  done
}
b64() { printf %s "$1" | base64 -w0; }

# RAO headers and endpoints (the README's curl flow).
rao_headers() { # CLIENT TOKEN SID
  printf '%s\n' -H "client_id: $1" -H "Authorization: Bearer $2" -H "Accept: application/json" \
    -H "uuid: 3f2b8c1e-0d4a-4b7e-9a61-1c2d3e4f5a6b" -H "Content-Type: application/json" \
    -H "countryCode: MX" -H "businessCode: GCB" -H "channelId: MOBILE" -H "sid: $3"
}
tm_headers() { # CLIENT TOKEN
  printf '%s\n' -H "client_id: $1" -H "Authorization: Bearer $2" -H "uuid: a7d1e304-83a9-4413-af97-62615e57eae6" \
    -H "Content-Type: application/json" -H "Accept-Language: en-US" \
    -H "countryCode: MX" -H "businessCode: GCB" -H "channelId: IVR"
}
RAO=/api/v1/x-global/account-opening/rao/security/tokens
TM=/api/v1/x-global/security/tele-marketing/otp

phase "Redis of its own on 127.0.0.1:$redis_port"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping >/dev/null || fail "redis-server did not start"

# --- 1. the sandbox ---------------------------------------------------------
phase "sandbox container (the image's default command) on 127.0.0.1:$sandbox_port"
start sandbox -e "OTP_LISTEN=127.0.0.1:$sandbox_port" "$image"
B=http://127.0.0.1:$sandbox_port
wait_ready sandbox "$B"
healthcheck sandbox
expect 200 GET "$B/health/live"
expect 200 GET "$B/health/ready"
user=$("${podman[@]}" inspect --format '{{.Config.User}}' "$prefix-sandbox")
[ "$user" = 65532:65532 ] || fail "the container runs as $user, not 65532:65532"

echo "-- RAO flow: token, generate, OTP from the outbox, validate, certified phone"
TOKEN=$(token "$B" sandbox sandbox-secret)
mapfile -t H < <(rao_headers sandbox "$TOKEN" image-check-1)
PHONE=$(b64 5512345678)
expect 204 POST "$B$RAO/generate" "${H[@]}" -d "{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}"
expect 200 GET "$B/sandbox/v1/sms?to=%2B525512345678"
OTP=$(sed 's/.*"otp":"\([0-9]*\)".*/\1/' "$work/body")
[ -n "$OTP" ] || fail "no OTP in the outbox"
expect 204 POST "$B$RAO/validate" "${H[@]}" -d "{\"encryptedOtpToken\":\"$(b64 "$OTP")\",\"phone\":{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}}"
expect 200 POST "$B$RAO/certified-phone" "${H[@]}"
grep -q '"phoneNumber":"5512345678"' "$work/body" || fail "certified phone: $(cat "$work/body")"

phase "conformance kit (host build) against the sandbox container"
"$kit" conform --target "$B" >"$work/conform.out" 2>"$work/conform.err" || {
  cat "$work/conform.out" >&2
  fail "the sandbox container does not conform"
}
grep -E '^(group|total) ' "$work/conform.out"
grep -qE '^total +[0-9]+ +0 +0 ' "$work/conform.out" || fail "the kit skipped or failed checks"
tail -n1 "$work/conform.out"
no_secrets_in_logs sandbox "$OTP" 5512345678
echo "-- SIGTERM (podman stop): the server, PID 1, finishes and exits 0"
"${podman[@]}" stop -t 10 "$prefix-sandbox" 2> >(grep -v "systemd connection" >&2) >/dev/null
code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$prefix-sandbox")
[ "$code" = 0 ] || fail "the sandbox container exited $code on SIGTERM"

# --- 2. production ----------------------------------------------------------
phase "production container: config mounted read-only, secrets from env and a file, webhook SMS, Redis"
# The receiver: the SMS gateway's stand-in, one JSON line per message.
python3 - "$hook_port" "$work/sms.jsonl" >/dev/null 2>&1 <<'EOF' &
import http.server, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(out, "a") as f:
            f.write(json.dumps(body) + "\n")
        self.send_response(204)
        self.end_headers()
http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
EOF
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$hook_port/" && break; sleep 0.1; done

key() { head -c 32 /dev/urandom | base64 -w0; }
TOKEN_KEY=$(key)
APP_KEY=$(key)
key >"$work/otp-key"
chmod 0644 "$work/otp-key" # read by the container's uid 65532
SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
SECRET_SHA=$(printf %s "$SECRET" | sha256sum | cut -d' ' -f1)
# config KEY_FILE: the production config, with the otp key file at KEY_FILE.
config() {
  cat <<EOF
[server]
sandbox = false
listen = "127.0.0.1:$prod_port"
store = "redis://127.0.0.1:$redis_port"

[redis]
key_prefix = "$prefix:"

[secrets]
token_key_env = "OTP_TOKEN_KEY"
otp_key_file = "$1"

[sms]
gateway = "webhook"
webhook_url = "http://127.0.0.1:$hook_port/send"

[[clients]]
id = "check-app"
secret_sha256 = "$SECRET_SHA"
cipher = "aes-256-gcm"
key_env = "OTP_CHECK_APP_KEY"
apis = ["rao", "telemarketing"]
access = [{ country = "MX", business = "GCB", channels = ["IVR", "MOBILE"] }]
EOF
}
config /run/secrets/otp-key >"$work/config.toml"
config "$work/otp-key" >"$work/host-config.toml" # for the host's `otp-server encrypt`
chmod 0644 "$work/config.toml"
start prod \
  -v "$work/config.toml:/etc/otp-server/config.toml:ro" -e OTP_CONFIG=/etc/otp-server/config.toml \
  -v "$work/otp-key:/run/secrets/otp-key:ro" \
  -e OTP_TOKEN_KEY="$TOKEN_KEY" -e OTP_CHECK_APP_KEY="$APP_KEY" \
  -e "OTP_LISTEN=127.0.0.1:$prod_port" -e "OTP_ADMIN_LISTEN=127.0.0.1:$admin_port" \
  "$image"
P=http://127.0.0.1:$prod_port
A=http://127.0.0.1:$admin_port
wait_ready prod "$P"
healthcheck prod
expect 200 GET "$P/health/live"
expect 200 GET "$P/health/ready"
expect 404 GET "$P/metrics"
expect 404 GET "$P/sandbox/v1/sms"
expect 200 GET "$A/metrics"
grep -q '^otp_' "$work/body" || fail "no otp_ metrics on the admin listener"
expect 200 GET "$A/health/ready"

echo "-- telemarketing flow: OTP from the webhook receiver"
TOKEN=$(token "$P" check-app "$SECRET")
mapfile -t T < <(tm_headers check-app "$TOKEN")
curl -s -D "$work/headers" -o "$work/body" "${T[@]}" "$P$TM/generate" \
  -d '{"customerId":"image_check","phoneNumber":"1111214678","messagePrefix":"Code","messageSuffix":"Reply STOP to cancel"}'
head -n1 "$work/headers" | grep -q ' 200' || fail "telemarketing generate: $(head -n1 "$work/headers") $(cat "$work/body")"
SID=$(tr -d '\r' <"$work/headers" | sed -n 's/^sid: //Ip')
[ -n "$SID" ] || fail "telemarketing generate: no sid header"
# last_otp PATTERN: the OTP of the newest message the receiver got.
last_otp() {
  for _ in $(seq 50); do
    [ -s "$work/sms.jsonl" ] && break
    sleep 0.1
  done
  python3 -c 'import json,re,sys
text = json.loads(open(sys.argv[1]).read().splitlines()[-1])["text"]
m = re.search(sys.argv[2], text)
print(m.group(1) if m else "")' "$work/sms.jsonl" "$1"
}
OTP_TM=$(last_otp '^Code ([0-9A-Z]{11}) ')
[ -n "$OTP_TM" ] || fail "the receiver got no telemarketing OTP"
prefix3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["oneTimePasswordToken"])' "$work/body")
[ "${OTP_TM:0:3}" = "$prefix3" ] || fail "generate answered $prefix3, not the SMS's first 3 characters"
expect 200 POST "$P$TM/validate" "${T[@]}" -H "sid: $SID" -d "{\"customerId\":\"image_check\",\"oneTimePasswordToken\":\"$OTP_TM\"}"
rm -f "$work/sms.jsonl"

echo "-- RAO flow (AES-256-GCM): OTP from the webhook receiver"
encrypt() { OTP_TOKEN_KEY="$TOKEN_KEY" OTP_CHECK_APP_KEY="$APP_KEY" "$kit" encrypt --config "$work/host-config.toml" --client check-app "$1"; }
mapfile -t H < <(rao_headers check-app "$TOKEN" image-check-2)
PHONE=$(encrypt 5512345678)
expect 204 POST "$P$RAO/generate" "${H[@]}" -d "{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}"
OTP_RAO=$(last_otp 'code is ([0-9]+)')
[ -n "$OTP_RAO" ] || fail "the receiver got no RAO OTP"
expect 204 POST "$P$RAO/validate" "${H[@]}" -d "{\"encryptedOtpToken\":\"$(encrypt "$OTP_RAO")\",\"phone\":{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}}"
expect 200 POST "$P$RAO/certified-phone" "${H[@]}"
no_secrets_in_logs prod "$OTP_TM" "$OTP_RAO" 5512345678 1111214678 "$SECRET" "$TOKEN_KEY" "$APP_KEY" "$(cat "$work/otp-key")"

# --- 3. two instances, one Redis named `redis` ------------------------------
phase "two sandbox instances on one Redis reached as redis:$redis_port (compose.yaml's setup)"
for pair in "one $one_port" "two $two_port"; do
  read -r name port <<<"$pair"
  start "$name" --add-host redis:127.0.0.1 -e "OTP_STORE=redis://redis:$redis_port/1" \
    -e "OTP_LISTEN=127.0.0.1:$port" "$image"
done
ONE=http://127.0.0.1:$one_port
TWO=http://127.0.0.1:$two_port
wait_ready one "$ONE"
wait_ready two "$TWO"
expect 204 POST "$ONE/sandbox/v1/reset" -H "Content-Type: application/json"
TOKEN=$(token "$ONE" sandbox sandbox-secret)
mapfile -t H < <(rao_headers sandbox "$TOKEN" image-check-3)
PHONE=$(b64 5512345679)
expect 204 POST "$ONE$RAO/generate" "${H[@]}" -d "{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}"
expect 200 GET "$TWO/sandbox/v1/sms?to=%2B525512345679"
OTP=$(sed 's/.*"otp":"\([0-9]*\)".*/\1/' "$work/body")
[ -n "$OTP" ] || fail "instance two does not see instance one's SMS"
expect 204 POST "$TWO$RAO/validate" "${H[@]}" -d "{\"encryptedOtpToken\":\"$(b64 "$OTP")\",\"phone\":{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}}"
expect 200 POST "$ONE$RAO/certified-phone" "${H[@]}"
grep -q '"phoneNumber":"5512345679"' "$work/body" || fail "certified phone across instances: $(cat "$work/body")"

echo "-- a store that does not answer: live, not ready, and the HEALTHCHECK fails"
start nostore -e "OTP_STORE=redis://127.0.0.1:$closed_port" -e "OTP_LISTEN=127.0.0.1:$nostore_port" "$image"
N=http://127.0.0.1:$nostore_port
for _ in $(seq 300); do curl -fsS -o /dev/null "$N/health/live" 2>/dev/null && break; sleep 0.1; done
expect 200 GET "$N/health/live"
expect 500 GET "$N/health/ready"
! "${podman[@]}" healthcheck run "$prefix-nostore" >/dev/null 2>&1 ||
  fail "the HEALTHCHECK passed with the store down"

phase
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
echo "check-image: $image ($size bytes) passed: sandbox, conformance kit, production, two instances on one Redis in $(($(date +%s) - started)) s"
