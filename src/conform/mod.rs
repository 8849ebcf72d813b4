//! The conformance kit: the behaviour of docs/BEHAVIOUR.md, run as named
//! checks against any implementation of the two OTP APIs over HTTP
//! (`otp-server conform`).
//!
//! # Layout
//!
//! - [`options`]: what a run is told (target, client, OTP sources, selection, policy numbers).
//! - [`target`]: the HTTP client every request goes through.
//! - [`kit`]: the run's shared state — token, sandbox clock, every contract
//!   violation seen in an answer; [`apis`]: both APIs as a consumer calls them.
//! - [`sms`]: where OTPs come from (outbox, webhook inbox, test phones).
//! - [`exchange`]: one answer, and the expectations a check holds it to.
//! - `checks`: the checks, by group (`contract`, `auth`, `flows`, `semantics`, `errors`).
//! - [`report`]: results, as terminal lines and table, JSON and JUnit.
//!
//! A run starts with a preflight: one token request, which must be answered
//! (else one clear error instead of a failure per check) and must give the
//! kit's client a token (else nothing could be measured). Then every
//! selected check runs in turn within the run's deadline. A check passes,
//! fails with what it expected and what it saw, or is skipped with the
//! reason it cannot run against this target (no outbox, no sandbox clock
//! or `--no-clock`, no test phone): a skip is never counted as a pass. The
//! report ends with what the run changed on the target (its sandbox clock,
//! test phones reset, the kit's client locked out).

pub mod apis;
mod checks;
pub mod command;
pub mod exchange;
pub mod kit;
pub mod options;
pub mod report;
pub mod sms;
pub mod target;

pub use options::{Identity, KitPolicy, Options, Selection, SourceSpec};
pub use report::{Changes, CheckResult, Outcome, Report, Unfinished};
pub use sms::WebhookInbox;

use crate::contract::Contract;
use exchange::Verdict;
use hyper::Method;
use kit::Kit;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    #[error(transparent)]
    Target(#[from] target::TargetError),
    #[error("cannot listen for webhook SMS on {0}: {1}")]
    Webhook(std::net::SocketAddr, std::io::Error),
    #[error("the specs do not compile: {0}")]
    Contract(String),
    /// The preflight's request got no HTTP answer.
    #[error("preflight: {target} does not answer ({cause}); no check was run")]
    Unreachable { target: String, cause: String },
    /// The preflight's token request was answered without a token.
    #[error("preflight: the token endpoint of {target} did not issue a token to client {client:?} ({seen}); no check was run: {hint}")]
    NoToken {
        target: String,
        client: String,
        seen: String,
        hint: &'static str,
    },
}

/// What the runner tells while it runs. Answering [`ControlFlow::Break`]
/// stops the run after the check in progress (nothing more is sent to the
/// target).
pub enum Event<'a> {
    /// Check `index` of `total` starts.
    Started {
        index: usize,
        total: usize,
        name: &'static str,
    },
    /// A check ended.
    Finished(&'a CheckResult),
}

/// One check of the catalogue: its name, where its rule is stated
/// (`docs/BEHAVIOUR.md#single-use`) and the rule in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: &'static str,
    pub rule: String,
    pub says: &'static str,
}

/// Every check, in the order they run.
pub fn catalogue() -> Vec<Listed> {
    checks::all()
        .iter()
        .map(|c| Listed {
            name: c.name,
            rule: c.rule(),
            says: c.says,
        })
        .collect()
}

/// What a run can be handed besides its options.
#[derive(Default, Clone)]
pub struct Extras {
    /// A webhook inbox already listening (tests bind one on port 0 and
    /// point the target's gateway at it); otherwise one is bound when the
    /// sources name `webhook:ADDR`.
    pub webhook: Option<Arc<WebhookInbox>>,
}

