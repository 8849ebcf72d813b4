//! Where challenges, certified phones and throttle counters live.
//!
//! One small trait per consumer, so each part of the server sees only what
//! it uses: [`ChallengeStore`] (the OTP flows: challenges beside their
//! phone's throttle and lock counters, and the RAO certified phones),
//! [`AuthStore`] (the token endpoint's failure counters) and [`Health`].
//! A backend implements these three (eight methods); [`Store`] names that
//! whole, which the app wires into each consumer. That is all production
//! asks of a backend: the sandbox keeps its own shared state (clock,
//! resets, outbox) beside the store, in `crate::sandbox`, and reaches the
//! store only through these traits.
//!
//! Every method is an atomic step of a flow ("check the lock, take an
//! attempt, compare and count", "permit a send, count it and store the
//! challenge"), never a bare get followed by a set, so that the memory
//! store (locks) and Redis (one Lua script per step) stay correct under
//! concurrency and across instances: a rule is never split over two calls.
//! Every method that depends on time takes `now` from the caller's
//! [`Clock`]: the store never reads a clock of its own, so tests and the
//! sandbox can move time.
//! Keys are built by the domain; a store takes any key. (Redis packs the
//! domain's own shapes, `rao:{P}:S`, `tm:{P}:S` and `rao:{S}`, into a few
//! bytes, and keeps any other key as its text.)
//!
//! [`Clock`]: crate::clock::Clock

pub mod memory;
pub(crate) mod metered;
pub mod redis;

pub use crate::clock::Millis;
pub use crate::crypto::Digest;

use async_trait::async_trait;
use std::time::Duration;

/// An OTP waiting to be validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Keyed hash of the whole OTP (or of the part compared in the store,
    /// when a remote MFA engine checks the rest).
    pub code: Digest,
    /// Keyed hash of what the OTP is bound to: the phone (RAO). A
    /// telemarketing OTP's customer id is inside `code` instead (a wrong
    /// customer is a wrong OTP), and its binding is a constant.
    pub binding: Digest,
    /// When validation stops succeeding. The entry itself is kept a while
    /// longer so that a late attempt is told "expired" rather than "not found".
    pub expires_at: Millis,
    /// Wrong attempts left before the challenge is burnt.
    pub attempts_left: u32,
}

/// What a validation attempt brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub code: Digest,
    pub binding: Digest,
    /// Whether a binding mismatch counts as a wrong attempt (telemarketing)
    /// or is simply "not found" (RAO: another phone has no challenge).
    pub mismatch_counts: bool,
    /// The request this attempt answers (see [`Sending::request`]).
    pub request: Option<Digest>,
}

/// The phone lock: failures per phone in a window, across every OTP and
/// client (NIST SP 800-63B-4: a new secret does not reset the count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub max_failures: u32,
    pub window: Duration,
}

/// What to do when a candidate matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnMatch {
    /// Remove the challenge: an OTP works once.
    Consume,
    /// Remove it and record the RAO session's certified phone, in the same step.
    Certify {
        /// The RAO session's key.
        session: String,
        phone: CertifiedPhone,
        ttl: Duration,
    },
    /// A remote MFA engine checks the rest of the OTP: keep the challenge
    /// with this attempt taken from it and counted against the phone, until
    /// [`ChallengeStore::settle`] says how the check ended.
    Reserve,
}

/// The outcome of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Consumed (or certified), or reserved for the remote check.
    Matched,
    /// No challenge (never made, consumed, burnt, reset or long gone).
    NotFound,
    /// The binding differs and does not count: as good as not found.
    OtherBinding,
    Expired,
    /// The phone reached its failure limit: nothing was compared.
    Locked {
        retry_after: Duration,
    },
    /// Wrong; burnt when `attempts_left` is 0.
    Wrong {
        attempts_left: u32,
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
    /// Sends are refused while the phone is locked.
    pub lock: Lock,
}

