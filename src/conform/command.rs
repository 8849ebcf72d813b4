//! `otp-server conform`: the command line of the conformance kit. Parses
//! the options, runs the checks with progress on stderr and one line per
//! check on stdout, prints the summary table and what the run changed on
//! the target, writes `--junit`/`--json`, and exits 1 when any check failed
//! or the run could not finish.
//!
//! A closed stdout (`otp-server conform … | head -3`) stops the run after
//! the check in progress, quietly: the reports are still written, and the
//! exit status is 1 only if a check had failed by then.

use super::{
    run, Event, Extras, Identity, KitPolicy, Options, Report, Selection, SourceSpec, Unfinished,
};
use crate::cipher::Cipher;
use crate::commands::{eprint, println, PrintError};
use anyhow::{bail, ensure, Context};
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The client's payload cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CipherName {
    /// base64 of the text (sandbox clients).
    Plain,
    /// base64(nonce ‖ ciphertext ‖ tag) with --key.
    #[value(name = "aes-256-gcm")]
    Aes256Gcm,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Every check names the section of docs/BEHAVIOUR.md that states its rule (docs/BEHAVIOUR.md#every-check lists them); a run says at its end what it changed on the target (docs/BEHAVIOUR.md#what-a-run-changes-on-the-target).\n\nExamples:\n  otp-server conform --target http://127.0.0.1:8080\n  otp-server conform --target http://bank-test:8080 --client-id app --client-secret \"$SECRET\" \\\n      --cipher aes-256-gcm --key \"$KEY\" --otp-source webhook:0.0.0.0:17010 --junit conform.xml\n  otp-server conform --target http://127.0.0.1:8080 --only flows --skip '*.expiry'\n  otp-server conform --target http://shared-sandbox:8080 --no-clock\n  otp-server conform --list"
)]
pub struct ConformArgs {
    /// The implementation: http://host:port[/prefix]; the specs' paths (/api/v1/…) are appended.
    #[arg(
        long,
        env = "OTP_CONFORM_TARGET",
        value_name = "URL",
        required_unless_present = "list"
    )]
    pub target: Option<String>,
    /// The client the kit acts as.
    #[arg(
        long,
        env = "OTP_CONFORM_CLIENT_ID",
        default_value = "sandbox",
        value_name = "ID"
    )]
    pub client_id: String,
    /// Its secret, for the token endpoint.
    #[arg(
        long,
        env = "OTP_CONFORM_CLIENT_SECRET",
        default_value = "sandbox-secret",
        hide_env_values = true,
        hide_default_value = true,
        value_name = "SECRET"
    )]
    pub client_secret: String,
    /// The client's payload cipher for the RAO encrypted fields.
    #[arg(long, value_enum, default_value = "plain")]
    pub cipher: CipherName,
    /// The AES-256-GCM key (base64 of 32 bytes), with --cipher aes-256-gcm.
    #[arg(
        long,
        env = "OTP_CONFORM_KEY",
        hide_env_values = true,
        value_name = "BASE64"
    )]
    pub key: Option<String>,
    /// Where OTPs come from: outbox (the target's GET /sandbox/v1/sms),
    /// test-phone:PHONE=OTP (a fixed-OTP test phone: +52… for RAO, digits
    /// for telemarketing; repeat for both), webhook:ADDR (the kit listens
    /// there for the target's webhook SMS, {"to","text"}).
    #[arg(long = "otp-source", value_name = "SOURCE", default_value = "outbox")]
    pub otp_sources: Vec<SourceSpec>,
    /// Run only these checks: names, dotted prefixes (flows.rao) or globs (*.expiry); repeat or comma-separate.
    #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
    pub only: Vec<String>,
    /// Leave these checks out (same patterns as --only).
    #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
    pub skip: Vec<String>,
    /// A policy number the target is held to, KEY=VALUE with the [policy]
    /// names of docs/CONFIG.md (otp_lifetime_secs=180) or token_failures_per_minute.
    #[arg(long, value_name = "KEY=VALUE")]
    pub policy: Vec<String>,
    /// countryCode header.
    #[arg(long, default_value = "MX")]
    pub country: String,
    /// businessCode header.
    #[arg(long, default_value = "GCB")]
    pub business: String,
    /// channelId header.
    #[arg(long, default_value = "MOBILE")]
    pub channel: String,
    /// phoneCountryCode of the RAO phones the kit makes up.
    #[arg(long, default_value = "+52", value_name = "CODE")]
    pub country_code: String,
    /// First digits of the 10-digit phones the kit makes up (pick a range no real customer has).
    #[arg(long, default_value = "55", value_name = "DIGITS")]
    pub phone_prefix: String,
    /// Bound on each request, in milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub timeout_ms: u64,
    /// Bound on the whole run, in seconds: past it the running check fails
    /// and the rest are not run.
    #[arg(long, default_value_t = super::options::DEFAULT_DEADLINE.as_secs(), value_name = "SECS")]
    pub deadline: u64,
    /// Leave the target's sandbox clock alone (it is shared by everyone using
    /// that sandbox): the checks that need time to pass are skipped.
    #[arg(long)]
    pub no_clock: bool,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// List the checks, where each one's rule is stated and the rule in a line, and exit.
    #[arg(long)]
    pub list: bool,
}

