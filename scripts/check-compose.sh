#!/usr/bin/env bash
# `make check-compose`: runs compose.yaml with podman-compose (pinned, in
# .tools/compose-venv) on free loopback ports and checks it: both instances
# ready and healthy (the image's HEALTHCHECK), a RAO and a telemarketing
# flow each generated through one instance and validated through the other,
# and the conformance kit against the second.
#
# compose.yaml's `redis:7` is used when the engine has it. Without a
# registry (this project's machines) the script builds a stand-in under that
# name from this machine's own redis-server (its binaries and the shared
# libraries ldd names, FROM scratch, protected mode off as in the official
# image), and removes it afterwards. Needs `make image` first (check-image
# builds it). Everything is taken down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
fail() {
  echo "check-compose: FAILED: $*" >&2
  exit 1
}

version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
grep -q "image: otp-server:$version\$" compose.yaml || fail "compose.yaml does not use otp-server:$version"
kit="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release/otp-server"
[ -x "$kit" ] || fail "$kit not found: run make image"
read -r -a podman <<<"$(scripts/podman.sh --command)"
[ "$(basename "${podman[0]}")" = podman ] || fail "podman-compose needs podman (PODMAN=${podman[*]})"
"${podman[@]}" image exists "otp-server:$version" || fail "no image otp-server:$version: run make image"

