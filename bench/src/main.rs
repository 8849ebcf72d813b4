//! `make bench`: drives the baseline server, then otp-server (sandbox mode:
//! OTPs read from the outbox) on the memory store and on Redis, with the
//! same load generator in the same run, and, when `.tools/node` holds it,
//! Stoplight Prism's mock of the telemarketing spec, and telemarketing
//! generate in production mode (`prod memory`, `prod redis`: webhook SMS to
//! a relay in this process; `prod log`: the log-only gateway, no relay);
//! prints one table per scenario and one per operation (also written as
//! JSON under `target/bench/`). The baseline keeps running: every other
//! row is measured in slices, each right after a slice of the baseline,
//! and its ratio is the median of the slices' (see `measure`). Then the memory
//! benchmark of the in-memory store (`memory`), memory per live RAO
//! challenge through the server (`challenges`), and, apart,
//! `instructions` (`make bench-instructions`).
//!
//! `scripts/bench.sh` pins this process to core 1; the servers it starts
//! (and Redis) are pinned to core 0 when the machine has two cores or more.
//! `--server PATH` benchmarks another otp-server binary (e.g. a build of an
//! earlier commit) with the same harness.

mod challenges;
mod instructions;
mod load;
mod memory;
mod procs;
mod production;

use load::{Measured, Scenario, Target};
use otp_server::cipher::Cipher;
use procs::{Mode, Process};
use production::{Production, SmsRelay};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// One row of the table.
#[derive(Serialize, Clone)]
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
    /// Requests per CPU second of the server process (Redis's not
    /// counted): what a request costs, less moved by a busy machine than
    /// requests/s.
    requests_per_cpu_s: f64,
    server_peak_rss_mb: f64,
    /// Requests/s over the baseline's: the median over the slices of the
    /// ratio to the baseline slice just before (0 without a baseline).
    ratio_to_baseline: f64,
    /// The same in requests per server CPU second.
    cpu_ratio_to_baseline: f64,
}

