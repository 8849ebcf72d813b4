//! The sandbox's shared state in Redis, beside the store's keys and on its
//! connection, under the `{sandbox}` hash tag (one cluster slot): the
//! state hash (`offset`, `gen`, `resets`), the phone epochs of each
//! generation and its outbox lists. Each operation is one command or one
//! script: one round trip.

use super::{OutboxMessage, SharedState, View, MAX_OFFSET};
use crate::clock::{parse_rfc3339, Millis};
use crate::crypto::{hex, Digest};
use crate::store::redis::{error, RedisStore};
use crate::store::StoreError;
use async_trait::async_trait;
use redis::Script;
use std::sync::{Arc, LazyLock};

/// Messages kept per recipient.
const PER_RECIPIENT: usize = 100;
/// How long an outbox list outlives its last message.
const OUTBOX_KEEP_MS: u64 = 24 * 3600 * 1000;
/// How long a generation's phone epochs outlive the last per-phone reset.
const EPOCHS_KEEP_MS: u64 = 30 * 24 * 3600 * 1000;

/// KEYS: state. ARGV: the offset and generation this instance knew. Never
/// back within a generation: a lost state (Redis restarted empty) or a
/// lower offset is put back to what the instance knew.
static VIEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local s = redis.call('HMGET', KEYS[1], 'offset', 'gen', 'resets')
local off, gen, resets = tonumber(s[1] or '0'), tonumber(s[2] or '0'), tonumber(s[3] or '0')
local koff, kgen = tonumber(ARGV[1]), tonumber(ARGV[2])
if gen < kgen then
  gen, off = kgen, koff
  redis.call('HSET', KEYS[1], 'gen', gen, 'offset', off)
elseif gen == kgen and off < koff then
  off = koff
  redis.call('HSET', KEYS[1], 'offset', off)
end
return {off, gen, resets}
",
    )
});

/// KEYS: state. ARGV: ms to add, the most the offset may be. The new
/// offset, or -1 past the most.
static ADVANCE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local off = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0') + tonumber(ARGV[1])
if off > tonumber(ARGV[2]) then return -1 end
redis.call('HSET', KEYS[1], 'offset', off)
redis.call('HSETNX', KEYS[1], 'gen', 0)
return off
",
    )
});

/// KEYS: state. A new generation, the clock back to the system's.
static RESET_ALL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('HSET', KEYS[1], 'offset', 0)
local resets = redis.call('HINCRBY', KEYS[1], 'resets', 1)
return {0, redis.call('HINCRBY', KEYS[1], 'gen', 1), resets}
",
    )
});

/// KEYS: state, the generation's epochs, its outbox of all messages, then
/// each recipient's list. ARGV: the phone, the epochs' keep ms, then the
/// recipients. A new epoch for the phone; its messages gone from every
/// list (the list of all keeps its expiry).
static RESET_PHONE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'resets', 1)
redis.call('HSETNX', KEYS[1], 'gen', 0)
for i = 4, #KEYS do redis.call('DEL', KEYS[i]) end
local gone = {}
for i = 3, #ARGV do gone[ARGV[i]] = true end
local kept = {}
for _, json in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
  local ok, message = pcall(cjson.decode, json)
  if not (ok and gone[message.to]) then table.insert(kept, json) end
end
local ttl = redis.call('PTTL', KEYS[3])
redis.call('DEL', KEYS[3])
if #kept > 0 then
  redis.call('RPUSH', KEYS[3], unpack(kept))
  if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
end
return 1
",
    )
});

/// KEYS: the list of all messages, the recipient's list. ARGV: message
/// JSON, capacity of each list, keep ms.
static PUSH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
for i, key in ipairs(KEYS) do
  redis.call('LPUSH', key, ARGV[1])
  redis.call('LTRIM', key, 0, tonumber(ARGV[i + 1]) - 1)
  redis.call('PEXPIRE', key, ARGV[4])
end
return 1
",
    )
});

/// The sandbox's state on a Redis store's connection.
pub(crate) struct RedisState {
    redis: Arc<RedisStore>,
}

impl RedisState {
    pub(crate) fn new(redis: Arc<RedisStore>) -> Self {
        Self { redis }
    }

    fn state_key(&self) -> String {
        self.redis.key("sandbox:{sandbox}")
    }

