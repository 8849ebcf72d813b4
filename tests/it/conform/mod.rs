//! The conformance kit, run as a library: against the project's own
//! sandbox (every check passes), against deliberately broken
//! implementations (the matching checks fail, saying what was expected and
//! what was seen), and as a command.

mod bounded;
pub mod broken;
mod catches;
mod clock;
mod command;
mod exits;
mod rules;
mod sandbox;

use otp_server::conform::{
    self, CheckResult, Extras, Options, Outcome, Report, Selection, Unfinished,
};
use std::ops::ControlFlow;

/// Options for `target` running the checks `only` selects (all when empty).
pub fn options(target: &str, only: &[&str]) -> Options {
    let mut options = Options::new(target);
    options.selection = Selection {
        only: only.iter().map(|s| s.to_string()).collect(),
        skip: vec![],
    };
    options
}

/// Runs the kit, the report printed for whoever reads the test's output.
pub async fn run(options: Options, extras: Extras) -> Report {
    let report = conform::run(options, extras, &mut |_| ControlFlow::Continue(()))
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