/// One operation's latencies within a scenario.
#[derive(Serialize)]
struct OperationRow {
    target: String,
    scenario: String,
    operation: String,
    requests_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

struct Settings {
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    pinned: bool,
    /// The otp-server binary under test.
    server: PathBuf,
    /// Prism's binary, when installed.
    prism: Option<PathBuf>,
    /// Only the runs whose "server scenario" contains this, or one of its
    /// comma-separated parts (profiling, a few ratios).
    only: Option<String>,
}

impl Settings {
    fn wants(&self, target: &str, scenario: Scenario) -> bool {
        let run = format!("{target} {}", scenario.name());
        // `--only A,B`: the runs containing A or B.
        self.only
            .as_ref()
            .is_none_or(|only| only.split(',').any(|part| run.contains(part)))
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

/// A run's rows: the scenario's, and one per operation.
struct Run {
    row: Row,
    operations: Vec<OperationRow>,
}

/// Slices of each measured row, each after a slice of the baseline.
const SLICES: u32 = 5;

/// The baseline server, kept running for the whole benchmark, and its load.
struct Baseline {
    server: Process,
    target: Arc<Target>,
}

/// The median of `values` (0 when empty).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Drives `target` with `scenario` after a warm-up, for the measured
/// duration cut in [`SLICES`]; with a `baseline`, each slice follows a
/// slice of the same length on the baseline server, and the row's ratio is
/// the median of the slices' ratios. A paired design: a neighbour's load
/// that comes and goes on a shared machine moves both sides of a pair,
/// where one baseline row at the start of the run would be compared with
/// rows measured minutes later.
async fn measure(
    label: &str,
    server: &Process,
    target: &Arc<Target>,
    scenario: Scenario,
    s: &Settings,
    baseline: Option<&Baseline>,
) -> anyhow::Result<Run> {
    load::drive(target, scenario, s.concurrency, 0, s.warmup).await;
    let slice = s.duration / SLICES;
    let mut measured = Measured::default();
    let mut cpu = 0.0;
    let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    for k in 0..u64::from(SLICES) {
        let paired = match baseline {
            Some(b) => {
                let cpu_before = b.server.cpu_seconds();
                let m = load::drive(&b.target, Scenario::Baseline, s.concurrency, 0, slice).await;
                Some((m.requests() as f64, b.server.cpu_seconds() - cpu_before))
            }
            None => None,
        };
        let cpu_before = server.cpu_seconds();
        // Fresh phones in every slice: the send limits never refuse one.
        let first = 5_000_000 + k * 1_000_000;
        let m = load::drive(target, scenario, s.concurrency, first, slice).await;
        let slice_cpu = server.cpu_seconds() - cpu_before;
        if let Some((bare, bare_cpu)) = paired {
            let ours = m.requests() as f64;
            if bare > 0.0 {
                ratios.push(ours / bare);
            }
            if bare_cpu > 0.0 && slice_cpu > 0.0 && bare > 0.0 {
                cpu_ratios.push((ours / slice_cpu) / (bare / bare_cpu));
            }
        }
        cpu += slice_cpu;
        measured.merge(m);
    }
    let seconds = (slice * SLICES).as_secs_f64();
    let rps = measured.requests() as f64 / seconds;
    let all = sorted(measured.latencies_us.values().flatten().copied().collect());
    let row = Row {
        target: label.into(),
        scenario: scenario.name().into(),
        requests_per_s: rps,
        flows_per_s: measured.flows as f64 / seconds,
        p50_ms: percentile(&all, 0.50),
        p90_ms: percentile(&all, 0.90),
        p99_ms: percentile(&all, 0.99),
        max_ms: percentile(&all, 1.0),
        errors: measured.errors,
        server_cpu_s: cpu,
        requests_per_cpu_s: if cpu > 0.0 {
            measured.requests() as f64 / cpu
        } else {
            0.0
        },
        server_peak_rss_mb: server.peak_rss_kb() as f64 / 1024.0,
        ratio_to_baseline: median(ratios),
        cpu_ratio_to_baseline: median(cpu_ratios),
    };
    let operations = operation_rows(label, scenario, &measured, seconds);
    Ok(Run { row, operations })
}

fn sorted(mut latencies: Vec<u32>) -> Vec<u32> {
    latencies.sort_unstable();
    latencies
}

fn operation_rows(
    label: &str,
    scenario: Scenario,
    measured: &Measured,
    seconds: f64,
) -> Vec<OperationRow> {
    let rows = measured.latencies_us.iter().map(|(op, latencies)| {
        let latencies = sorted(latencies.clone());
        OperationRow {
            target: label.into(),
            scenario: scenario.name().into(),
            operation: (*op).into(),
            requests_per_s: latencies.len() as f64 / seconds,
            p50_ms: percentile(&latencies, 0.50),
            p90_ms: percentile(&latencies, 0.90),
            p99_ms: percentile(&latencies, 0.99),
            max_ms: percentile(&latencies, 1.0),
        }
    });
    rows.collect()
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<12} {:<24} {:>9} {:>8} {:>7} {:>7} {:>7} {:>8} {:>6} {:>6} {:>9} {:>8} {:>6} {:>6}",
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
        "req/cpu-s",
        "peak MB",
        "ratio",
        "cpu r."
    );
    // A ratio of 0: no baseline in this run.
    let ratio = |r: f64| match r > 0.0 {
        true => format!("{r:.2}"),
        false => "-".to_owned(),
    };
    for r in rows {
        println!(
            "{:<12} {:<24} {:>9.0} {:>8.0} {:>7.2} {:>7.2} {:>7.2} {:>8.2} {:>6} {:>6.2} {:>9.0} {:>8.1} {:>6} {:>6}",
            r.target, r.scenario, r.requests_per_s, r.flows_per_s, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms, r.errors,
            r.server_cpu_s, r.requests_per_cpu_s, r.server_peak_rss_mb, ratio(r.ratio_to_baseline),
            ratio(r.cpu_ratio_to_baseline)
        );
    }
    println!(
        "ratio, cpu r.: each row against the baseline, in requests/s and in requests per server CPU \
         second; the median over {SLICES} slices, each against the baseline's slice just before it"
    );
}

fn print_operations(rows: &[OperationRow]) {
    println!(
        "{:<12} {:<24} {:<26} {:>9} {:>7} {:>7} {:>7} {:>8}",
        "server", "scenario", "operation", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for r in rows {
        println!(
            "{:<12} {:<24} {:<26} {:>9.0} {:>7.2} {:>7.2} {:>7.2} {:>8.2}",
            r.target,
            r.scenario,
            r.operation,
            r.requests_per_s,
            r.p50_ms,
            r.p90_ms,
            r.p99_ms,
            r.max_ms
        );
    }
}

/// The target for an otp-server process: a token for the sandbox client.
async fn otp_target(server: &Process) -> anyhow::Result<Arc<Target>> {
    Ok(Arc::new(Target {
        addr: server.addr,
        client: "sandbox",
        token: load::token(server.addr).await?,
        cipher: Cipher::Plain,
        base: "/api",
    }))
}

fn plain_target(server: &Process, base: &'static str) -> Arc<Target> {
    Arc::new(Target {
        addr: server.addr,
        client: "sandbox",
        // Prism only checks that a bearer token is there.
        token: "mock-token".into(),
        cipher: Cipher::Plain,
        base,
    })
}

async fn http_benchmarks(s: &Settings) -> anyhow::Result<Vec<Run>> {
    let mut runs = Vec::new();
    // Kept running to the end: every other row is measured in slices
    // alternating with slices of it.
    let baseline = match s.wants("baseline", Scenario::Baseline) {
        true => {
            let server = Process::baseline(s.pinned)?;
            let target = plain_target(&server, "");
            Some(Baseline { server, target })
        }
        false => None,
    };
    let ceiling = baseline.as_ref();
    if let Some(b) = ceiling {
        let mut run = measure(
            "baseline",
            &b.server,
            &b.target,
            Scenario::Baseline,
            s,
            None,
        )
        .await?;
        run.row.ratio_to_baseline = 1.0;
        run.row.cpu_ratio_to_baseline = 1.0;
        runs.push(run);
    }
    let scenarios = [Scenario::TmGenerate, Scenario::TmFlow, Scenario::RaoFlow];
    let redis = Process::redis(s.pinned)?;
    let stores = [
        ("memory", "memory".to_owned()),
        ("redis", format!("redis://{}", redis.addr)),
    ];
    for (label, store) in &stores {
        for scenario in scenarios.into_iter().filter(|sc| s.wants(label, *sc)) {
            let server = Process::otp_server(&s.server, store, s.pinned)?;
            let target = otp_target(&server).await?;
            runs.push(measure(label, &server, &target, scenario, s, ceiling).await?);
        }
    }
    // Production mode (webhook SMS to a relay in this process, so on the
    // load generator's core): telemarketing generate, which needs no OTP.
    // Then `prod log`: the same config with the log-only gateway, on the
    // memory store: the production core's own work, without the relay's
    // round trip (which the baseline, answering from memory, never makes).
    let relay = SmsRelay::start().await?;
    let production = Production::new(&relay.url())?;
    let log_only = Production::log_only()?;
    let memory = &stores[0].1;
    let prod = [
        ("prod memory", memory, &production),
        ("prod redis", &stores[1].1, &production),
        ("prod log", memory, &log_only),
    ];
    for (label, store, production) in prod {
        if !s.wants(label, Scenario::TmGenerate) {
            continue;
        }
        let command = Process::command(s.server.clone(), s.pinned);
        let mode = Mode::Production(production);
        let server = Process::otp_server_in(command, store, &mode, None)?;
        let identity = &production.identity;
        let target = Arc::new(Target {
            addr: server.addr,
            client: identity.client_id,
            token: load::token_for(server.addr, identity.client_id, &identity.secret).await?,
            cipher: identity.cipher.clone(),
            base: "/api",
        });
        runs.push(measure(label, &server, &target, Scenario::TmGenerate, s, ceiling).await?);
    }
    if let Some(prism) = s
        .prism
        .as_ref()
        .filter(|_| s.wants("prism", Scenario::PrismGenerate))
    {
        let spec = prism_spec()?;
        let server = Process::prism(prism, &spec, s.pinned)?;
        let target = plain_target(&server, "/api");
        runs.push(
            measure(
                "prism",
                &server,
                &target,
                Scenario::PrismGenerate,
                s,
                ceiling,
            )
            .await?,
        );
    }
    Ok(runs)
}

/// The telemarketing spec with its basePath folded into its paths (Prism
/// ignores Swagger 2.0's basePath), as JSON, in `target/bench/`.
fn prism_spec() -> anyhow::Result<PathBuf> {
    let text = std::fs::read_to_string("specs/telemarketing-otp.yaml")?;
    let mut spec: serde_json::Value = serde_yaml::from_str(&text)?;
    if let Some(paths) = spec
        .get("paths")
        .cloned()
        .and_then(|p| p.as_object().cloned())
    {
        let folded: serde_json::Map<String, serde_json::Value> = paths
            .into_iter()
            .map(|(path, item)| (format!("/api{path}"), item))
            .collect();
        spec["paths"] = serde_json::Value::Object(folded);
        spec.as_object_mut().map(|o| o.remove("basePath"));
    }
    let out = PathBuf::from("target/bench/prism-telemarketing-otp.json");
    std::fs::write(&out, serde_json::to_string(&spec)?)?;
    Ok(out)
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const USAGE: &str = "\
usage: otp-bench [--duration S] [--warmup S] [--concurrency N] [--only TEXT[,TEXT…]] [--server PATH]
       otp-bench memory [--count N]
       otp-bench challenges [--count N] [--memory-count N] [--server PATH]
       otp-bench instructions [--requests N] [--warmup N] [--unpinned] [--server PATH]
(make bench and make bench-instructions run these; see README.md, Benchmarks)";

/// The options each mode takes: a value after each, but `--unpinned`.
fn options_of(mode: Option<&str>) -> &'static [&'static str] {
    match mode {
        Some("memory") => &["--count"],
        Some("challenges") => &["--count", "--memory-count", "--server"],
        Some("instructions") => &["--requests", "--warmup", "--unpinned", "--server"],
        _ => &[
            "--duration",
            "--warmup",
            "--concurrency",
            "--only",
            "--server",
        ],
    }
}

/// Checks the command line like a conventional CLI: `-h`/`--help` prints
/// the usage; an unknown word or option, or an option without its value,
/// is an error rather than a run with defaults.
fn check_args(args: &[String]) -> anyhow::Result<bool> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(false);
    }
    let mode = args
        .get(1)
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'));
    if let Some(mode) = mode {
        anyhow::ensure!(
            ["memory", "challenges", "instructions"].contains(&mode),
            "unknown mode {mode:?}\n{USAGE}"
        );
    }
    let known = options_of(mode);
    let mut rest = args.iter().skip(1 + usize::from(mode.is_some()));
    while let Some(option) = rest.next() {
        anyhow::ensure!(
            known.contains(&option.as_str()),
            "unknown option {option:?}\n{USAGE}"
        );
        if option != "--unpinned" {
            anyhow::ensure!(rest.next().is_some(), "{option} needs a value\n{USAGE}");
        }
    }
    Ok(true)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if !check_args(&args)? {
        return Ok(());
    }
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
    let path_arg = |name: &str| {
        let at = args.iter().position(|a| a == name)?;
        args.get(at + 1).map(PathBuf::from)
    };
    if args.get(1).map(String::as_str) == Some("challenges") {
        let server = path_arg("--server").map_or_else(|| procs::sibling("otp-server"), Ok)?;
        let reports = runtime.block_on(challenges::run(
            &server,
            arg(&args, "--count", 10_000),
            arg(&args, "--memory-count", 100_000),
        ))?;
        std::fs::write(
            out.join("challenges.json"),
            serde_json::to_string_pretty(&reports)?,
        )?;
        return Ok(());
    }
    if args.get(1).map(String::as_str) == Some("instructions") {
        let settings = instructions::Settings {
            requests: arg(&args, "--requests", 1000),
            warmup: arg(&args, "--warmup", 200),
            // Pinned, tokio sees one core: one worker thread.
            pinned: procs::can_pin() && !args.iter().any(|a| a == "--unpinned"),
            server: path_arg("--server").map_or_else(|| procs::sibling("otp-server"), Ok)?,
            out: out.join("callgrind"),
        };
        let rows = runtime.block_on(instructions::run(&settings))?;
        std::fs::write(
            out.join("instructions.json"),
            serde_json::to_string_pretty(&rows)?,
        )?;
        println!("written: target/bench/instructions.json");
        return Ok(());
    }
    let prism = PathBuf::from(".tools/node/node_modules/.bin/prism");
    let settings = Settings {
        concurrency: arg(&args, "--concurrency", 64) as usize,
        warmup: Duration::from_secs(arg(&args, "--warmup", 2)),
        duration: Duration::from_secs(arg(&args, "--duration", 10)),
        pinned: procs::can_pin(),
        server: path_arg("--server").map_or_else(|| procs::sibling("otp-server"), Ok)?,
        prism: prism.exists().then_some(prism),
        only: args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1))
            .cloned(),
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
    println!("server under test: {}", settings.server.display());
    let runs = runtime.block_on(http_benchmarks(&settings))?;
    let rows: Vec<Row> = runs.iter().map(|r| clone_row(&r.row)).collect();
    print_table(&rows);
    compare(&rows);
    let operations: Vec<OperationRow> = runs.into_iter().flat_map(|r| r.operations).collect();
    println!();
    print_operations(&operations);
    let json = serde_json::json!({"scenarios": rows, "operations": operations});
    std::fs::write(out.join("http.json"), serde_json::to_string_pretty(&json)?)?;
    println!("written: target/bench/http.json");
    Ok(())
}

