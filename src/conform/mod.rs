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
//! A check passes, fails with what it expected and what it saw, or is
//! skipped with the reason it cannot run against this target (no outbox,
//! no sandbox clock, no test phone): a skip is never counted as a pass.

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
pub use report::{CheckResult, Outcome, Report};
pub use sms::WebhookInbox;

use crate::contract::Contract;
use exchange::Verdict;
use hyper::Method;
use kit::Kit;
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
}

/// What the runner tells while it runs.
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

/// Runs the selected checks against `options.target`.
pub async fn run(
    options: Options,
    extras: Extras,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<Report, ConformError> {
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
    reset_test_phones(&kit).await;
    Ok(run_checks(&kit, progress).await)
}

fn webhook_addr(options: &Options) -> Option<std::net::SocketAddr> {
    options.sources.iter().find_map(|s| match s {
        SourceSpec::Webhook(addr) => Some(*addr),
        _ => None,
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
        let _ = kit
            .target
            .send(
                Method::POST,
                "/sandbox/v1/reset",
                &headers,
                Some(body),
                None,
            )
            .await;
    }
}

async fn run_checks(kit: &Kit, progress: &mut dyn FnMut(Event<'_>)) -> Report {
    let started = Instant::now();
    let all = checks::all();
    let selected: Vec<_> = all
        .iter()
        .filter(|c| kit.options.selection.includes(c.name))
        .collect();
    let mut results = Vec::new();
    for (i, check) in selected.iter().enumerate() {
        progress(Event::Started {
            index: i + 1,
            total: selected.len(),
            name: check.name,
        });
        kit.begin(check.name);
        let began = Instant::now();
        let outcome = match (check.run)(kit).await {
            Ok(()) => Outcome::Pass,
            Err(Verdict::Fail { expected, seen }) => Outcome::Fail { expected, seen },
            Err(Verdict::Skip(reason)) => Outcome::Skip { reason },
        };
        let result = CheckResult {
            name: check.name.into(),
            group: check.group().into(),
            rule: check.rule(),
            says: check.says.into(),
            outcome,
            duration: began.elapsed(),
        };
        progress(Event::Finished(&result));
        results.push(result);
    }
    Report {
        target: kit.options.target.clone(),
        results,
        deselected: all.len() - selected.len(),
        duration: started.elapsed(),
    }
}
