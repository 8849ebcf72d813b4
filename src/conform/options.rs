//! What a conformance run is told: the target, the client it acts as, where
//! OTPs come from, which checks to run, and the policy numbers the target
//! is held to (docs/BEHAVIOUR.md#words-and-numbers, unless overridden).

use crate::cipher::Cipher;
use crate::config::{Policy, PolicyOverrides};
use std::net::SocketAddr;
use std::time::Duration;

/// The default bound on a whole run: a full run against a sandbox takes
/// about a second, against a remote test environment with real SMS a few
/// minutes at most.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

/// Why an option cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OptionError {
    #[error("--otp-source {0:?}: use outbox, test-phone:PHONE=OTP or webhook:ADDR")]
    Source(String),
    #[error("--policy {0:?}: {1}")]
    Policy(String, String),
}

/// Where the kit reads the OTPs the target sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// The target's sandbox outbox, `GET /sandbox/v1/sms`.
    Outbox,
    /// A test phone of the target with a fixed OTP (Firebase's convention):
    /// `+52…` for RAO, digits only for telemarketing.
    TestPhone { phone: String, otp: String },
    /// The kit listens here for the target's webhook SMS, `{"to","text"}`.
    Webhook(SocketAddr),
}

impl std::str::FromStr for SourceSpec {
    type Err = OptionError;

    fn from_str(text: &str) -> Result<Self, OptionError> {
        let bad = || OptionError::Source(text.to_owned());
        if text == "outbox" {
            return Ok(Self::Outbox);
        }
        if let Some(pair) = text.strip_prefix("test-phone:") {
            let (phone, otp) = pair.split_once('=').ok_or_else(bad)?;
            let digits = phone.strip_prefix('+').unwrap_or(phone);
            if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) || otp.is_empty() {
                return Err(bad());
            }
            return Ok(Self::TestPhone {
                phone: phone.into(),
                otp: otp.into(),
            });
        }
        let addr = text.strip_prefix("webhook:").ok_or_else(bad)?;
        addr.parse().map(Self::Webhook).map_err(|_| bad())
    }
}

/// The numbers the target is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitPolicy {
    /// The OTP rules, under their config names (`[policy]`).
    pub otp: Policy,
    /// Failed client authentications per `client_id` per minute before `429`.
    pub token_failures_per_minute: u32,
}

impl Default for KitPolicy {
    fn default() -> Self {
        Self {
            otp: Policy::default(),
            token_failures_per_minute: 10,
        }
    }
}

impl KitPolicy {
    /// Applies `KEY=VALUE` overrides; keys are the `[policy]` names of
    /// docs/CONFIG.md, plus `token_failures_per_minute`.
    pub fn with_overrides(mut self, pairs: &[String]) -> Result<Self, OptionError> {
        let mut table = toml::Table::new();
        for pair in pairs {
            let bad = |why: &str| OptionError::Policy(pair.clone(), why.into());
            let (key, value) = pair.split_once('=').ok_or_else(|| bad("use KEY=VALUE"))?;
            let value: u32 = value
                .trim()
                .parse()
                .map_err(|_| bad("the value must be a whole number"))?;
            if key == "token_failures_per_minute" {
                self.token_failures_per_minute = value;
            } else {
                table.insert(
                    key.trim().replace('-', "_"),
                    toml::Value::Integer(value.into()),
                );
            }
        }
        let overrides: PolicyOverrides = table.try_into().map_err(|e: toml::de::Error| {
            OptionError::Policy(pairs.join(" "), e.message().to_owned())
        })?;
        self.otp = self.otp.with(&overrides);
        Ok(self)
    }
}

/// Which checks run: all, or those `only` names, less those `skip` names.
/// A pattern names a check, a prefix of dotted segments (`flows.rao`) or a
/// glob with `*` (`*.single-use`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether the check named `name` runs.
    pub fn includes(&self, name: &str) -> bool {
        let hit = |patterns: &[String]| patterns.iter().any(|p| matches(p, name));
        (self.only.is_empty() || hit(&self.only)) && !hit(&self.skip)
    }
}

