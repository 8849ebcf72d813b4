#!/usr/bin/env bash
# make check-readme: README.md's shell snippets, run as a reader pastes them,
# and every relative path the README (and the docs it leans on) names.
#
#   scripts/with-sandbox.sh scripts/readme-snippets.sh   (as `make test` does)
#   scripts/readme-snippets.sh BASE_URL                  a running sandbox
#   scripts/readme-snippets.sh --paths                   the path check alone
#
# The conventions, for whoever writes README.md:
#
# - Every ```sh block runs, in the README's order, in ONE bash session from
#   the repository's root (the blocks build on each other, as they do in a
#   reader's terminal), with `set -e -o pipefail`: a command that fails
#   fails the check, which names the block and the README line and shows
#   the block's output. `bash`, `shell` and `zsh` blocks are refused: one
#   word for "this runs".
# - A block that cannot run here (it serves until stopped, or needs a bank,
#   a Redis Cluster or your secrets) stays ```sh, so it reads and copies like
#   the others, and is marked on the line right above its fence:
#       <!-- check-readme: skip, REASON -->
#   Output is fenced ```text, ```console, ```toml or bare ``` and never runs.
# - Addresses: a block names a server's address on a line of its own,
#   `B=http://127.0.0.1:8080` (the sandbox `make run` starts) or, for a
#   server the block starts itself, `NAME=http://127.0.0.1:PORT`, and uses
#   the variable from then on. These lines are the only ones the check
#   changes: B becomes BASE_URL (the fresh sandbox of with-sandbox.sh), any
#   other NAME a free port. An address written anywhere else in a block
#   (127.0.0.1:PORT, localhost:PORT) is refused.
# - A comment that starts with a status, `# 204` or `# 400 OTP Token
#   Expired`, at the end of a curl command is checked: that curl must get
#   that HTTP status. To see it, the check calls curl through a shell
#   function that adds `-D FILE` (the response head, written aside);
#   nothing else of the command changes.
# - Paths: every relative link of README.md, docs/CONFIG.md, docs/PACT.md
#   and specs/NORMALIZATION.md must name a file or folder of the repository
#   (tracked, or new and not ignored), and its #anchor a heading there;
#   every `code span` path that starts with a top-level file or folder of
#   the repository, or ends in .md, and every other NAME.md must exist.
#   A path whose first folder is not in the repository (target/, .tools/:
#   build output) is not checked.
#
# Each block's output: target/readme-snippets/block-N.log.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 BASE_URL | --paths" >&2; exit 2; }
[ $# -eq 1 ] || usage
base=${1%/}
out=target/readme-snippets
rm -rf "$out"
mkdir -p "$out"
started=$SECONDS

# Parse README.md: the path check, then the runner script for the blocks.
status=0
python3 - "$base" "$out" README.md docs/CONFIG.md docs/PACT.md specs/NORMALIZATION.md <<'PY' || status=$?
import os, re, socket, subprocess, sys

base, out, readme, *docs = sys.argv[1:]
errors = []

def fences(lines):
    """(info, open line, close line, marker reason) per fenced block; 1-based."""
    blocks, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+|~~~+)\s*([^\s`]*)", lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group(2), m.group(3), i
        i += 1
        while i < len(lines) and not re.match(r"^\s*" + re.escape(fence[0]) + "{%d,}\\s*$" % len(fence), lines[i]):
            i += 1
        above = lines[start - 1] if start > 0 else ""
        skip = re.match(r"^<!--\s*check-readme:\s*skip\b[\s,:;-]*(.*?)\s*-->\s*$", above)
        blocks.append((info, start + 1, i + 1, skip.group(1) if skip else None))
        i += 1
    return blocks

def slugs(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    inside, seen, found = set(), {}, set()
    for info, a, b, _ in fences(lines):
        inside.update(range(a, b + 1))
    for n, line in enumerate(lines, 1):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and n not in inside:
            s = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            found.add(s if s not in seen else f"{s}-{seen[s]}")
            seen[s] = seen.get(s, 0) + 1
    return found

# --- paths -------------------------------------------------------------
listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                        capture_output=True, check=True).stdout.decode().split("\0")
files = {f for f in listed if f and os.path.exists(f)}
dirs = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
top = {f.split("/")[0] for f in files}
names = {os.path.basename(f) for f in files}

def exists(path):
    return path.rstrip("/") in files | dirs

for doc in [readme] + docs:
    if not os.path.exists(doc):
        continue
    lines = open(doc, encoding="utf-8").read().split("\n")
    inside = set()
    for info, a, b, _ in fences(lines):
        inside.update(range(a, b + 1))
    here = os.path.dirname(doc)
    for n, line in enumerate(lines, 1):
        if n in inside:
            continue
        missing = []  # each path once per line, however many times it is named
        def need(path, ok):
            if not ok and path not in missing:
                missing.append(path)
        for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", line):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(here, path)) if path else doc
            if full.startswith(".."):
                errors.append(f"{doc}:{n}: the link {target} points outside the repository")
                continue
            need(full, exists(full))
            if exists(full) and anchor and full.endswith(".md") and anchor not in slugs(full):
                errors.append(f"{doc}:{n}: the link {target}: {full} has no heading #{anchor}")
        for span in re.findall(r"`([^`\s]+)`", line):
            if not re.match(r"^\.?[A-Za-z0-9_][A-Za-z0-9_.\-/]*$", span):
                continue
            if span.split("/")[0] in top or span.endswith(".md"):
                need(span.rstrip("/"), exists(span) if "/" in span else span in names)
        for word in re.findall(r"(?<![\w/.:`-])([A-Za-z0-9_][\w./-]*\.md)(?![\w`-])", line):
            need(word, exists(word) if "/" in word else word in names)
        errors.extend(f"{doc}:{n}: {path} is not in the repository" for path in missing)

# --- the runner ---------------------------------------------------------
# runner.sh: line 1 sources prelude.sh, lines 2-3 declare what the README's
# lines expect, the blocks follow from line 4 (BASH_LINENO and LINENO count
# runner.sh's lines; __readme maps them back to README.md's).
lines = open(readme, encoding="utf-8").read().split("\n")
address_line = re.compile(r"^([A-Z_][A-Z0-9_]*)=http://127\.0\.0\.1:([0-9]+)\s*(#.*)?$")
loose_address = re.compile(r"(127\.0\.0\.1|localhost):[0-9]+")
status_comment = re.compile(r"\s#\s*([1-5][0-9][0-9])(?![0-9])[^#]*$")
body, readme_of, expect, ports = [], {}, {}, {}
runner_line = lambda: 4 + len(body)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

blocks = fences(lines)
for n, line in enumerate(lines, 1):
    if re.match(r"^<!--\s*check-readme", line) and not any(a == n + 1 and info == "sh" for info, a, _, _ in blocks):
        errors.append(f"{readme}:{n}: a check-readme marker must sit right above a ```sh fence")
number = 0
for info, start, end, skip in blocks:
    if info in ("bash", "shell", "zsh"):
        errors.append(f"{readme}:{start}: a ```{info} block: fence it ```sh (it runs) or mark it skipped")
    if info != "sh":
        continue
    if skip is not None:
        if not skip:
            errors.append(f"{readme}:{start - 1}: say why the block is skipped: <!-- check-readme: skip, REASON -->")
        continue
    number += 1
    body.append(f"__begin {number} {start} {end}")
    at, checked = {}, []
    for n in range(start + 1, end):
        text = lines[n - 1]
        m = address_line.match(text)
        if m:
            name, port = m.group(1), m.group(2)
            if name == "B" and port != "8080":
                errors.append(f"{readme}:{n}: B is the sandbox of `make run`: B=http://127.0.0.1:8080")
            if name == "B":
                text = f"B={base}"
            else:
                ports.setdefault(port, free_port())
                text = f"{name}=http://127.0.0.1:{ports[port]}"
        elif loose_address.search(text):
            errors.append(f"{readme}:{n}: an address inside a command: set it on a line of its own "
                          "(B=http://127.0.0.1:8080 or NAME=http://127.0.0.1:PORT) and use the variable")
        at[n] = runner_line()
        s = status_comment.search(text)
        if s:
            first = n
            while first > start + 1 and lines[first - 2].rstrip().endswith("\\"):
                first -= 1
            command = " ".join(lines[k - 1] for k in range(first, n + 1))
            if re.search(r"(^|[\s($])curl\s", command):
                expect[at[first]] = f"{s.group(1)}:{n}"
                checked.append(str(at[first]))
            else:
                errors.append(f"{readme}:{n}: a status comment on a command that runs no curl")
        readme_of[runner_line()] = n
        body.append(text)
    body.append(f"__end '{' '.join(checked)}'")

if errors:
    print("\n".join(f"check-readme: {e}" for e in errors), file=sys.stderr)
if base == "--paths":
    sys.exit(1 if errors else 0)
with open(os.path.join(out, "runner.sh"), "w") as f:
    f.write(f'source "{out}/prelude.sh"\n')
    f.write("declare -A __expect=(" + " ".join(f"[{k}]='{v}'" for k, v in expect.items()) + ")\n")
    f.write("declare -A __readme=(" + " ".join(f"[{k}]={v}" for k, v in readme_of.items()) + ")\n")
    f.write("\n".join(body) + "\n")
sys.exit(1 if errors else 0)
PY
[ "$base" = --paths ] && exit $status

# What runner.sh runs first: strict mode, where a failure is reported, the
# curl that records statuses, and a clean-up of what the blocks left running.
cat >"$out/prelude.sh" <<'SH'
set -eE -o pipefail
__out=target/readme-snippets
__block=0
exec 3>&1 4>&2
__begin() { # NUMBER FENCE-LINE CLOSE-LINE
  __block=$1
  exec >"$__out/block-$1.log" 2>&1
  printf 'check-readme: block %s (README.md:%s-%s)\n' "$1" "$2" "$3" >&3
}
__show() { awk '{ print "    | " $0 }' "$__out/block-$__block.log" >&4; }
__report() { # MESSAGE: once, with the block's output (a subshell's failure fails its caller too)
  [ -e "$__out/failed" ] && return
  : >"$__out/failed"
  __show
  echo "check-readme: block $__block FAILED at $1" >&4
}
__failed() { # STATUS RUNNER-LINE COMMAND
  __report "README.md:${__readme[$2]:-?} (exit $1): $3"
  exit "$1"
}
trap '__failed $? $LINENO "$BASH_COMMAND"' ERR
trap 'jobs -p | xargs -r kill 2>/dev/null || true' EXIT
# curl with -D (the response head, aside): a `# NNN` comment is checked.
curl() {
  local line=${BASH_LINENO[0]} rc=0 head got want
  head=$(mktemp "$__out/head.XXXXXX")
  command curl -D "$head" "$@" || rc=$?
  got=$(sed -n 's/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$head" | tail -n 1)
  rm -f "$head"
  want=${__expect[$line]:-}
  if [ -n "$want" ]; then
    echo "$line" >>"$__out/checked"
    if [ "${got:-none}" != "${want%%:*}" ]; then
      __report "README.md:${want#*:}: the comment says ${want%%:*}, the server answered ${got:-nothing}"
      return 1
    fi
  fi
  return $rc
}
__end() { # RUNNER-LINES whose status comment must have been checked
  local line
  for line in $1; do
    grep -qx "$line" "$__out/checked" 2>/dev/null && continue
    __report "README.md:${__expect[$line]#*:}: no curl ran on the line whose comment says ${__expect[$line]%%:*}"
    exit 1
  done
}
SH

ran=0
if [ -f "$out/runner.sh" ]; then
  bash "$out/runner.sh" || ran=$?
fi
blocks=$(grep -c '^__begin ' "$out/runner.sh" 2>/dev/null || true)
if [ $status -ne 0 ] || [ $ran -ne 0 ]; then
  echo "check-readme: FAILED (logs: $out/)" >&2
  exit 1
fi
echo "check-readme: the ${blocks} sh blocks of README.md ran against $base in $((SECONDS - started)) s; every path it names exists"
