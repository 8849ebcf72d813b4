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
}

/// A message the sandbox SMS gateway "sent", as `GET /sandbox/v1/sms` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxMessage {
    pub to: String,
    pub text: String,
    pub otp: String,
    /// RFC 3339 UTC with milliseconds, by the sandbox's clock.
    #[serde(rename = "sentAt")]
    pub sent_at: String,
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

    /// Adds a message sent at `sent` to the outbox, dropping the oldest
    /// past `capacity`.
    async fn push_message(
        &self,
        generation: u64,
        message: &OutboxMessage,
        sent: Millis,
        capacity: usize,
    ) -> Result<(), StoreError>;

    /// Messages to `to` (all when `None`) sent after `since` (all when
    /// `None`), newest first, at most `limit`.
    async fn messages(
        &self,
        generation: u64,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
}
