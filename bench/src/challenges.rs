//! Memory per live RAO challenge through the whole server (`otp-bench
//! challenges`): `count` RAO generates with distinct phones and sessions,
//! one after another, against a native otp-server; on Redis, `INFO memory`
//! `used_memory` (and the key count) of the benchmark's own redis-server
//! before and after, divided by `count`; on the memory store, the server's
//! RSS before and after. Production mode (webhook SMS, no outbox) and the
//! sandbox config (whose outbox keeps each SMS too).

use crate::instructions::{Caller, Workload};
use crate::procs::{self, Mode, Process};
use crate::production::{Identity, Production, SmsRelay};
use serde::Serialize;
use std::path::Path;
use std::process::Command;

#[derive(Serialize)]
pub struct Report {
    pub mode: String,
    pub store: String,
    pub challenges: u64,
    /// Redis `used_memory`, or the server's RSS, before and after.
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub bytes_per_challenge: f64,
    /// Redis keys per challenge (0 on the memory store).
    pub keys_per_challenge: f64,
}

fn redis_cli(addr: std::net::SocketAddr, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("redis-cli")
        .args(["-h", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .args(args)
        .output()?;
    anyhow::ensure!(output.status.success(), "redis-cli {args:?} failed");
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `used_memory` and the key count of a redis-server.
fn redis_usage(addr: std::net::SocketAddr) -> anyhow::Result<(u64, u64)> {
    let info = redis_cli(addr, &["info", "memory"])?;
    let used = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no used_memory in INFO memory"))?;
    let keys = redis_cli(addr, &["dbsize"])?.trim().parse()?;
    Ok((used, keys))
}

/// A key as `redis-cli --no-raw` quotes it (`"otp:P\x1d..."`), as bytes.
fn unquote(line: &str) -> Vec<u8> {
    let inner = line
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or(line);
    let mut out = Vec::new();
    let mut bytes = inner.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'x') => {
                let pair: String = bytes.by_ref().take(2).map(char::from).collect();
                out.push(u8::from_str_radix(&pair, 16).unwrap_or(b'?'));
            }
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b't') => out.push(b'\t'),
            Some(b'a') => out.push(7),
            Some(b'b') => out.push(8),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A key's shape: after the prefix, a binary name (a phone's record `P`,
/// a session `S`) is its letter and its length; in a text name, runs of
/// 8+ hex digits (digests) are `H`, other digit runs `N`.
fn shape(key: &[u8], prefix: &str) -> String {
    let name = key.strip_prefix(prefix.as_bytes()).unwrap_or(key);
    if let Ok(text) = std::str::from_utf8(name) {
        if name.len() > 1 && name[1..].iter().all(|b| b.is_ascii_graphic()) {
            return format!("{prefix}{}", text_shape(text));
        }
    }
    match name.split_first() {
        Some((letter, rest)) => format!("{prefix}{}<{} bytes>", *letter as char, rest.len()),
        None => prefix.to_owned(),
    }
}

fn text_shape(key: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 8 {
            out.push('H');
        } else if !run.is_empty() && run.bytes().all(|b| b.is_ascii_digit()) {
            out.push('N');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in key.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `redis-cli -x` with `args` after the address and `key`, which may hold
/// any byte (even NUL), as the last argument, read from stdin.
fn redis_cli_key(addr: std::net::SocketAddr, args: &[&str], key: &[u8]) -> anyhow::Result<String> {
    use std::io::Write;
    let mut child = Command::new("redis-cli")
        .args([
            "-h",
            &addr.ip().to_string(),
            "-p",
            &addr.port().to_string(),
            "-x",
        ])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    child.stdin.take().expect("piped").write_all(key)?;
    let output = child.wait_with_output()?;
    anyhow::ensure!(output.status.success(), "redis-cli {args:?} failed");
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Redis's own view: keys by shape, with `MEMORY USAGE` (key, value and
/// Redis's overhead for them) of up to 200 keys of each shape, and the type.
fn key_shapes(addr: std::net::SocketAddr) -> anyhow::Result<Vec<(String, usize, f64, String)>> {
    let keys = redis_cli(addr, &["--scan", "--no-raw"])?;
    let mut shapes: std::collections::BTreeMap<String, Vec<Vec<u8>>> = Default::default();
    for line in keys.lines() {
        let key = unquote(line);
        shapes.entry(shape(&key, "otp:")).or_default().push(key);
    }
    let mut out = Vec::new();
    for (shape, keys) in shapes {
        let sample = &keys[..keys.len().min(200)];
        let mut total = 0u64;
        for key in sample {
            total += redis_cli_key(addr, &["memory", "usage"], key)?
                .trim()
                .parse::<u64>()
                .unwrap_or(0);
        }
        let kind = redis_cli_key(addr, &["type"], &sample[0])?
            .trim()
            .to_owned();
        out.push((shape, keys.len(), total as f64 / sample.len() as f64, kind));
    }
    Ok(out)
}

fn rss_bytes(server: &Process) -> u64 {
    procs::procs_status_kb(&format!("/proc/{}/status", server.pid()), "VmRSS:") * 1024
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    binary: &Path,
    label: &str,
    mode: &Mode<'_>,
    identity: &Identity,
    relay: &SmsRelay,
    redis: Option<&Process>,
    count: u64,
    first: u64,
) -> anyhow::Result<Report> {
    let store = match redis {
        Some(redis) => format!("redis://{}", redis.addr),
        None => "memory".to_owned(),
    };
    let command = Process::command(binary.to_path_buf(), false);
    let server = Process::otp_server_in(command, &store, mode, Some("warn"))?;
    let mut caller = Caller::new(server.addr, identity, Some(relay), first).await?;
    // A few first, so that lazily built state is in "before".
    caller.requests(Workload::RaoGenerate, 100).await?;
    let usage = || match redis {
        Some(redis) => redis_usage(redis.addr),
        None => Ok((rss_bytes(&server), 0)),
    };
    let (before, keys_before) = usage()?;
    caller.requests(Workload::RaoGenerate, count).await?;
    let (after, keys_after) = usage()?;
    let report = Report {
        mode: label.into(),
        store: if redis.is_some() { "redis" } else { "memory" }.into(),
        challenges: count,
        bytes_before: before,
        bytes_after: after,
        bytes_per_challenge: after.saturating_sub(before) as f64 / count as f64,
        keys_per_challenge: keys_after.saturating_sub(keys_before) as f64 / count as f64,
    };
    println!(
        "{:<10} {:<6} {} live RAO challenges: {} {:.1} MB -> {:.1} MB = {:.0} bytes per challenge{}",
        report.mode,
        report.store,
        count,
        if redis.is_some() { "used_memory" } else { "server RSS" },
        before as f64 / 1e6,
        after as f64 / 1e6,
        report.bytes_per_challenge,
        if redis.is_some() {
            format!(", {:.1} keys per challenge", report.keys_per_challenge)
        } else {
            String::new()
        }
    );
    if let (Some(redis), "production") = (redis, label) {
        println!("  keys by shape (MEMORY USAGE, mean of up to 200 keys each):");
        for (shape, count, bytes, kind) in key_shapes(redis.addr)? {
            println!("    {count:>7} x {bytes:>5.0} B  {kind:<5} {shape}");
        }
    }
    Ok(report)
}

/// `redis_count` generates per Redis run, `memory_count` per memory-store run.
pub async fn run(
    binary: &Path,
    redis_count: u64,
    memory_count: u64,
) -> anyhow::Result<Vec<Report>> {
    let relay = SmsRelay::start().await?;
    let production = Production::new(&relay.url())?;
    let sandbox = Identity::sandbox();
    let redis = Process::redis(false)?;
    let prod = Mode::Production(&production);
    let identity = &production.identity;
    let mut reports = Vec::new();
    // Each run its own phones: a phone's record would otherwise be shared.
    reports.push(
        measure(
            binary,
            "production",
            &prod,
            identity,
            &relay,
            Some(&redis),
            redis_count,
            0,
        )
        .await?,
    );
    let first = 10_000_000;
    reports.push(
        measure(
            binary,
            "sandbox",
            &Mode::Sandbox,
            &sandbox,
            &relay,
            Some(&redis),
            redis_count,
            first,
        )
        .await?,
    );
    let first = 20_000_000;
    reports.push(
        measure(
            binary,
            "production",
            &prod,
            identity,
            &relay,
            None,
            memory_count,
            first,
        )
        .await?,
    );
    Ok(reports)
}