work=$(mktemp -d)
project="otp-check-compose-$$"
standin=""
compose=(.tools/compose-venv/bin/podman-compose -p "$project" -f compose.yaml)
cleanup() {
  "${compose[@]}" down -t 2 >/dev/null 2>&1 || true
  [ -z "$standin" ] || "${podman[@]}" rmi "$standin" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== podman-compose"
if [ ! -x .tools/compose-venv/bin/podman-compose ]; then
  python3 -m venv .tools/compose-venv
  .tools/compose-venv/bin/pip install --quiet --disable-pip-version-check podman-compose==1.6.0
fi
"${compose[0]}" --version | head -n1

# podman-compose calls plain `podman`: give it the options scripts/podman.sh
# chose, and run limits this machine's runc accepts (it refuses podman's
# defaults), through podman's own configuration variables.
if [ "${#podman[@]}" -gt 1 ]; then
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=65536
  runtime=podman
  driver=""
  for ((i = 1; i < ${#podman[@]}; i++)); do
    case "${podman[$i]}" in
      --runtime) runtime=${podman[$((i + 1))]} ;;
      --storage-driver) driver=${podman[$((i + 1))]} ;;
    esac
  done
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n[engine]\nruntime = "%s"\n' \
    "$nofile" "$nofile" "$runtime" >"$work/containers.conf"
  export CONTAINERS_CONF=$work/containers.conf
  if [ -n "$driver" ]; then
    printf '[storage]\ndriver = "%s"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
      "$driver" >"$work/storage.conf"
    export CONTAINERS_STORAGE_CONF=$work/storage.conf
  fi
fi

if ! "${podman[@]}" image exists redis:7; then
  echo "== no redis:7 here: a stand-in from this machine's redis-server"
  command -v redis-server >/dev/null || fail "redis-server not found (Debian: apt-get install redis-server)"
  root=$work/redis-rootfs
  mkdir -p "$root/usr/bin" "$root/bin" "$root/etc" "$root/data"
  cp -L "$(command -v redis-server)" "$(command -v redis-cli)" "$root/usr/bin/"
  cp -L /bin/sh "$root/bin/sh"
  for lib in $(ldd "$root/usr/bin/redis-server" "$root/usr/bin/redis-cli" "$root/bin/sh" |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/lib/ { print $1 }' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  echo 'redis:x:999:999::/data:/sbin/nologin' >"$root/etc/passwd"
  # The official image's entrypoint runs the given command; its build turns
  # protected mode off, so other containers may connect.
  cat >"$work/Containerfile.redis" <<'EOF'
FROM scratch
COPY . /
USER 999:999
WORKDIR /data
ENTRYPOINT ["/bin/sh", "-c", "exec \"$@\" --protected-mode no", "--"]
CMD ["redis-server"]
EOF
  standin=localhost/redis:7
  "${podman[@]}" build -q -t "$standin" -f "$work/Containerfile.redis" "$root" >/dev/null
fi

read -r OTP_PORT_1 OTP_PORT_2 <<<"$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*(x.getsockname()[1] for x in s))')"
export OTP_PORT_1 OTP_PORT_2
echo "== podman-compose up: otp-server-1 on 127.0.0.1:$OTP_PORT_1, otp-server-2 on 127.0.0.1:$OTP_PORT_2, redis"
# Left out: podman 4.3's complaints that this machine has no systemd (for
# health timers) and no syslog (for the network's DNS server).
"${compose[@]}" up -d 2> >(grep -v -e 'systemd connection' -e 'connect to syslog' >&2) >/dev/null
ONE=http://127.0.0.1:$OTP_PORT_1
TWO=http://127.0.0.1:$OTP_PORT_2
for base in "$ONE" "$TWO"; do
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "$base/health/ready" || {
    "${compose[@]}" logs >&2 || true
    fail "$base is not ready"
  }
done
for service in otp-server-1 otp-server-2; do
  container=$("${podman[@]}" ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$service")
  [ -n "$container" ] || fail "no container for $service"
  "${podman[@]}" healthcheck run "$container" >/dev/null || fail "$service: the image's HEALTHCHECK failed"
done

# status WANT METHOD URL CURL_ARGS...: the status must be WANT; body in $work/body.
status() {
  local want=$1 method=$2 url=$3 got
  shift 3
  got=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$@" "$url")
  [ "$got" = "$want" ] || fail "$method $url: $got, expected $want: $(head -c 300 "$work/body")"
}

echo "-- RAO: token and generate through one, OTP from two's outbox, validate through two"
status 204 POST "$ONE/sandbox/v1/reset" -H "Content-Type: application/json"
status 200 POST "$ONE/api/v1/oauth/token" -d grant_type=client_credentials -d client_id=sandbox -d client_secret=sandbox-secret
TOKEN=$(sed 's/.*"access_token":"\([^"]*\)".*/\1/' "$work/body")
RAO=/api/v1/x-global/account-opening/rao/security/tokens
H=(-H "client_id: sandbox" -H "Authorization: Bearer $TOKEN" -H "Accept: application/json"
  -H "uuid: 3f2b8c1e-0d4a-4b7e-9a61-1c2d3e4f5a6b" -H "Content-Type: application/json"
  -H "countryCode: MX" -H "businessCode: GCB" -H "channelId: MOBILE" -H "sid: compose-check")
PHONE=$(printf 5512345678 | base64)
status 204 POST "$ONE$RAO/generate" "${H[@]}" -d "{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}"
status 200 GET "$TWO/sandbox/v1/sms?to=%2B525512345678"
OTP=$(sed 's/.*"otp":"\([0-9]*\)".*/\1/' "$work/body")
status 204 POST "$TWO$RAO/validate" "${H[@]}" -d "{\"encryptedOtpToken\":\"$(printf %s "$OTP" | base64)\",\"phone\":{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$PHONE\"}}"
status 200 POST "$ONE$RAO/certified-phone" "${H[@]}"

echo "-- telemarketing: generate through two, OTP from one's outbox, validate through one"
TM=/api/v1/x-global/security/tele-marketing/otp
T=(-H "client_id: sandbox" -H "Authorization: Bearer $TOKEN" -H "uuid: a7d1e304-83a9-4413-af97-62615e57eae6"
  -H "Content-Type: application/json" -H "Accept-Language: en-US"
  -H "countryCode: MX" -H "businessCode: GCB" -H "channelId: IVR")
curl -s -D "$work/headers" -o /dev/null "${T[@]}" "$TWO$TM/generate" \
  -d '{"customerId":"compose_check","phoneNumber":"1111214678","messagePrefix":"Code","messageSuffix":"Bye"}'
SID=$(tr -d '\r' <"$work/headers" | sed -n 's/^sid: //Ip')
[ -n "$SID" ] || fail "telemarketing generate through two: $(head -n1 "$work/headers")"
status 200 GET "$ONE/sandbox/v1/sms?to=1111214678"
OTP=$(sed 's/.*"otp":"\([0-9A-Z]*\)".*/\1/' "$work/body")
status 200 POST "$ONE$TM/validate" "${T[@]}" -H "sid: $SID" -d "{\"customerId\":\"compose_check\",\"oneTimePasswordToken\":\"$OTP\"}"

# Skipped: contract.envelope's 200 KiB body through a published port. The
# server answers 400 before reading it all and closes; through podman's port
# forwarding the kit's client then fails writing the body (broken pipe)
# before reading that answer, in about 1 run of 4 (never on loopback, where
# check-image runs the whole kit; curl always reads the 400 here).
echo "-- conformance kit against otp-server-2 (contract.envelope skipped: see the script)"
"$kit" conform --target "$TWO" --skip contract.envelope >"$work/conform.out" 2>/dev/null || {
  cat "$work/conform.out" >&2
  fail "otp-server-2 does not conform"
}
tail -n1 "$work/conform.out"

echo "check-compose: compose.yaml passed (two instances on one Redis, ${standin:+stand-in }redis:7) in $(($(date +%s) - started)) s"
