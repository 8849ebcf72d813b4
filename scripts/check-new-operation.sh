#!/usr/bin/env bash
# The "adding an operation" recipe of docs/ARCHITECTURE.md, proved on a
# throw-away copy of the repository: add an operation to a copy of
# specs/rao-token-management.yaml, `make generate` it, implement the one new
# method of the generated Api trait, build, and check over HTTP that the
# rest of the server serves it with no other edit: routed (and 405 for
# another method), gated (400 naming a missing header), its documented
# errors rendered and forced by `Prefer`, its success, its metrics label.
# Last, the copy must differ from the original only in the spec,
# generated/ and src/impl/rao.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
copy="$tmp/repo"
mkdir -p "$copy"
git ls-files -z --cached --others --exclude-standard | (cd "$root" && xargs -0 cp --parents -t "$copy")
cp -a "$copy" "$tmp/original"

echo "== 1. the spec: a new operation, getRaoOtpStatus"
python3 - "$copy/specs/rao-token-management.yaml" <<'EOF'
import sys
path = sys.argv[1]
spec = open(path).read()
headers = "".join(f"        - $ref: '#/parameters/{p}'\n" for p in
    ["client_id", "Authorization", "Accept", "uuid", "Accept-Language", "Content-Type",
     "countryCode", "businessCode", "channelId", "sid"])
errors = "".join(f"        \"{s}\":\n          $ref: '#/responses/{r}'\n" for s, r in
    [(400, "InvalidRequest"), (401, "UnAuthorized"), (403, "AccessNotConfigured"),
     (404, "ResourceNotFound"), (422, "BusinessValidationFailed"), (500, "ServerUnavailable")])
operation = f"""  /v1/x-global/account-opening/rao/security/tokens/status:
    post:
      operationId: getRaoOtpStatus
      summary: "Whether the session's phone is certified (throw-away recipe check)"
      parameters:
{headers}      responses:
        "204":
          x-response-id: Success
          description: The session has a certified phone.
{errors}"""
spec = spec.replace("\ndefinitions:\n", "\n" + operation + "definitions:\n", 1)
open(path, "w").write(spec)
EOF

echo "== 2. make generate"
(cd "$copy" && OPENAPI_GENERATOR="$root/.tools/venv/bin/openapi-generator-cli" scripts/generate.sh generated)

echo "== 3. the one new method of the generated trait, in src/impl/rao.rs"
python3 - "$copy/src/impl/rao.rs" <<'EOF'
import sys
path = sys.argv[1]
code = open(path).read()
method = """
    async fn get_rao_otp_status(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        _uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<rao_token_management::GetRaoOtpStatusResponse, RouterError> {
        let outcome = async {
            let client = admitted(context)?;
            let phone = self.app.rao().certified_phone(client, &sid).await;
            phone.map_err(failed(""))
        };
        let outcome = outcome.await;
        respond(context, outcome.map(|_| rao_token_management::GetRaoOtpStatusResponse::Success))
    }
"""
anchor = "impl Api<RequestContext> for RaoApi {\n"
assert anchor in code, "RaoApi's Api impl not found"
open(path, "w").write(code.replace(anchor, anchor + method, 1))
EOF

echo "== 4. build (in target/recipe: a copy must not share the main build's artifacts)"
(cd "$copy" && CARGO_TARGET_DIR="$root/target/recipe" cargo build --quiet --bin otp-server)
bin="$root/target/recipe/debug/otp-server"
log="$tmp/server.log"
"$bin" serve --listen 127.0.0.1:0 >"$log" 2>"$tmp/server.err" &
server=$!
for _ in $(seq 100); do
  base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "${base:-}" ] || { cat "$log" "$tmp/server.err" >&2; echo "the server did not start" >&2; exit 1; }

echo "== 5. the new operation, over HTTP"
fail() { echo "recipe check FAILED: $*" >&2; exit 1; }
token=$(curl -s -d grant_type=client_credentials -d client_id=sandbox -d client_secret=sandbox-secret \
  "$base/api/v1/oauth/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
rao="$base/api/v1/x-global/account-opening/rao/security/tokens"
h=(-H "client_id: sandbox" -H "Authorization: Bearer $token" -H "Accept: application/json"
   -H "uuid: 3f2b8c1e-0d4a-4b7e-9a61-1c2d3e4f5a6b" -H "Content-Type: application/json"
   -H "countryCode: MX" -H "businessCode: GCB" -H "channelId: MOBILE")
call() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
expect() { # expect STATUS JSON-FRAGMENT... -- curl args
  local status=$1; shift; local fragments=()
  while [ "$1" != "--" ]; do fragments+=("$1"); shift; done; shift
  local got; got=$(call "$@")
  [ "$got" = "$status" ] || fail "expected $status, got $got: $(cat "$tmp/body")"
  for f in "${fragments[@]}"; do grep -qF -- "$f" "$tmp/body" || fail "expected $f in $(cat "$tmp/body")"; done
}
expect 404 '"code":"resourceNotFound"' '"location":"sid"' -- "${h[@]}" -H "sid: recipe" -X POST "$rao/status"
expect 400 '"code":"invalidRequest"' '"location":"sid"' -- "${h[@]}" -X POST "$rao/status"
expect 422 '"code":"businessValidationFailed"' -- "${h[@]}" -H "sid: recipe" -H 'Prefer: error=businessValidationFailed' -X POST "$rao/status"
expect 405 '"code":"methodNotAllowed"' -- "${h[@]}" -H "sid: recipe" "$rao/status"
phone=$(printf 5599887766 | base64)
expect 204 -- "${h[@]}" -H "sid: recipe" "$rao/generate" -d "{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$phone\"}"
otp=$(curl -s "$base/sandbox/v1/sms?to=%2B525599887766" | sed 's/.*"otp":"\([0-9]*\)".*/\1/')
expect 204 -- "${h[@]}" -H "sid: recipe" "$rao/validate" \
  -d "{\"encryptedOtpToken\":\"$(printf %s "$otp" | base64)\",\"phone\":{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"$phone\"}}"
expect 204 -- "${h[@]}" -H "sid: recipe" -X POST "$rao/status"
# (Saved first: with pipefail, `curl | grep -q` fails when grep stops reading early.)
curl -s "$base/metrics" -o "$tmp/metrics"
grep -q 'operation="getRaoOtpStatus",status="204"' "$tmp/metrics" || fail "no metrics for getRaoOtpStatus"

echo "== 6. what changed: the spec, generated/ and src/impl/rao.rs, nothing else"
changed=$(diff -rq "$tmp/original" "$copy" | sed -e "s#$tmp/original/##" -e "s#$copy/##" \
  | grep -v -e '^Files specs/rao-token-management.yaml ' -e '^Files src/impl/rao.rs ' \
            -e '^Files generated/' -e '^Only in generated' || true)
[ -z "$changed" ] || fail "other files had to change: $changed"
kill "$server"; server=""
echo "recipe check passed: a new operation needed the spec, make generate and one trait method"
