//! `[[sandbox.test_phones]]`: phones with a fixed OTP, in the spirit of
//! Firebase's test phone numbers, so UI tests can log in without reading
//! an SMS. Sends to them are never throttled (attempt limits and the
//! phone lock still apply) and still reach the outbox. Sandbox only: a
//! configuration with `sandbox = false` and test phones refuses to start.

use crate::mfa::OTP_LENGTH;
use crate::phone::PhoneId;
use anyhow::{ensure, Context};
use serde::Deserialize;

/// `[[sandbox.test_phones]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestPhoneEntry {
    /// `+525500000001` (E.164: a RAO phone) or `5500000001` (national: a
    /// telemarketing `phoneNumber`, under the request's `countryCode`).
    pub phone: String,
    /// The OTP every send to this phone carries: RAO digits, or the 11
    /// telemarketing characters (the first 3 are generate's answer).
    pub otp: String,
    /// Its requests' answers are delayed: ms, or `"min-max"` (uniform).
    #[serde(default)]
    pub delay_ms: Option<DelayMs>,
    /// Its requests get this fault instead of an answer (WireMock's names).
    #[serde(default)]
    pub fault: Option<String>,
    /// What becomes of its SMS: `delivered` (default), `lost`, `failed`.
    #[serde(default)]
    pub sms: Option<String>,
    /// Its SMS reach the outbox this long after they are sent.
    #[serde(default)]
    pub sms_delay_ms: Option<u64>,
}

/// `delay_ms` as written: `500`, or `"200-800"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DelayMs {
    Ms(u64),
    Range(String),
}

impl std::fmt::Display for DelayMs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ms(ms) => write!(f, "{ms}"),
            Self::Range(range) => f.write_str(range),
        }
    }
}

/// `[sandbox]`: the sandbox layer's settings (ignored outside the sandbox,
/// where test phones refuse to start).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxConfig {
    pub test_phones: Vec<TestPhoneEntry>,
    /// Host names a request to an endpoint that changes the sandbox's state
    /// (reset, clock, provider states) may carry in `Host`, besides IP
    /// literals and `localhost` (a DNS-rebinding page carries its own
    /// name); `"*"` takes any. Also `--sandbox-allowed-hosts`.
    pub allowed_hosts: Vec<String>,
    /// Browser origins (`https://app.example.test`) that may call those
    /// endpoints, besides the sandbox's own pages.
    pub allowed_origins: Vec<String>,
    /// Most console event streams (`GET /sandbox/v1/events`) open at once
    /// on one instance; more are refused `429`.
    pub max_event_streams: usize,
    /// Longest an event stream lasts; the page reconnects by itself.
    pub event_stream_lifetime_secs: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            test_phones: Vec::new(),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_event_streams: 32,
            event_stream_lifetime_secs: 900,
        }
    }
}

/// The test phones, checked and ready to look up.
#[derive(Debug, Clone, Default)]
pub struct TestPhones {
    rao: Vec<(PhoneId, String)>,
    /// National numbers: normalized under each request's country.
    telemarketing: Vec<(String, String)>,
}

impl TestPhones {
    pub fn from_config(config: &SandboxConfig) -> anyhow::Result<Self> {
        let mut phones = Self::default();
        for entry in &config.test_phones {
            let (phone, otp) = (entry.phone.trim(), entry.otp.trim());
            let delay = entry.delay_ms.as_ref().map(ToString::to_string);
            crate::sandbox::misbehaviour::PhoneBehaviour::from_parts(
                delay.as_deref(),
                entry.fault.as_deref(),
                entry.sms.as_deref(),
                entry.sms_delay_ms,
            )
            .map_err(|e| anyhow::anyhow!("sandbox.test_phones: {phone}: {e}"))?;
            if phone.starts_with('+') {
                let id = PhoneId::from_e164(phone).with_context(|| {
                    format!("sandbox.test_phones: {phone} is not a phone number")
                })?;
                ensure!(
                    otp.len() >= 4 && otp.bytes().all(|b| b.is_ascii_digit()),
                    "sandbox.test_phones: the OTP of {phone} (RAO) must be digits"
                );
                phones.rao.push((id, otp.to_owned()));
            } else {
                ensure!(
                    (4..=15).contains(&phone.len()) && phone.bytes().all(|b| b.is_ascii_digit()),
                    "sandbox.test_phones: {phone} is neither +E.164 (RAO) nor 4 to 15 digits (telemarketing)"
                );
                ensure!(
                    otp.len() == OTP_LENGTH && otp.bytes().all(|b| b.is_ascii_alphanumeric()),
                    "sandbox.test_phones: the OTP of {phone} (telemarketing) must be {OTP_LENGTH} letters or digits"
                );
                phones
                    .telemarketing
                    .push((phone.to_owned(), otp.to_ascii_uppercase()));
            }
        }
        Ok(phones)
    }

    /// Every test phone and its OTP, as configured (for the banner).
    pub fn listed(&self) -> Vec<(String, &str)> {
        let rao = self.rao.iter().map(|(id, otp)| (id.e164(), otp.as_str()));
        let tm = self
            .telemarketing
            .iter()
            .map(|(n, otp)| (n.clone(), otp.as_str()));
        rao.chain(tm).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rao.is_empty() && self.telemarketing.is_empty()
    }

    /// The fixed OTP of a RAO phone, if it is a test phone.
    pub(crate) fn rao(&self, phone: &PhoneId) -> Option<&str> {
        self.rao
            .iter()
            .find(|(id, _)| id == phone)
            .map(|(_, otp)| otp.as_str())
    }

    /// The fixed OTP of a telemarketing phone, if it is a test phone: a
    /// listed national number under the phone's own calling code.
    pub(crate) fn telemarketing(&self, phone: &PhoneId) -> Option<&str> {
        self.telemarketing
            .iter()
            .find(|(number, _)| PhoneId::new(phone.country(), number).ok().as_ref() == Some(phone))
            .map(|(_, otp)| otp.as_str())
    }
}
