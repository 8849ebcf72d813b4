#!/usr/bin/env python3
"""Groups a profile's self cost into buckets (allocation, memcpy, JSON,
hashing, logging, hyper, …) and lists its top functions.

  scripts/profile-buckets.py callgrind FILE [--top N] [--per N]
      a callgrind dump (make bench-instructions keeps them in
      target/bench/callgrind/); self cost from `callgrind_annotate
      --inclusive=no`, inclusive from `--inclusive=yes`; `--per N` also
      shows each bucket's instructions divided by N (the requests).
  scripts/profile-buckets.py perf FILE [--top N]
      a `perf record -e cpu-clock` data file; self samples from
      `perf report --no-children`.

A function's self cost goes to the first bucket whose pattern matches its
source file (inlined code keeps its own file, so serde_json inlined into a
handler still counts as JSON) or, failing that, its name. Standard-library
files (core, alloc, std) say nothing of what the work is for, so for them
only the name counts.
"""
import re
import subprocess
import sys
from collections import defaultdict

# (bucket, pattern on the file path, pattern on the function name); first match wins.
BUCKETS = [
    ("hashing (SHA-256, HMAC)", r"/(sha2|hmac|digest|block-buffer)-", r"^(sha2|hmac|digest|block_buffer)::|^ring::(digest|hmac)::|_sha256_block_data_order|otp_server::crypto::(keys|Keys|sha256)|Sha256"),
    ("AES-GCM", r"/(aes|aes-gcm|ghash|polyval|ctr|cipher|aead)-\d", r"^<?(aes|aes_gcm|ghash|polyval|ctr|cipher|aead)::|otp_server::cipher::"),
    ("allocation (malloc/free/realloc, mimalloc)", r"/malloc/|mimalloc", r"^(_?mi_|mi_|malloc|free|realloc|calloc|_int_malloc|_int_free|_int_realloc|malloc_consolidate|unlink_chunk|tcache|__libc_malloc|__libc_free|cfree)|__rdl_|__rust_(alloc|dealloc|realloc)|alloc::raw_vec::|RawVecInner|finish_grow|do_reserve_and_handle|<alloc::alloc::Global|alloc::alloc::"),
    ("memmove/memcpy/memset", r"memmove|memcpy|memset", r"^__mem(move|cpy|set)|^mem(move|cpy|set)"),
    ("regex", r"/(regex|regex-automata|regex-syntax|aho-corasick)-", r"^<?(regex|regex_automata|regex_syntax|aho_corasick)::"),
    ("JSON (serde/serde_json)", r"/(serde_json|serde|serde_core|serde_derive|itoa|ryu)-", r"serde_json::|serde_core::|^<?serde::|itoa::|ryu::|__serde|Deserialize|Serialize"),
    ("tracing/logging", r"/(tracing|tracing-core|tracing-subscriber|sharded-slab|thread_local|nu-ansi-term|tracing-log|tracing-serde)-", r"tracing::|tracing_core::|tracing_subscriber::|sharded_slab::|thread_local::|otp_server::observe::with_note|RequestNote"),
    ("metrics", r"/(metrics|metrics-exporter-prometheus|metrics-util|quanta|portable-atomic)-", r"^<?(metrics|metrics_exporter_prometheus|metrics_util|quanta)::|otp_server::observe::Metrics|otp_server::observe::Handles"),
    ("formatting (core::fmt)", None, r"core::fmt::|alloc::fmt::|<&mut W as core::fmt::Write>|as core::fmt::Write>|as core::fmt::Display>|as core::fmt::Debug>|pad_integral|fmt::format|alloc::string::ToString|to_string"),
    ("webhook client (its pool, hyper's client side)", r"/hyper-util-[0-9.]+/src/client/|/hyper-[0-9.]+/src/client/", r"hyper_util::client::|^<?hyper::client::|otp_server::sms::webhook::"),
    ("hyper/http parsing", r"/(hyper|hyper-util|httparse|http|http-body|http-body-util|h2|want|try-lock|bytes)-\d", r"^<?(hyper|hyper_util|httparse|http|http_body|http_body_util|want|bytes)::|<bytes::"),
    ("generated router", r"/generated/", r"^<?(telemarketing_otp|rao_token_management|oauth_token|swagger)::"),
    ("contract gate", r"/src/(contract|server/gate)", r"otp_server::contract::|otp_server::server::gate"),
    ("tokio/mio/futures", r"/(tokio|mio|futures-\w+|futures|parking_lot\w*|pin-project-lite|async-trait)-\d", r"^<?(tokio|mio|futures_util|futures_core|futures|parking_lot|parking_lot_core)::"),
    ("hash maps (SipHash, hashbrown, indexmap)", r"/(hashbrown|indexmap|ahash|foldhash)-|/hash/sip\.rs", r"hashbrown::|indexmap::|core::hash::sip|RandomState|BuildHasher|Hasher>::write"),
    ("UTF-8 and str scans (core::str, memchr)", r"/library/core/src/str/|/memchr-", r"core::str::|core::slice::memchr|memchr::|from_utf8"),
    ("otp-server store", r"/src/store/", r"otp_server::store::"),
    ("randomness", r"/(getrandom|rand\w*)-", r"getrandom|otp_server::crypto::random"),
    ("base64", r"/base64-", r"^<?base64::"),
    ("time/clock", r"/(chrono)-", r"chrono::|clock_gettime|__vdso|otp_server::clock::|Timespec|std::time::"),
    ("redis client", r"/(redis|combine)-", r"^<?(redis|combine)::"),
    ("libc (syscalls, string, other)", None, r"^(__GI_|__libc_|epoll_|__memcmp|__strlen|__strchr|__memchr|__send|__recv|__read|__write|write|read|send|recv|syscall|pthread_|__lll|__pthread|__futex|clock_gettime|__clock_gettime|__mem)"),
    ("otp-server (other)", r"/wt-[^/]+/src/|/otp-server/src/", r"otp_server::"),
]
# Parts of a request measured by their entry point's inclusive cost.
FEATURES = [
    ("hyper: read and parse the request head", r"^hyper::proto::h1::conn::Conn<I,B,T>::poll_read_head$"),
    ("edge: after the head, the whole answer (route, gate, handler)", r"^otp_server::server::edge::(handle|dispatch)::\{\{closure\}\}$"),
    ("edge: finish (metrics, request log line)", r"^otp_server::server::edge::finish$"),
    ("route lookup (Contract::route)", r"^otp_server::contract::Contract::route$"),
    ("contract gate (gate::admit: headers, body schema, token)", r"^otp_server::server::gate::admit$"),
    ("  of which bearer token check (Tokens::verify)", r"^otp_server::auth::(tokens::)?Tokens::verify$"),
    ("generated router handlers (incl. the API impl; summed over operations)", r"^(telemarketing_otp|rao_token_management|oauth_token)::server::handle_[a-z_]+::\{\{closure\}\}$"),
    ("  of which the API impl (summed over operations)", r"^<otp_server::impl::\w+::\w+ as \w+::Api<"),
    ("keyed digests (Keys::digest, HMAC-SHA256)", r"^otp_server::crypto::keys::Keys::digest$"),
    ("issue: store step and SMS (Issuer::issue)", r"^otp_server::otp::issuer::Issuer::issue::\{\{closure\}\}$"),
    ("store step (MeteredStore, summed over operations)", r"^<otp_server::store::metered::MeteredStore as otp_server::store::\w+>::\w+::\{\{closure\}\}$"),
    ("SMS webhook (WebhookGateway::send)", r"^<otp_server::sms::webhook::WebhookGateway as otp_server::sms::SmsGateway>::send::\{\{closure\}\}$"),
    ("request log line (tracing Event::dispatch)", r"^tracing_core::event::Event::dispatch$"),
    ("metrics (request_done)", r"^otp_server::observe::Metrics::request_done$"),
    ("AES-GCM open", r"^otp_server::cipher::Cipher::open$"),
]
STD_FILE = re.compile(r"/library/(core|alloc|std)/|^\./|\?\?\?")
COMPILED = [(b, re.compile(f) if f else None, re.compile(n)) for b, f, n in BUCKETS]
# Frames whose inclusive cost is the whole thread: not worth listing.
RUNTIME_FRAME = re.compile(
    r"^(clone|start_thread|std::sys::|core::ops::function|tokio::runtime::(context|scheduler|task|blocking|park|driver)|std::thread|<std::sys|tokio::runtime::runtime|<core::pin::Pin<P> as core::future::future::Future>::poll|std::panic|__rust_try|<tokio::runtime::blocking::task::BlockingTask)"
)


