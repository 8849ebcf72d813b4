//! The conformance kit, run as a library: against the project's own
//! sandbox (every check passes but those of rules main does not implement
//! yet), against deliberately broken implementations (the matching checks
//! fail, saying what was expected and what was seen), and as a command.

pub mod broken;
mod catches;
mod command;
mod sandbox;

use crate::support::TestServer;
use otp_server::conform::{self, CheckResult, Extras, Options, Outcome, Report, Selection};
use std::sync::Arc;

/// Checks of rules PRODUCT.md states that today's server does not follow
/// yet ("How the limits hold", revised 2026-11-25; test phones and the
/// sandbox clock of the consumer testing kit). They run for real; the
/// sandbox test lets them fail, and lists them.
pub const PENDING_ON_MAIN: [&str; 7] = [
    "flows.rao.resend-clears-certified",
    "contract.ascii-digits",
    "contract.duplicate-keys",
    "semantics.rao.phone-identity",
    "semantics.rao.phone-lock.validates",
    "semantics.telemarketing.phone-lock.validates",
    "auth.token.lockout",
];

/// Options for `target` running the checks `only` selects (all when empty).
pub fn options(target: &str, only: &[&str]) -> Options {
    let mut options = Options::new(target);
    options.selection = Selection {
        only: only.iter().map(|s| s.to_string()).collect(),
        skip: vec![],
    };
    options
}

/// Moves `server`'s clock: the kit's way to let time pass on a server of this process.
pub fn clock_of(server: &TestServer) -> Extras {
    let clock = server.clock.clone().expect("a server of this process");
    Extras {
        clock: Some(Arc::new(move |by| clock.advance(by))),
        ..Extras::default()
    }
}

/// Runs the kit, the report printed for whoever reads the test's output.
pub async fn run(options: Options, extras: Extras) -> Report {
    let report = conform::run(options, extras, &mut |_| {})
        .await
        .expect("the kit runs");
    for result in &report.results {
        eprintln!("{}", result.line());
    }
    eprintln!("{}", report.summary());
    report
}

/// The result of the check `name`.
pub fn result<'a>(report: &'a Report, name: &str) -> &'a CheckResult {
    report
        .results
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no check {name} in the report"))
}

/// Asserts `name` failed, its expected containing `expected` and its seen containing `seen`.
pub fn assert_failed(report: &Report, name: &str, expected: &str, seen: &str) {
    match &result(report, name).outcome {
        Outcome::Fail {
            expected: e,
            seen: s,
        } => {
            assert!(
                e.contains(expected),
                "{name}: expected {e:?} does not mention {expected:?}"
            );
            assert!(
                s.contains(seen),
                "{name}: seen {s:?} does not mention {seen:?}"
            );
        }
        other => panic!("{name} should have failed, was {other:?}"),
    }
}

/// Asserts `name` passed.
pub fn assert_passed(report: &Report, name: &str) {
    assert_eq!(result(report, name).outcome, Outcome::Pass, "{name}");
}
