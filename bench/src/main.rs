//! `make bench`: drives the baseline server, then otp-server on the memory
//! store and on Redis, with the same load generator in the same run, and
//! prints one table (also written as JSON under `target/bench/`). Then the
//! memory benchmark of the in-memory store.
//!
//! `scripts/bench.sh` pins this process to core 1; the servers it starts
//! (and Redis) are pinned to core 0 when the machine has two cores or more.

mod load;
mod memory;
mod procs;

use load::Scenario;
use procs::Process;
use serde::Serialize;
use std::time::Duration;

/// One row of the table.
#[derive(Serialize)]
struct Row {
    target: String,
    scenario: String,
    requests_per_s: f64,
    flows_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: u64,
    server_cpu_s: f64,
    server_peak_rss_mb: f64,
    ratio_to_baseline: f64,
}

struct Settings {
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    pinned: bool,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

async fn measure(
    target: &str,
    server: &Process,
    scenario: Scenario,
    s: &Settings,
    baseline: f64,
) -> anyhow::Result<Row> {
    let token = if scenario == Scenario::Baseline {
        String::new()
    } else {
        load::token(server.addr).await?
    };
    load::drive(server.addr, &token, scenario, s.concurrency, 0, s.warmup).await;
    let cpu_before = server.cpu_seconds();
    let mut measured = load::drive(
        server.addr,
        &token,
        scenario,
        s.concurrency,
        5_000_000,
        s.duration,
    )
    .await;
    let cpu = server.cpu_seconds() - cpu_before;
    measured.latencies_us.sort_unstable();
    if std::env::var_os("OTP_BENCH_DEBUG").is_some() {
        let total: u64 = measured.latencies_us.iter().map(|&l| l as u64).sum();
        eprintln!(
            "{} requests, mean {} us, busy {:.2} worker-seconds",
            measured.latencies_us.len(),
            total / measured.latencies_us.len().max(1) as u64,
            total as f64 / 1e6
        );
    }
    let seconds = s.duration.as_secs_f64();
    let rps = measured.latencies_us.len() as f64 / seconds;
    Ok(Row {
        target: target.into(),
        scenario: scenario.name().into(),
        requests_per_s: rps,
        flows_per_s: measured.flows as f64 / seconds,
        p50_ms: percentile(&measured.latencies_us, 0.50),
        p90_ms: percentile(&measured.latencies_us, 0.90),
        p99_ms: percentile(&measured.latencies_us, 0.99),
        max_ms: percentile(&measured.latencies_us, 1.0),
        errors: measured.errors,
        server_cpu_s: cpu,
        server_peak_rss_mb: server.peak_rss_kb() as f64 / 1024.0,
        ratio_to_baseline: if baseline > 0.0 { rps / baseline } else { 1.0 },
    })
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<9} {:<24} {:>9} {:>8} {:>7} {:>7} {:>7} {:>8} {:>6} {:>6} {:>8} {:>6}",
        "server",
        "scenario",
        "req/s",
        "flows/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "cpu s",
        "peak MB",
        "ratio"
    );
    for r in rows {
        println!(
            "{:<9} {:<24} {:>9.0} {:>8.0} {:>7.2} {:>7.2} {:>7.2} {:>8.2} {:>6} {:>6.2} {:>8.1} {:>6.2}",
            r.target, r.scenario, r.requests_per_s, r.flows_per_s, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms, r.errors,
            r.server_cpu_s, r.server_peak_rss_mb, r.ratio_to_baseline
        );
    }
}

async fn http_benchmarks(s: &Settings) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let baseline = Process::baseline(s.pinned)?;
    rows.push(measure("baseline", &baseline, Scenario::Baseline, s, 0.0).await?);
    drop(baseline);
    let ceiling = rows[0].requests_per_s;
    let scenarios = [Scenario::TmGenerate, Scenario::TmFlow, Scenario::RaoFlow];
    for scenario in scenarios {
        let server = Process::otp_server("memory", s.pinned)?;
        rows.push(measure("memory", &server, scenario, s, ceiling).await?);
    }
    let redis = Process::redis(s.pinned)?;
    for scenario in scenarios {
        let server = Process::otp_server(&format!("redis://{}", redis.addr), s.pinned)?;
        rows.push(measure("redis", &server, scenario, s, ceiling).await?);
    }
    Ok(rows)
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = std::path::Path::new("target/bench");
    std::fs::create_dir_all(out)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if args.get(1).map(String::as_str) == Some("memory") {
        let report = runtime.block_on(memory::run(arg(&args, "--count", 1_000_000) as usize))?;
        std::fs::write(
            out.join("memory.json"),
            serde_json::to_string_pretty(&report)?,
        )?;
        return Ok(());
    }
    let settings = Settings {
        concurrency: arg(&args, "--concurrency", 64) as usize,
        warmup: Duration::from_secs(arg(&args, "--warmup", 2)),
        duration: Duration::from_secs(arg(&args, "--duration", 10)),
        pinned: procs::can_pin(),
    };
    println!(
        "{} connections, {} s warm-up, {} s measured; {}",
        settings.concurrency,
        settings.warmup.as_secs(),
        settings.duration.as_secs(),
        if settings.pinned {
            "servers (and Redis) pinned to core 0, load generator to core 1"
        } else {
            "not pinned (one core, or no taskset)"
        }
    );
    let rows = runtime.block_on(http_benchmarks(&settings))?;
    print_table(&rows);
    std::fs::write(out.join("http.json"), serde_json::to_string_pretty(&rows)?)?;
    println!("written: target/bench/http.json");
    Ok(())
}
