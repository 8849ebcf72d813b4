//! Where challenges, certified phones, throttle counters, MFA secrets and
//! the sandbox outbox live.
//!
//! One small trait per consumer, so each part of the domain sees only what
//! it uses: [`ChallengeStore`] (the OTP flows' challenges and the RAO
//! certified phones), [`CounterStore`] (send throttles and the phone lock),
//! [`SecretStore`] (the built-in MFA engine), [`OutboxStore`] (the sandbox
//! SMS gateway) and [`Health`]. A backend implements all of them; [`Store`]
//! names that whole, which the app wires into each consumer.
//!
//! Every method is an atomic step of a flow ("check the attempt and
//! consume", "permit a send and count it"), never a bare get followed by a
//! set, so that the memory store (locks) and Redis (one Lua script per
//! step) stay correct under concurrency and across instances. Every method
//! that depends on time takes `now` from the caller's [`Clock`]: the store
//! never reads a clock of its own, so tests and the sandbox can move time.
//! Keys are built by the domain; the store treats them as opaque.
//!
//! [`Clock`]: crate::clock::Clock

pub mod memory;
pub mod metered;
pub mod redis;

pub use crate::clock::Millis;
pub use crate::crypto::Digest;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// An OTP waiting to be validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Keyed hash of the OTP (the part kept in the session, for telemarketing).
    pub code: Digest,
    /// Keyed hash of what the OTP is bound to: the phone (RAO) or the customer id (telemarketing).
    pub binding: Digest,
    /// When validation stops succeeding. The entry itself is kept a while
    /// longer so that a late attempt is told "expired" rather than "not found".
    pub expires_at: Millis,
    /// Wrong attempts left before the challenge is burnt.
    pub attempts_left: u32,
    /// Keyed hash of the phone, whose failure count a wrong attempt raises.
    pub phone: Digest,
}

/// What a validation attempt brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub code: Digest,
    pub binding: Digest,
    /// Whether a binding mismatch counts as a wrong attempt (telemarketing)
    /// or is simply "not found" (RAO: another phone has no challenge).
    pub mismatch_counts: bool,
}

/// What to do when a candidate matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnMatch {
    /// Leave the challenge (a second factor is still to be checked).
    Keep,
    /// Remove it and record the session's certified phone, in the same step.
    ConsumeAndCertify {
        key: String,
        phone: CertifiedPhone,
        ttl: Duration,
    },
}

/// The outcome of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Matched,
    /// No challenge (never made, consumed, burnt or long gone).
    NotFound,
    /// The binding differs and does not count: as good as not found.
    OtherBinding,
    Expired,
    /// Wrong; burnt when `attempts_left` is 0. `phone` is the challenge's.
    Wrong {
        attempts_left: u32,
        phone: Digest,
    },
}

/// A phone validated by a RAO OTP, in clear: certified-phone returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertifiedPhone {
    pub country_code: String,
    pub number: String,
}

/// The send-throttling rules of one request (the client's policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    pub min_interval: Duration,
    pub max_sends: u32,
    pub window: Duration,
    pub max_failures: u32,
    pub failure_window: Duration,
}

/// Whether a send to a phone may happen now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendDecision {
    Allowed,
    /// Refused; a send may succeed after `retry_after`.
    Refused {
        reason: Throttle,
        retry_after: Duration,
    },
}

/// Why a send was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    TooSoon,
    TooMany,
    TooManyFailures,
}

/// A message the sandbox SMS gateway "sent", as `GET /sandbox/v1/sms` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxMessage {
    pub to: String,
    pub text: String,
    pub otp: String,
    #[serde(rename = "sentAt")]
    pub sent_at: String,
}

/// The store failed to answer: unreachable, timed out, or broken.
#[derive(Debug, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

/// The OTP flows' challenges, and the certified phones RAO leaves behind.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    /// Creates or replaces the challenge at `key`, kept for `keep_for`.
    async fn put_challenge(
        &self,
        key: &str,
        challenge: Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<(), StoreError>;

    /// Removes the challenge at `key`, if any.
    async fn remove_challenge(&self, key: &str) -> Result<(), StoreError>;

    /// Compares `candidate` with the challenge at `key`, counts a wrong
    /// attempt (burning the challenge at the last one) or applies `on_match`;
    /// one step.
    async fn attempt(
        &self,
        key: &str,
        candidate: &Candidate,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError>;

    /// Counts a wrong attempt found outside the store (the MFA engine said no).
    async fn fail_attempt(&self, key: &str, now: Millis) -> Result<Attempt, StoreError>;

    /// Removes the challenge at `key`; true for exactly one caller.
    async fn consume(&self, key: &str, now: Millis) -> Result<bool, StoreError>;

    /// The certified phone recorded at `key`, if still live.
    async fn certified_phone(
        &self,
        key: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError>;
}

/// Per-phone counters: send throttling and the failure lock.
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Checks the phone's send and failure counters against `limits` and,
    /// when allowed, counts this send; one step.
    async fn permit_send(
        &self,
        phone: &Digest,
        limits: &SendLimits,
        now: Millis,
    ) -> Result<SendDecision, StoreError>;

    /// Counts a wrong attempt against the phone, in a window of `window`.
    async fn count_failure(
        &self,
        phone: &Digest,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError>;
}

/// Secret digests of the built-in MFA engine.
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Keeps a secret digest for `ttl`.
    async fn put_secret(
        &self,
        key: &str,
        digest: Digest,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), StoreError>;

    /// The secret digest at `key`, if still live.
    async fn secret(&self, key: &str, now: Millis) -> Result<Option<Digest>, StoreError>;

    /// Removes the secret at `key`, if any.
    async fn remove_secret(&self, key: &str) -> Result<(), StoreError>;
}

/// The sandbox outbox: what the sandbox SMS gateway "sent".
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Adds a message, dropping the oldest past `capacity`.
    async fn push_outbox(&self, message: &OutboxMessage, capacity: usize)
        -> Result<(), StoreError>;

    /// Messages to `to` (all when `None`), newest first, at most `limit`.
    async fn outbox(
        &self,
        to: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
}

/// Whether the store answers (`/health/ready`).
#[async_trait]
pub trait Health: Send + Sync {
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A whole backend: every part above. The app hands each consumer only its part.
pub trait Store: ChallengeStore + CounterStore + SecretStore + OutboxStore + Health {}

impl<T: ChallengeStore + CounterStore + SecretStore + OutboxStore + Health> Store for T {}
