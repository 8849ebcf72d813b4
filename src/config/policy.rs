//! `[policy]`: the OTP rules (docs/BEHAVIOUR.md, "Policy"), with per-client overrides.

use anyhow::ensure;
use serde::Deserialize;
use std::time::Duration;

/// The rules every flow follows. Defaults are docs/BEHAVIOUR.md's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// How long an OTP can be validated (NIST SP 800-63B: at most 10 minutes).
    pub otp_lifetime_secs: u64,
    /// Wrong attempts before a challenge is burnt.
    pub max_attempts: u32,
    /// Wrong attempts per phone per hour, across OTPs; past it, sends to the
    /// phone are refused until the hour ends (a new OTP does not reset it).
    pub max_failures_per_phone_hour: u32,
    /// Minimum time between two sends to one phone.
    pub min_send_interval_secs: u64,
    /// Sends to one phone per `send_window_secs`.
    pub max_sends_per_window: u32,
    /// The window of `max_sends_per_window`.
    pub send_window_secs: u64,
    /// How long a validated RAO phone stays the session's certified phone.
    pub certified_phone_lifetime_secs: u64,
    /// Digits of a RAO OTP.
    pub rao_otp_length: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            otp_lifetime_secs: 300,
            max_attempts: 3,
            max_failures_per_phone_hour: 10,
            min_send_interval_secs: 30,
            max_sends_per_window: 5,
            send_window_secs: 900,
            certified_phone_lifetime_secs: 1_800,
            rao_otp_length: 6,
        }
    }
}

/// A client's `[clients.policy]`: only the rules it changes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    pub otp_lifetime_secs: Option<u64>,
    pub max_attempts: Option<u32>,
    pub max_failures_per_phone_hour: Option<u32>,
    pub min_send_interval_secs: Option<u64>,
    pub max_sends_per_window: Option<u32>,
    pub send_window_secs: Option<u64>,
    pub certified_phone_lifetime_secs: Option<u64>,
    pub rao_otp_length: Option<usize>,
}

impl Policy {
    /// This policy with `overrides` applied.
    pub fn with(&self, o: &PolicyOverrides) -> Self {
        Self {
            otp_lifetime_secs: o.otp_lifetime_secs.unwrap_or(self.otp_lifetime_secs),
            max_attempts: o.max_attempts.unwrap_or(self.max_attempts),
            max_failures_per_phone_hour: o
                .max_failures_per_phone_hour
                .unwrap_or(self.max_failures_per_phone_hour),
            min_send_interval_secs: o
                .min_send_interval_secs
                .unwrap_or(self.min_send_interval_secs),
            max_sends_per_window: o.max_sends_per_window.unwrap_or(self.max_sends_per_window),
            send_window_secs: o.send_window_secs.unwrap_or(self.send_window_secs),
            certified_phone_lifetime_secs: o
                .certified_phone_lifetime_secs
                .unwrap_or(self.certified_phone_lifetime_secs),
            rao_otp_length: o.rao_otp_length.unwrap_or(self.rao_otp_length),
        }
    }

    /// Refuses rules that would make OTPs unsafe or flows impossible.
    pub fn check(&self) -> anyhow::Result<()> {
        ensure!(
            (1..=600).contains(&self.otp_lifetime_secs),
            "otp_lifetime_secs must be 1..=600 (NIST SP 800-63B: at most 10 minutes)"
        );
        ensure!(self.max_attempts >= 1, "max_attempts must be at least 1");
        ensure!(
            self.max_failures_per_phone_hour >= 1,
            "max_failures_per_phone_hour must be at least 1"
        );
        ensure!(
            self.max_sends_per_window >= 1,
            "max_sends_per_window must be at least 1"
        );
        ensure!(
            self.send_window_secs >= 1,
            "send_window_secs must be at least 1"
        );
        ensure!(
            self.certified_phone_lifetime_secs >= 1,
            "certified_phone_lifetime_secs must be at least 1"
        );
        ensure!(
            (6..=10).contains(&self.rao_otp_length),
            "rao_otp_length must be 6..=10 digits (NIST: at least 6)"
        );
        Ok(())
    }

    pub fn otp_lifetime(&self) -> Duration {
        Duration::from_secs(self.otp_lifetime_secs)
    }

    pub fn certified_phone_lifetime(&self) -> Duration {
        Duration::from_secs(self.certified_phone_lifetime_secs)
    }
}
