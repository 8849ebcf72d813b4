//! The sandbox's shared state, beside the production store and on the same
//! backend, so that every instance on one store sees one sandbox: the
//! clock offset, the reset generation, the per-phone reset epochs and the
//! outbox. The production store knows none of it.
//!
//! Each request of a sandbox reads the [`View`] once ([`SharedState::view`]:
//! one round trip on Redis); the sandbox's store decorator and clock work
//! from that view, so every rule of the request — expiry, throttles, the
//! lock, bearer tokens — sees the same clock on every instance. Within a
//! generation the clock never moves back: a view read by an instance that
//! knew a later offset (another instance's stale write, a Redis that
//! restarted empty) puts the later one back.

mod memory;
mod redis;

pub(crate) use memory::MemoryState;
pub(crate) use redis::RedisState;

use crate::clock::Millis;
use crate::crypto::Digest;
use crate::store::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The sandbox as one request sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// How far the sandbox clock is ahead of the system's, in ms.
    pub offset: Millis,
    /// Raised by every reset of the whole sandbox: all state before it is gone.
    pub generation: u64,
    /// Raised by every per-phone reset: cached phone epochs are stale.
    pub phone_resets: u64,
    /// Raised by every change of a phone's behaviour (provider states).
    pub behaviours: u64,
    /// Raised by every reset of one client: cached client epochs are stale.
    pub client_resets: u64,
    /// Whether a phone may have a reset epoch in this generation. False
    /// (no per-phone reset since the generation began): every phone's
    /// epoch is 0, and a request need not read it.
    pub phone_epochs: bool,
}

/// A message the sandbox SMS gateway "sent", as `GET /sandbox/v1/sms` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub to: String,
    pub text: String,
    pub otp: String,
    /// RFC 3339 UTC with milliseconds, by the sandbox's clock.
    pub sent_at: String,
    /// What happened to it: `delivered`, `delayed` (delivered late, at
    /// `deliveredAt`) or `failed` (the gateway refused it: the send failed
    /// and its OTP was withdrawn). A lost SMS is not in the outbox.
    #[serde(default = "delivered")]
    pub status: String,
    /// When a delayed message reached the outbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// When its OTP expires, by the sandbox clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// When the phone last validated an OTP successfully after this message
    /// was sent (its OTP, or a later one): the message's OTP is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    /// The `client_id` whose request sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

fn delivered() -> String {
    "delivered".into()
}

/// A message as the shared state keeps it: what is shown, and what the
/// sandbox needs to show it (never shown itself).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredMessage {
    #[serde(flatten)]
    pub message: OutboxMessage,
    /// When it reaches the outbox (sandbox ms): after `sentAt` when delayed.
    #[serde(rename = "_visible", default)]
    pub visible_at: Millis,
    /// The phone's digest in the sandbox's namespace (hex), to tell whether
    /// it validated since.
    #[serde(rename = "_phone", default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Its client's reset epoch when it was sent.
    #[serde(rename = "_epoch", default)]
    pub client_epoch: u64,
    /// Its number in the Redis outbox, given by the store's push script as
    /// it writes the message (never written here; 0 on the memory store,
    /// and for a message pushed before messages were numbered).
    #[serde(rename = "_seq", default, skip_serializing)]
    pub seq: u64,
}

/// How often one documented answer was given to one client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub count: u64,
    /// How many of them a `Prefer` forced.
    pub forced: u64,
    pub first: Millis,
    pub last: Millis,
}

/// The sandbox clock's longest total offset: 10 years.
pub const MAX_OFFSET: Millis = 10 * 365 * 86_400_000;

/// Where the sandbox's shared state lives: in this process, or in Redis.
#[async_trait]
pub trait SharedState: Send + Sync {
    /// The current view; `known` is what this instance last saw (a lost or
    /// stale offset of the same generation is put back, never lowered).
    async fn view(&self, known: &View) -> Result<View, StoreError>;

    /// Moves the clock forward by `by` ms: the new offset, or `None` when
    /// the total would pass [`MAX_OFFSET`] (nothing moves).
    async fn advance_clock(&self, by: Millis) -> Result<Option<Millis>, StoreError>;

    /// Forgets everything: a new generation, the clock back to the
    /// system's, the outbox emptied. The new view.
    async fn reset_all(&self) -> Result<View, StoreError>;

    /// Forgets one phone: a new epoch for it (its counters and live OTPs are
    /// out of reach) and its outbox messages (to any of `recipients`).
    async fn reset_phone(
        &self,
        generation: u64,
        phone: &Digest,
        recipients: &[String],
    ) -> Result<(), StoreError>;

    /// The phone's reset epoch in `generation` (0 until it is reset).
    async fn phone_epoch(&self, generation: u64, phone: &Digest) -> Result<u64, StoreError>;

    /// Adds a message to the outbox, dropping the oldest past `capacity`.
    async fn push_message(
        &self,
        generation: u64,
        message: &StoredMessage,
        capacity: usize,
    ) -> Result<(), StoreError>;

    /// Messages to `to` (all when `None`) that reached the outbox after
    /// `since` (all when `None`), newest first, at most `limit` (read
    /// before hiding those not yet visible).
    async fn messages(
        &self,
        generation: u64,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError>;

    /// Sets (or with `None` forgets) how a phone behaves; raises
    /// [`View::behaviours`].
    async fn set_behaviour(
        &self,
        generation: u64,
        phone: &Digest,
        behaviour: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Every phone's behaviour set in `generation` (JSON).
    async fn behaviours(&self, generation: u64) -> Result<Vec<(Digest, String)>, StoreError>;

    /// Forgets one client: a new epoch for it (its challenges, sessions,
    /// messages and coverage are out of reach); raises
    /// [`View::client_resets`]. The new epoch.
    async fn reset_client(&self, generation: u64, client: &str) -> Result<u64, StoreError>;

    /// The client's reset epoch in `generation` (0 until it is reset).
    async fn client_epoch(&self, generation: u64, client: &str) -> Result<u64, StoreError>;

    /// Notes that `phone` (namespaced digest, hex) validated an OTP at `at`.
    async fn mark_validated(
        &self,
        generation: u64,
        phone: &str,
        at: Millis,
    ) -> Result<(), StoreError>;

    /// When each of `phones` last validated an OTP.
    async fn validated(
        &self,
        generation: u64,
        phones: &[String],
    ) -> Result<Vec<Option<Millis>>, StoreError>;

    /// Counts one answer (`row`) given to `client` in its `epoch`.
    async fn record_coverage(
        &self,
        generation: u64,
        client: &str,
        epoch: u64,
        row: &str,
        forced: bool,
        at: Millis,
    ) -> Result<(), StoreError>;

    /// Every answer counted for `client` in its `epoch`, by row.
    async fn coverage(
        &self,
        generation: u64,
        client: &str,
        epoch: u64,
    ) -> Result<Vec<(String, Seen)>, StoreError>;
}

/// A digest from its hex.
pub(crate) fn unhex(text: &str) -> Option<Digest> {
    let mut out = Digest::default();
    if text.len() != out.len() * 2 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
