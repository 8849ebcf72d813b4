//! `otp-server coverage --target URL --client-id ID [--min PERCENT]
//! [--junit FILE]`: a running sandbox's coverage table for one client
//! (`GET /sandbox/v1/coverage`), printed; exits 1 below `--min`.

use crate::conform::exchange::Verdict;
use crate::conform::target::Target;
use anyhow::{bail, Context};
use clap::Args;
use hyper::{HeaderMap, Method};
use serde_json::Value;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The running sandbox (http://host:port).
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// The client whose coverage to show.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Exit 1 when less than PERCENT of the rows were exercised.
    #[arg(long, value_name = "PERCENT")]
    pub min: Option<f64>,
    /// Also write the table as a JUnit report: one test case per row (not
    /// exercised: skipped) and one for the minimum.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<std::path::PathBuf>,
}

/// Runs the command: 0, or 1 below the minimum.
pub fn run(args: CoverageArgs) -> anyhow::Result<ExitCode> {
    if let Some(min) = args.min {
        if !(0.0..=100.0).contains(&min) {
            bail!("--min {min}: a percentage from 0 to 100");
        }
    }
    let table = fetch(&args.target, &args.client_id)?;
    let share = table["share"].as_f64().unwrap_or(0.0) * 100.0;
    crate::commands::println(render(&args.target, &table))?;
    let below = args.min.is_some_and(|min| share + 1e-9 < min);
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&table, args.min))
            .with_context(|| format!("--junit {}", path.display()))?;
    }
    if below {
        crate::commands::eprint(format!(
            "coverage {share:.1}% is below --min {}%\n",
            args.min.unwrap_or_default()
        ));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn fetch(url: &str, client: &str) -> anyhow::Result<Value> {
    let target = Target::new(url, Duration::from_secs(10))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client_q: String =
        percent_encoding::utf8_percent_encode(client, percent_encoding::NON_ALPHANUMERIC).collect();
    let path = format!("/sandbox/v1/coverage?client_id={client_q}");
    let answer = runtime
        .block_on(target.send(Method::GET, &path, &HeaderMap::new(), None, None))
        .map_err(|verdict| match verdict {
            Verdict::Fail { seen, .. } | Verdict::Skip(seen) => {
                anyhow::anyhow!("--target {url}: GET {path}: {seen}")
            }
        })?;
    match (answer.status, answer.json()) {
        (200, Some(table)) if table["rows"].is_array() => Ok(table),
        (_, Some(error)) if error["details"].is_string() => bail!(
            "--target {url}: GET {path}: {} {}",
            answer.status,
            error["details"].as_str().unwrap_or_default()
        ),
        _ => bail!(
            "--target {url}: GET {path}: {}: not a sandbox's coverage",
            answer.describe()
        ),
    }
}

/// The table as printed.
fn render(url: &str, table: &Value) -> String {
    let mut out = format!(
        "{:<26} {:>6}  {:<26} {:>5}  {}\n",
        "operation", "status", "code", "count", "exercised"
    );
    for row in table["rows"].as_array().into_iter().flatten() {
        let (count, forced) = (
            row["count"].as_u64().unwrap_or(0),
            row["forced"].as_u64().unwrap_or(0),
        );
        let how = match (count, forced) {
            (0, _) => "no",
            (c, f) if c == f => "yes (forced by Prefer)",
            (_, 0) => "yes",
            _ => "yes (some forced)",
        };
        let _ = writeln!(
            out,
            "{:<26} {:>6}  {:<26} {:>5}  {}",
            row["operation"].as_str().unwrap_or_default(),
            row["status"].as_u64().unwrap_or_default(),
            row["code"].as_str().unwrap_or("-"),
            count,
            how
        );
    }
    let share = table["share"].as_f64().unwrap_or(0.0) * 100.0;
    let _ = write!(
        out,
        "client {} on {url}: {} of {} documented answers exercised ({share:.1}%)",
        table["clientId"].as_str().unwrap_or_default(),
        table["exercised"],
        table["total"],
    );
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The table as JUnit XML.
fn junit(table: &Value, min: Option<f64>) -> String {
    let rows = table["rows"].as_array().cloned().unwrap_or_default();
    let share = table["share"].as_f64().unwrap_or(0.0) * 100.0;
    let below = min.is_some_and(|m| share + 1e-9 < m);
    let skipped = rows.iter().filter(|r| r["exercised"] != true).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"coverage {}\" tests=\"{}\" failures=\"{}\" skipped=\"{skipped}\">",
        escape(table["clientId"].as_str().unwrap_or_default()),
        rows.len() + 1,
        u8::from(below)
    );
    for row in &rows {
        let name = format!(
            "{} {} {}",
            row["operation"].as_str().unwrap_or_default(),
            row["status"],
            row["code"].as_str().unwrap_or("-")
        );
        let _ = write!(
            out,
            "  <testcase classname=\"coverage\" name=\"{}\"",
            escape(&name)
        );
        match row["exercised"] == true {
            true => out.push_str("/>\n"),
            false => out.push_str("><skipped message=\"not exercised\"/></testcase>\n"),
        }
    }
    let _ = write!(out, "  <testcase classname=\"coverage\" name=\"minimum\"");
    match (below, min) {
        (true, Some(min)) => {
            let _ = writeln!(
                out,
                "><failure message=\"{share:.1}% exercised, below {min}%\"/></testcase>"
            );
        }
        _ => out.push_str("/>\n"),
    }
    out.push_str("</testsuite>\n");
    out
}