/// The send of a new challenge: where, and under which limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sending<'a> {
    /// Keyed hash of the phone's identity.
    pub phone: &'a Digest,
    /// `None` for a sandbox test phone: never throttled.
    pub limits: Option<&'a SendLimits>,
    /// The RAO session whose earlier challenge (for any phone) this one
    /// replaces and whose certified phone it clears.
    pub session: Option<&'a str>,
    /// The request this send answers (a digest of its client, operation,
    /// `uuid` and content). When a store call may have run without its
    /// answer reaching the server (Redis answered too late, or the
    /// connection dropped: the client got `500`), the same request again is
    /// the client's retry of a step that did happen: its send is not refused
    /// as "moments ago" (the window and the lock still count it), and its
    /// attempt's outcome is given again rather than compared twice. (The
    /// memory store cannot lose an answer: it ignores this.)
    pub request: Option<&'a Digest>,
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

/// The store failed to answer: unreachable, timed out, broken, or full.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The memory store holds `server.max_store_entries` entries.
    #[error("the store is full ({0} entries)")]
    Full(usize),
}

/// The OTP flows' challenges, and the certified phones RAO leaves behind.
/// A challenge lives beside its phone's counters (one Redis slot), so each
/// step below — limits, attempt and comparison — is one atomic step.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    /// Permits the send (throttles and phone lock, counting the send) and,
    /// when allowed, creates or replaces the challenge at `key`, kept for
    /// `keep_for`: one step. For a RAO session it also replaces the
    /// session's earlier challenge and clears its certified phone.
    async fn issue(
        &self,
        send: Sending<'_>,
        key: &str,
        challenge: &Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<SendDecision, StoreError>;

    /// Removes the challenge at `key` of `phone` (its SMS could not be sent).
    async fn withdraw(&self, phone: &Digest, key: &str) -> Result<(), StoreError>;

    /// One validation attempt, one step: refused while the phone is locked;
    /// otherwise takes an attempt from the challenge, compares `candidate`,
    /// counts a wrong one against the phone (burning the challenge at its
    /// last attempt) or applies `on_match`. No challenge is ever compared
    /// more than its attempts, nor a phone more than `lock` allows.
    async fn attempt(
        &self,
        phone: &Digest,
        key: &str,
        candidate: &Candidate,
        lock: &Lock,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError>;

    /// Ends an attempt reserved by [`OnMatch::Reserve`]: `verified`, the
    /// challenge is consumed and the phone's count given back; otherwise the
    /// reserved attempt stands as a wrong one.
    async fn settle(
        &self,
        phone: &Digest,
        key: &str,
        verified: bool,
        now: Millis,
    ) -> Result<Attempt, StoreError>;

    /// The certified phone recorded for the RAO `session`, if still live.
    async fn certified_phone(
        &self,
        session: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError>;
}

/// An authentication attempt at the token endpoint: whose, from where, and
/// the failures allowed in a window — per (client, source address), and in
/// all for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthAttempt<'a> {
    /// Keyed hash of the client id.
    pub client: &'a Digest,
    /// Hash of the source address (an IPv4 address or IPv6 /64).
    pub source: &'a Digest,
    pub per_source: u32,
    pub per_client: u32,
    pub window: Duration,
}

/// Failed client authentications at the token endpoint, per client and
/// source address, so that an attacker elsewhere cannot lock the real
/// client out.
#[async_trait]
pub trait AuthStore: Send + Sync {
    /// Takes one authentication attempt before the secret is compared:
    /// refused (with when to retry) once `per_source` are counted for the
    /// client from this source, or `per_client` from anywhere, in the
    /// window; otherwise counted as a failure until [`AuthStore::forgive`]
    /// gives it back.
    async fn reserve_auth(
        &self,
        attempt: &AuthAttempt<'_>,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError>;

    /// Gives back a reserved attempt whose secret was right.
    async fn forgive(&self, attempt: &AuthAttempt<'_>) -> Result<(), StoreError>;
}

/// Whether the store answers (`/health/ready`).
#[async_trait]
pub trait Health: Send + Sync {
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A whole backend: every part above, and all a production deployment
/// needs of it. The app hands each consumer only its part.
pub trait Store: ChallengeStore + AuthStore + Health {}

impl<T> Store for T where T: ChallengeStore + AuthStore + Health {}