    fn epochs_key(&self, generation: u64) -> String {
        self.redis
            .key(&format!("sandbox:{{sandbox}}:g{generation}:epochs"))
    }

    fn outbox_key(&self, generation: u64, to: Option<&str>) -> String {
        let list = match to {
            Some(to) => format!("sandbox:{{sandbox}}:g{generation}:outbox:to:{to}"),
            None => format!("sandbox:{{sandbox}}:g{generation}:outbox"),
        };
        self.redis.key(&list)
    }
}

/// A script's `{offset, gen, resets}` answer.
fn view_of(reply: &[u64]) -> View {
    let at = |i: usize| reply.get(i).copied().unwrap_or(0);
    View {
        offset: at(0),
        generation: at(1),
        phone_resets: at(2),
    }
}

#[async_trait]
impl SharedState for RedisState {
    async fn view(&self, known: &View) -> Result<View, StoreError> {
        let mut call = VIEW.prepare_invoke();
        call.key(self.state_key())
            .arg(known.offset)
            .arg(known.generation);
        let reply: Vec<u64> = self.redis.invoke(&call).await?;
        Ok(view_of(&reply))
    }

    async fn advance_clock(&self, by: Millis) -> Result<Option<Millis>, StoreError> {
        let mut call = ADVANCE.prepare_invoke();
        call.key(self.state_key()).arg(by).arg(MAX_OFFSET);
        let offset: i64 = self.redis.invoke(&call).await?;
        Ok(u64::try_from(offset).ok())
    }

    async fn reset_all(&self) -> Result<View, StoreError> {
        let mut call = RESET_ALL.prepare_invoke();
        call.key(self.state_key());
        let reply: Vec<u64> = self.redis.invoke(&call).await?;
        Ok(view_of(&reply))
    }

    async fn reset_phone(
        &self,
        generation: u64,
        phone: &Digest,
        recipients: &[String],
    ) -> Result<(), StoreError> {
        let mut call = RESET_PHONE.prepare_invoke();
        call.key(self.state_key())
            .key(self.epochs_key(generation))
            .key(self.outbox_key(generation, None))
            .arg(hex(phone))
            .arg(EPOCHS_KEEP_MS);
        for to in recipients {
            call.key(self.outbox_key(generation, Some(to))).arg(to);
        }
        self.redis.invoke::<i64>(&call).await.map(drop)
    }

    async fn phone_epoch(&self, generation: u64, phone: &Digest) -> Result<u64, StoreError> {
        let cmd = redis::cmd("HGET")
            .arg(self.epochs_key(generation))
            .arg(hex(phone))
            .clone();
        let epoch: Option<u64> = self.redis.command(cmd).await?;
        Ok(epoch.unwrap_or(0))
    }

    /// Two capped lists, written by one script: every message (for
    /// `to`-less reads) and one per recipient, so that reading one
    /// recipient's SMS costs `limit` entries, not the whole outbox.
    async fn push_message(
        &self,
        generation: u64,
        message: &OutboxMessage,
        _sent: Millis,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(message).map_err(error)?;
        let mut call = PUSH.prepare_invoke();
        call.key(self.outbox_key(generation, None))
            .key(self.outbox_key(generation, Some(&message.to)))
            .arg(json)
            .arg(capacity.max(1))
            .arg(capacity.clamp(1, PER_RECIPIENT))
            .arg(OUTBOX_KEEP_MS);
        self.redis.invoke::<i64>(&call).await.map(drop)
    }

    /// The lists are newest first, so the messages after `since` are the
    /// first ones: reading `limit` and filtering is enough.
    async fn messages(
        &self,
        generation: u64,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let last = limit.max(1) as isize - 1;
        let cmd = redis::cmd("LRANGE")
            .arg(self.outbox_key(generation, to))
            .arg(0)
            .arg(last)
            .clone();
        let messages: Vec<String> = self.redis.command(cmd).await?;
        let after = |m: &OutboxMessage| {
            since.is_none_or(|since| parse_rfc3339(&m.sent_at).is_some_and(|at| at > since))
        };
        Ok(messages
            .iter()
            .filter_map(|json| serde_json::from_str::<OutboxMessage>(json).ok())
            .filter(after)
            .collect())
    }
}