def bucket(path, function):
    if path and not STD_FILE.search(path):
        for name, file_re, _ in COMPILED:
            if file_re and file_re.search(path):
                return name
    for name, _, name_re in COMPILED:
        if name_re.search(function):
            return name
    return "other"


LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$")


def callgrind(file, inclusive):
    out = subprocess.run(
        ["callgrind_annotate", "--auto=no", "--threshold=100", f"--inclusive={inclusive}", file],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        m = LINE.match(line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        cost = int(m.group(1).replace(",", ""))
        where = re.sub(r"\s+\[[^\]]*\]$", "", m.group(2))
        path, _, function = where.partition(":")
        rows.append((cost, path, function))
    total = next(
        int(l.split()[0].replace(",", ""))
        for l in out.splitlines()
        if "PROGRAM TOTALS" in l
    )
    return rows, total


def perf(file):
    out = subprocess.run(
        ["perf", "report", "-i", file, "--stdio", "--no-children", "--sort", "dso,sym", "-g", "none", "--percent-limit", "0"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"^\s*([\d.]+)%\s+(\S+)\s+\[([.k])\]\s+(.*?)\s*$", line)
        if m:
            dso, kind, sym = m.group(2), m.group(3), m.group(4)
            if kind == "k":
                sym = "[kernel] " + sym
            rows.append((float(m.group(1)), dso, sym))
    return rows, 100.0


def merge(rows):
    """Self cost per function (callgrind splits a function by inlined file)."""
    by_fn = defaultdict(float)
    for cost, path, function in rows:
        by_fn[function] += cost
    return sorted(by_fn.items(), key=lambda kv: -kv[1])


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in ("callgrind", "perf"):
        sys.exit(__doc__)
    kind, file = args[0], args[1]
    top = int(args[args.index("--top") + 1]) if "--top" in args else 25
    per = int(args[args.index("--per") + 1]) if "--per" in args else 0
    rows, total = callgrind(file, "no") if kind == "callgrind" else perf(file)
    buckets = defaultdict(float)
    for cost, path, function in rows:
        if kind == "perf":
            if path.startswith("[kernel") or function.startswith("[kernel]"):
                buckets["kernel (syscalls, network stack)"] += cost
                continue
        buckets[bucket(path, function)] += cost
    unit = "instructions" if kind == "callgrind" else "% of samples"
    print(f"self cost by bucket ({file}; total {total:,.0f} {unit})")
    for name, cost in sorted(buckets.items(), key=lambda kv: -kv[1]):
        extra = f" {cost / per:>9,.0f}/req" if per else ""
        print(f"  {100 * cost / total:5.1f}%{extra}  {name}")
    if top > 0:
        print(f"\ntop {top} functions by self cost")
    files, biggest = {}, defaultdict(float)
    for cost, path, function in rows:
        if cost > biggest[function]:
            files[function], biggest[function] = path, cost
    for function, cost in merge(rows)[:top]:  # none when top is 0
        label = "kernel" if function.startswith("[kernel]") else bucket(files[function], function)
        print(f"  {100 * cost / total:5.1f}%  [{label}] {function[:150]}")
    if kind == "callgrind":
        inclusive, _ = callgrind(file, "yes")
        print("\nparts of a request, inclusive (the largest matching frame; they overlap)")
        for label, pattern in FEATURES:
            # Per function, its largest entry: callgrind_annotate also lists a
            # function's inlined parts by their own files, within that entry.
            found = defaultdict(float)
            for c, _, f in inclusive:
                if re.search(pattern, f):
                    found[f] = max(found[f], c)
            if found:
                # Distinct operations' handlers do not nest: they add up.
                cost = sum(found.values()) if "summed" in label else max(found.values())
                extra = f" {cost / per:>9,.0f}/req" if per else ""
                print(f"  {100 * cost / total:5.1f}%{extra}  {label}")
        seen = set()
        if top > 0:
            print(f"\ntop {top} functions by inclusive cost (thread and runtime frames left out)")
        shown = 0
        for cost, path, function in sorted(inclusive, key=lambda r: -r[0]):
            if shown >= top:
                break
            if function in seen or RUNTIME_FRAME.search(function):
                continue
            seen.add(function)
            print(f"  {100 * cost / total:5.1f}%  {function[:150]}")
            shown += 1


if __name__ == "__main__":
    main()
