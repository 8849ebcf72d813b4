//! The checks, by group: `contract`, `auth`, `flows`, `semantics`,
//! `errors`. Each is named `group.api.rule` and names the section of
//! `docs/BEHAVIOUR.md` that states the rule it holds the target to, with the
//! rule in a line. A check uses its own fresh phones, sids and customers, so
//! no check's throttles or locks reach another.

mod auth;
mod contract;
mod errors;
mod flows;
mod semantics;

use super::exchange::Step;
use super::kit::Kit;
use std::future::Future;
use std::pin::Pin;

/// A check's body.
pub type Run = for<'a> fn(&'a Kit) -> Pin<Box<dyn Future<Output = Step> + 'a>>;

/// One named check.
#[derive(Clone, Copy)]
pub struct Check {
    /// `group.api.rule`, e.g. `flows.rao.single-use`.
    pub name: &'static str,
    /// The anchor of the section of [`BEHAVIOUR`] that states the rule (`single-use`).
    pub section: &'static str,
    /// The rule in a line, for the report.
    pub says: &'static str,
    pub run: Run,
}

/// The document, relative to the repository's root, whose sections state
/// the rules the kit checks.
pub const BEHAVIOUR: &str = "docs/BEHAVIOUR.md";

impl Check {
    /// Where the rule is stated: `docs/BEHAVIOUR.md#single-use`.
    pub fn rule(&self) -> String {
        format!("{BEHAVIOUR}#{}", self.section)
    }

    /// The group: the name's first segment.
    pub fn group(&self) -> &'static str {
        self.name.split('.').next().unwrap_or(self.name)
    }
}

/// Makes a [`Check`] of an `async fn(&Kit) -> Step`.
macro_rules! check {
    ($name:literal, $section:literal, $says:literal, $body:path) => {
        $crate::conform::checks::Check {
            name: $name,
            section: $section,
            says: $says,
            run: {
                fn run(
                    kit: &$crate::conform::kit::Kit,
                ) -> std::pin::Pin<
                    Box<dyn std::future::Future<Output = $crate::conform::exchange::Step> + '_>,
                > {
                    Box::pin($body(kit))
                }
                run
            },
        }
    };
}
pub(crate) use check;

/// Every check, in the order they run: the ones that lock the kit's own
/// client (`auth.token.lockout`) and read what all others saw
/// (`errors.responses`) last.
pub fn all() -> Vec<Check> {
    let mut checks = Vec::new();
    checks.extend(contract::checks());
    checks.extend(auth::checks());
    checks.extend(flows::checks());
    checks.extend(semantics::checks());
    checks.extend(errors::checks());
    checks.extend(auth::last());
    checks.extend(errors::last());
    checks
}