/// Runs `otp-server conform`: success when no check failed.
pub fn run_command(args: ConformArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        for check in super::catalogue() {
            println(format_args!(
                "{:<46} {:<52} {}",
                check.name, check.rule, check.says
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (junit, json) = (args.junit.clone(), args.json.clone());
    let options = options(args)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut printed = Ok(());
    let report = runtime.block_on(run(options, Extras::default(), &mut progress(&mut printed)))?;
    if printed.is_ok() {
        printed = println(report.summary());
    }
    if let Some(path) = junit {
        write(&path, &report.to_junit())?;
    }
    if let Some(path) = json {
        write(&path, &report.to_json())?;
    }
    match printed {
        Ok(()) | Err(PrintError::Closed) => Ok(exit_status(&report)),
        Err(e) => Err(e.into()),
    }
}

/// Success when the target conforms, or when the run was stopped (a
/// closed stdout) before any check failed.
fn exit_status(report: &Report) -> ExitCode {
    let stopped = report.unfinished == Some(Unfinished::Stopped);
    if report.conforms() || (stopped && report.failures().is_empty()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The run's options from the command line.
pub fn options(args: ConformArgs) -> anyhow::Result<Options> {
    let cipher = match (args.cipher, &args.key) {
        (CipherName::Plain, _) => Cipher::Plain,
        (CipherName::Aes256Gcm, Some(key)) => {
            Cipher::aes_256_gcm(&crate::config::decode_key(key).context("--key")?)
        }
        (CipherName::Aes256Gcm, None) => {
            bail!("--cipher aes-256-gcm needs --key (or OTP_CONFORM_KEY)")
        }
    };
    let mut options = Options::new(args.target.context("--target is required")?);
    options.identity = Identity {
        client_id: args.client_id,
        client_secret: args.client_secret,
        cipher,
        country: args.country,
        business: args.business,
        channel: args.channel,
    };
    options.sources = args.otp_sources;
    options.selection = Selection {
        only: args.only,
        skip: args.skip,
    };
    options.policy = KitPolicy::default().with_overrides(&args.policy)?;
    options.country_code = args.country_code;
    options.phone_prefix = args.phone_prefix;
    ensure!(args.timeout_ms > 0, "--timeout-ms must be at least 1");
    ensure!(args.deadline > 0, "--deadline must be at least 1 second");
    options.timeout = Duration::from_millis(args.timeout_ms);
    options.deadline = Duration::from_secs(args.deadline);
    options.move_clock = !args.no_clock;
    Ok(options)
}

/// Progress on stderr (rewritten in place on a terminal), one line per
/// check on stdout. A line that cannot be printed stops the run; why is
/// left in `printed`.
fn progress(printed: &mut Result<(), PrintError>) -> impl FnMut(Event<'_>) -> ControlFlow<()> + '_ {
    let terminal = std::io::stderr().is_terminal();
    move |event| {
        match event {
            Event::Started { index, total, name } if terminal => {
                eprint(format_args!("\r\x1b[2K[{index:>2}/{total}] {name} …"));
            }
            Event::Started { index, total, name } => {
                eprint(format_args!("[{index:>2}/{total}] {name}\n"));
            }
            Event::Finished(result) => {
                if terminal {
                    eprint("\r\x1b[2K");
                }
                *printed = println(result.line());
            }
        }
        match printed {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }
}