fn clone_row(row: &Row) -> Row {
    row.clone()
}

/// The ratios the targets are about: Redis over memory per scenario, and
/// otp-server's telemarketing generate over Prism's.
fn compare(rows: &[Row]) {
    let rps = |target: &str, scenario: &str| {
        rows.iter()
            .find(|r| r.target == target && r.scenario == scenario)
            .map(|r| r.requests_per_s)
    };
    // Paired ratios over each other when the run had a baseline, else
    // requests/s.
    let relative = |target: &str, scenario: &str| {
        rows.iter()
            .find(|r| r.target == target && r.scenario == scenario)
            .map(|r| match r.ratio_to_baseline > 0.0 {
                true => r.ratio_to_baseline,
                false => r.requests_per_s,
            })
    };
    for scenario in ["telemarketing generate", "telemarketing flow", "rao flow"] {
        if let (Some(redis), Some(memory)) =
            (relative("redis", scenario), relative("memory", scenario))
        {
            println!("redis / memory, {scenario}: {:.2}", redis / memory);
        }
    }
    if let (Some(redis), Some(memory)) = (
        relative("prod redis", "telemarketing generate"),
        relative("prod memory", "telemarketing generate"),
    ) {
        println!(
            "prod redis / prod memory, telemarketing generate: {:.2}",
            redis / memory
        );
    }
    let generate = "telemarketing generate";
    for target in ["memory", "redis", "prod memory", "prod redis", "prod log"] {
        let row = rows
            .iter()
            .find(|r| r.target == target && r.scenario == generate && r.ratio_to_baseline > 0.0);
        if let Some(r) = row {
            println!(
                "{target} / baseline, {generate}: {:.2} in requests/s, {:.2} in requests per server CPU second (paired medians)",
                r.ratio_to_baseline, r.cpu_ratio_to_baseline
            );
        }
    }
    if let (Some(ours), Some(prism)) = (rps("memory", generate), rps("prism", generate)) {
        println!(
            "otp-server (memory) / prism, {generate}: {:.1}",
            ours / prism
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{check_args, median};

    fn check(line: &str) -> anyhow::Result<bool> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        check_args(&args)
    }

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two() {
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![0.3, 0.5, 0.4]), 0.4);
        assert_eq!(median(vec![0.6, 0.2, 0.4, 0.3]), 0.35);
    }

    #[test]
    fn the_scripts_command_lines_pass_and_others_are_refused() {
        for line in [
            "otp-bench --duration 10 --warmup 2 --concurrency 64",
            "otp-bench --only prod,redis --server /tmp/otp-server",
            "otp-bench memory --count 1000000",
            "otp-bench challenges --count 10000 --memory-count 100000",
            "otp-bench instructions --requests 1000 --warmup 200 --unpinned",
        ] {
            assert!(check(line).unwrap(), "{line}");
        }
        assert!(!check("otp-bench --help").unwrap(), "help: no run");
        for line in [
            "otp-bench --out x",
            "otp-bench instructions --concurrency 8",
            "otp-bench bogus",
            "otp-bench --only",
        ] {
            assert!(check(line).is_err(), "{line}");
        }
    }
}
