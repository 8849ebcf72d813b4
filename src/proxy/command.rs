//! `otp-server proxy`: the command line of the validation proxy. Serves
//! until SIGINT/SIGTERM (or until stdout, where the violations go, is
//! closed), then writes `--report`.

use super::{Proxy, ProxyOptions};
use crate::commands::eprint;
use anyhow::{ensure, Context};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
#[command(
    after_help = "Each violation is printed on stdout as one JSON line; GET /proxy/v1/violations lists them.\nExample:\n  otp-server proxy --upstream http://bank-test:8080 --listen 127.0.0.1:4010 --report violations.json"
)]
pub struct ProxyArgs {
    /// The implementation to forward to: http://host:port[/prefix].
    #[arg(long, env = "OTP_PROXY_UPSTREAM", value_name = "URL")]
    pub upstream: String,
    /// Address to listen on (Prism's port by default).
    #[arg(
        long,
        env = "OTP_PROXY_LISTEN",
        default_value = "127.0.0.1:4010",
        value_name = "ADDR"
    )]
    pub listen: String,
    /// Answer requests that break the contract with the gate's 400 (401 for a
    /// missing credential) instead of forwarding them.
    #[arg(long)]
    pub enforce: bool,
    /// Write every violation found as JSON here on exit.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Bound on each upstream exchange, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    pub timeout_ms: u64,
    /// Time a client has to send a request head, in milliseconds (also how
    /// long an idle kept-alive connection stays open).
    #[arg(long, default_value_t = 5_000, value_name = "MS")]
    pub header_timeout_ms: u64,
    /// Time a client has to send a request body, in milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub body_timeout_ms: u64,
    /// Largest request body carried, in bytes (larger: 400 invalidRequest at body).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_body_bytes: usize,
    /// Most client connections served at once (more wait in the listen backlog).
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_connections: usize,
    /// Most violations kept for GET /proxy/v1/violations and --report (older ones are counted).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_violations: usize,
}

/// Runs the proxy until SIGINT or SIGTERM.
pub fn run(args: ProxyArgs) -> anyhow::Result<()> {
    crate::startup::init_logging();
    for (value, name) in [
        (args.timeout_ms, "--timeout-ms"),
        (args.header_timeout_ms, "--header-timeout-ms"),
        (args.body_timeout_ms, "--body-timeout-ms"),
    ] {
        ensure!(value > 0, "{name} must be at least 1");
    }
    ensure!(
        args.max_connections > 0,
        "--max-connections must be at least 1"
    );
    let options = ProxyOptions {
        enforce: args.enforce,
        report: args.report,
        timeout: Duration::from_millis(args.timeout_ms),
        header_timeout: Duration::from_millis(args.header_timeout_ms),
        body_timeout: Duration::from_millis(args.body_timeout_ms),
        max_body: args.max_body_bytes,
        max_connections: args.max_connections,
        max_violations: args.max_violations,
        ..ProxyOptions::new(args.upstream)
    };
    let proxy = Proxy::new(options.clone())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let mode = if options.enforce { "enforcing" } else { "reporting" };
        eprint(format_args!(
            "otp-server proxy listening on http://{} -> {} ({mode}); violations: GET /proxy/v1/violations\n",
            listener.local_addr()?,
            options.upstream
        ));
        let report = proxy.serve(listener, crate::startup::shutdown_signal()).await?;
        eprint(format_args!(
            "{} exchanges, {} violations\n",
            report.log.exchanges, report.log.count
        ));
        Ok(())
    })
}