/// Runs the selected checks against `options.target`, within `options.deadline`.
pub async fn run(
    options: Options,
    extras: Extras,
    progress: &mut dyn FnMut(Event<'_>) -> ControlFlow<()>,
) -> Result<Report, ConformError> {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + options.deadline;
    let contract = Contract::get().map_err(|e| ConformError::Contract(e.to_string()))?;
    let target = target::Target::new(&options.target, options.timeout)?;
    let webhook = match (extras.webhook, webhook_addr(&options)) {
        (Some(inbox), _) => Some(inbox),
        (None, Some(addr)) => Some(Arc::new(
            WebhookInbox::bind(addr)
                .await
                .map_err(|e| ConformError::Webhook(addr, e))?,
        )),
        (None, None) => None,
    };
    let kit = Kit::new(options, target, contract, webhook);
    let unreachable = |cause: String| ConformError::Unreachable {
        target: kit.options.target.clone(),
        cause,
    };
    tokio::time::timeout_at(deadline, preflight(&kit))
        .await
        .map_err(|_| unreachable("no answer within the run's deadline".into()))??;
    let _ = tokio::time::timeout_at(deadline, reset_test_phones(&kit)).await;
    Ok(run_checks(&kit, started, deadline, progress).await)
}

fn webhook_addr(options: &Options) -> Option<std::net::SocketAddr> {
    options.sources.iter().find_map(|s| match s {
        SourceSpec::Webhook(addr) => Some(*addr),
        _ => None,
    })
}

/// The target must answer, and give the kit's client a token: otherwise
/// every check would fail alike, so the run stops with one error instead.
async fn preflight(kit: &Kit) -> Result<(), ConformError> {
    kit.begin("preflight");
    let secret = &kit.options.identity.client_secret;
    let answer = match kit.request_token(secret).await {
        Ok(answer) => answer,
        Err(Verdict::Fail { seen, .. } | Verdict::Skip(seen)) => {
            return Err(ConformError::Unreachable {
                target: kit.options.target.clone(),
                cause: format!("POST {}: {seen}", kit.op("issueToken").path),
            })
        }
    };
    let hint = match answer.status {
        429 => "the client is locked out for now (an earlier run's auth.token.lockout, say): run again once Retry-After has passed",
        400 | 401 | 403 => "check --client-id and --client-secret",
        _ => "is --target the base URL? the specs' paths (/api/v1/…) are appended to it",
    };
    kit.keep_token(&answer)
        .map(drop)
        .map_err(|_| ConformError::NoToken {
            target: kit.options.target.clone(),
            client: kit.options.identity.client_id.clone(),
            seen: answer.describe(),
            hint,
        })
}

/// Test phones carry failure counts from earlier runs: where the target has
/// the sandbox's `POST /sandbox/v1/reset`, clear those phones (only them).
async fn reset_test_phones(kit: &Kit) {
    for rao in [true, false] {
        let Some((phone, _)) = kit.test_phone(rao) else {
            continue;
        };
        let body = serde_json::json!({ "phone": phone })
            .to_string()
            .into_bytes();
        let headers = target::header_map(&[("Content-Type", "application/json")]);
        let answer = kit
            .target
            .send(
                Method::POST,
                "/sandbox/v1/reset",
                &headers,
                Some(body),
                None,
            )
            .await;
        if answer.is_ok_and(|a| (200..300).contains(&a.status)) {
            kit.note_reset(&phone);
        }
    }
}

async fn run_checks(
    kit: &Kit,
    started: Instant,
    deadline: tokio::time::Instant,
    progress: &mut dyn FnMut(Event<'_>) -> ControlFlow<()>,
) -> Report {
    let all = checks::all();
    let selected: Vec<_> = all
        .iter()
        .filter(|c| kit.options.selection.includes(c.name))
        .collect();
    let mut results = Vec::new();
    let mut unfinished = None;
    for (i, check) in selected.iter().enumerate() {
        if unfinished == Some(Unfinished::Deadline) {
            let reason = report::NOT_RUN.to_owned();
            results.push(result(check, Outcome::Skip { reason }, Default::default()));
            continue;
        }
        let event = Event::Started {
            index: i + 1,
            total: selected.len(),
            name: check.name,
        };
        if progress(event).is_break() {
            unfinished = Some(Unfinished::Stopped);
            break;
        }
        let (outcome, took, cut) = run_one(kit, check, deadline).await;
        if cut {
            unfinished = Some(Unfinished::Deadline);
        }
        let result = result(check, outcome, took);
        let flow = progress(Event::Finished(&result));
        results.push(result);
        if flow.is_break() {
            unfinished = unfinished.or(Some(Unfinished::Stopped));
            break;
        }
    }
    Report {
        target: kit.options.target.clone(),
        results,
        deselected: all.len() - selected.len(),
        duration: started.elapsed(),
        deadline: kit.options.deadline,
        unfinished,
        changes: kit.changes(),
    }
}

/// Runs one check, cut at the run's deadline: its outcome, how long it
/// took, and whether the deadline cut it.
async fn run_one(
    kit: &Kit,
    check: &checks::Check,
    deadline: tokio::time::Instant,
) -> (Outcome, std::time::Duration, bool) {
    kit.begin(check.name);
    let began = Instant::now();
    let Ok(step) = tokio::time::timeout_at(deadline, (check.run)(kit)).await else {
        let outcome = Outcome::Fail {
            expected: format!(
                "the check to end within the run's deadline ({} s, --deadline)",
                kit.options.deadline.as_secs()
            ),
            seen: format!(
                "still running after {:.1} s when the deadline passed",
                began.elapsed().as_secs_f64()
            ),
        };
        return (outcome, began.elapsed(), true);
    };
    let outcome = match step {
        Ok(()) => Outcome::Pass,
        Err(Verdict::Fail { expected, seen }) => Outcome::Fail { expected, seen },
        Err(Verdict::Skip(reason)) => Outcome::Skip { reason },
    };
    (outcome, began.elapsed(), false)
}

fn result(check: &checks::Check, outcome: Outcome, duration: std::time::Duration) -> CheckResult {
    CheckResult {
        name: check.name.into(),
        group: check.group().into(),
        rule: check.rule(),
        says: check.says.into(),
        outcome,
        duration,
    }
}