fn matches(pattern: &str, name: &str) -> bool {
    if pattern.contains('*') {
        return glob(pattern.as_bytes(), name.as_bytes());
    }
    name == pattern
        || name
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.'))
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text
            .split_first()
            .is_some_and(|(t, tail)| t == c && glob(rest, tail)),
    }
}

/// The client the kit acts as, and the request headers it sends.
#[derive(Debug, Clone)]
pub struct Identity {
    pub client_id: String,
    pub client_secret: String,
    /// The client's payload cipher (RAO `format: byte` fields).
    pub cipher: Cipher,
    pub country: String,
    pub business: String,
    pub channel: String,
}

impl Default for Identity {
    /// The sandbox's `sandbox` client.
    fn default() -> Self {
        Self {
            client_id: "sandbox".into(),
            client_secret: "sandbox-secret".into(),
            cipher: Cipher::Plain,
            country: "MX".into(),
            business: "GCB".into(),
            channel: "MOBILE".into(),
        }
    }
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `http://host:port[/prefix]`: the specs' paths (`/api/v1/…`) are appended.
    pub target: String,
    pub identity: Identity,
    /// Where OTPs come from; several may be given (a test phone per API).
    pub sources: Vec<SourceSpec>,
    pub selection: Selection,
    pub policy: KitPolicy,
    /// `phoneCountryCode` of the RAO phones the kit makes up.
    pub country_code: String,
    /// The first digits of the 10-digit phones the kit makes up.
    pub phone_prefix: String,
    /// Bound on each request.
    pub timeout: Duration,
    /// Bound on the whole run, preflight included: past it the running
    /// check fails and the rest are not run.
    pub deadline: Duration,
    /// How long to wait for an SMS to arrive.
    pub sms_wait: Duration,
    /// Whether the kit may move the target's sandbox clock
    /// (docs/BEHAVIOUR.md#what-a-run-changes-on-the-target); without it the
    /// checks that need time to pass are skipped.
    pub move_clock: bool,
}

impl Options {
    /// Defaults for `target`: the sandbox client, the outbox, every check.
    pub fn new(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            identity: Identity::default(),
            sources: vec![SourceSpec::Outbox],
            selection: Selection::default(),
            policy: KitPolicy::default(),
            country_code: "+52".into(),
            phone_prefix: "55".into(),
            timeout: Duration::from_secs(10),
            deadline: DEFAULT_DEADLINE,
            sms_wait: Duration::from_secs(5),
            move_clock: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_by_name_prefix_and_glob() {
        let only = |p: &[&str]| Selection {
            only: p.iter().map(|s| s.to_string()).collect(),
            skip: vec![],
        };
        assert!(only(&["flows"]).includes("flows.rao.single-use"));
        assert!(!only(&["flow"]).includes("flows.rao.single-use"));
        assert!(only(&["*.single-use"]).includes("flows.rao.single-use"));
        assert!(only(&[]).includes("anything"));
        let skip = Selection {
            only: vec![],
            skip: vec!["semantics.*.expiry".into()],
        };
        assert!(!skip.includes("semantics.rao.expiry"));
        assert!(skip.includes("semantics.rao.attempt-limit"));
    }

    #[test]
    fn sources_and_policy_overrides_parse() {
        assert_eq!("outbox".parse(), Ok(SourceSpec::Outbox));
        assert_eq!(
            "test-phone:+525500000001=123456".parse(),
            Ok(SourceSpec::TestPhone {
                phone: "+525500000001".into(),
                otp: "123456".into()
            })
        );
        assert!(matches!(
            "webhook:127.0.0.1:17010".parse(),
            Ok(SourceSpec::Webhook(_))
        ));
        assert!("test-phone:abc=1".parse::<SourceSpec>().is_err());
        let policy = KitPolicy::default()
            .with_overrides(&["max_attempts=5".into(), "min-send-interval-secs=0".into()])
            .unwrap();
        assert_eq!(
            (policy.otp.max_attempts, policy.otp.min_send_interval_secs),
            (5, 0)
        );
        assert!(KitPolicy::default()
            .with_overrides(&["nope=1".into()])
            .is_err());
    }
}
