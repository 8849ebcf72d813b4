//! Where challenges, certified phones and throttle counters live.
//!
//! The [`Store`] trait's operations are the atomic steps the flows need
//! ("check the attempt and consume", "permit a send and count it"), never a
//! bare get followed by a set, so that every implementation — memory now,
//! Redis with one script per step later — stays correct under concurrency
//! and across instances. Keys are built by the OTP engine; the store treats
//! them as opaque and keeps each entry only as long as it is told.

pub mod memory;
pub mod metered;
pub mod redis;

use crate::sms::OutboxMessage;
use async_trait::async_trait;
use std::time::Duration;

/// A keyed hash (HMAC-SHA256, truncated to 128 bits) of an OTP, phone or
/// customer id. 128 bits keep forgery and collisions out of reach while
/// halving what each live challenge costs in memory.
pub type Digest = [u8; 16];

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

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
    /// Remove it: an OTP works once.
    Consume,
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

/// The store failed to answer: unreachable, timed out, or broken.
#[derive(Debug, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

/// The atomic steps of the OTP flows.
#[async_trait]
pub trait Store: Send + Sync {
    /// Checks the phone's send and failure counters against `limits` and,
    /// when allowed, counts this send; one step.
    async fn permit_send(
        &self,
        phone: &Digest,
        limits: &SendLimits,
        now: Millis,
    ) -> Result<SendDecision, StoreError>;

    /// Creates or replaces the challenge at `key`, kept for `keep_for`.
    async fn put_challenge(
        &self,
        key: &str,
        challenge: Challenge,
        keep_for: Duration,
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
    async fn fail_attempt(&self, key: &str) -> Result<Attempt, StoreError>;

    /// Removes the challenge at `key`; true for exactly one caller.
    async fn consume(&self, key: &str) -> Result<bool, StoreError>;

    /// Counts a wrong attempt against the phone, in a window of `window`.
    async fn count_failure(
        &self,
        phone: &Digest,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError>;

    /// The certified phone recorded at `key`, if still live.
    async fn certified_phone(&self, key: &str) -> Result<Option<CertifiedPhone>, StoreError>;

    /// Keeps a secret digest (the MFA engine's) for `ttl`.
    async fn put_secret(&self, key: &str, digest: Digest, ttl: Duration) -> Result<(), StoreError>;

    /// The secret digest at `key`, if still live.
    async fn secret(&self, key: &str) -> Result<Option<Digest>, StoreError>;

    /// Removes the secret at `key`, if any.
    async fn remove_secret(&self, key: &str) -> Result<(), StoreError>;

    /// Adds a message to the sandbox outbox, dropping the oldest past `capacity`.
    async fn push_outbox(&self, message: &OutboxMessage, capacity: usize)
        -> Result<(), StoreError>;

    /// Outbox messages to `to` (all when `None`), newest first, at most `limit`.
    async fn outbox(
        &self,
        to: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Answers when the store is usable.
    async fn ping(&self) -> Result<(), StoreError>;
}
