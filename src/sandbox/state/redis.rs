//! The sandbox's shared state in Redis, beside the store's keys and on its
//! connection, under the `{sandbox}` hash tag (one cluster slot): the
//! state hash (`offset`, `gen`, `resets`, `behaviours`, `clients`, and
//! `outbox`, the count that numbers the outbox's messages), the phone
//! epochs of each generation and its outbox lists. Each operation is one
//! command or one script: one round trip.

use super::{unhex, Seen, SharedState, StoredMessage, View, MAX_OFFSET};
use crate::clock::Millis;
use crate::crypto::{hex, Digest};
use crate::store::redis::{error, Call, RedisStore};
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

/// KEYS: state, the phone epochs of the generation this instance knew.
/// ARGV: the offset and generation this instance knew. Never back within a
/// generation: a lost state (Redis restarted empty) or a lower offset is
/// put back to what the instance knew. Its last answer says whether a
/// phone may have an epoch (1 when the generation moved on: the epochs
/// named are not its own).
static VIEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local s = redis.call('HMGET', KEYS[1], 'offset', 'gen', 'resets', 'behaviours', 'clients')
local off, gen, resets = tonumber(s[1] or '0'), tonumber(s[2] or '0'), tonumber(s[3] or '0')
local behaviours, clients = tonumber(s[4] or '0'), tonumber(s[5] or '0')
local koff, kgen = tonumber(ARGV[1]), tonumber(ARGV[2])
if gen < kgen then
  gen, off = kgen, koff
  redis.call('HSET', KEYS[1], 'gen', gen, 'offset', off)
elseif gen == kgen and off < koff then
  off = koff
  redis.call('HSET', KEYS[1], 'offset', off)
end
local epochs = 1
if gen == kgen then epochs = redis.call('EXISTS', KEYS[2]) end
return {off, gen, resets, behaviours, clients, epochs}
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
local behaviours = redis.call('HINCRBY', KEYS[1], 'behaviours', 1)
local clients = redis.call('HINCRBY', KEYS[1], 'clients', 1)
return {0, redis.call('HINCRBY', KEYS[1], 'gen', 1), resets, behaviours, clients}
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

/// KEYS: the list of all messages, the recipient's list, the state.
/// ARGV: message JSON, capacity of each list, keep ms. The message gets
/// the next number of the state's `outbox` count as its `_seq` (a
/// recipient's read keeps only what the list of all still holds: see
/// [`READ_TO`]). A list is trimmed only once it is over its capacity.
static PUSH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local seq = redis.call('HINCRBY', KEYS[3], 'outbox', 1)
local json = '{"_seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
for i = 1, 2 do
  local capacity = tonumber(ARGV[i + 1])
  if redis.call('LPUSH', KEYS[i], json) > capacity then
    redis.call('LTRIM', KEYS[i], 0, capacity - 1)
  end
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
end
return 1
"#,
    )
});

/// KEYS: the list of all messages, the recipient's list. ARGV: the last
/// index read. The oldest message of all (empty: none), then the
/// recipient's newest. Messages are numbered as they are pushed and the
/// list of all drops its oldest first, so a recipient's message is still
/// in it exactly when its number is no lower than that oldest's: the
/// outbox's capacity holds for one phone's read too, as on the memory
/// store.
static READ_TO: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local list = redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[1]))
table.insert(list, 1, redis.call('LINDEX', KEYS[1], -1) or '')
return list
",
    )
});

/// A pushed message's number (0: pushed before messages were numbered),
/// without reading the rest of it.
fn seq_of(json: &str) -> u64 {
    #[derive(serde::Deserialize)]
    struct Numbered {
        #[serde(rename = "_seq", default)]
        seq: u64,
    }
    serde_json::from_str::<Numbered>(json).map_or(0, |n| n.seq)
}

/// KEYS: state, the generation's behaviours. ARGV: the phone, the
/// behaviour's JSON (empty: forget it), keep ms.
static SET_BEHAVIOUR: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('HINCRBY', KEYS[1], 'behaviours', 1)
redis.call('HSETNX', KEYS[1], 'gen', 0)
return 1
",
    )
});

/// KEYS: state, the generation's client epochs. ARGV: the client, keep
/// ms. The client's new epoch.
static RESET_CLIENT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local epoch = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'clients', 1)
redis.call('HSETNX', KEYS[1], 'gen', 0)
return epoch
",
    )
});

/// KEYS: the generation's validations. ARGV: the phone, when, keep ms.
static VALIDATED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > last then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
",
    )
});

/// KEYS: the client's coverage hash. ARGV: the row, 1 when forced, when,
/// keep ms. Fields `<row>|n`, `<row>|f`, `<row>|first`, `<row>|last`.
static COVER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local row = ARGV[1]
local n = redis.call('HINCRBY', KEYS[1], row .. '|n', 1)
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], row .. '|f', 1) end
if n == 1 then
  redis.call('HSET', KEYS[1], row .. '|first', ARGV[3], row .. '|last', ARGV[3])
else
  local last = tonumber(redis.call('HGET', KEYS[1], row .. '|last') or '0')
  if tonumber(ARGV[3]) > last then redis.call('HSET', KEYS[1], row .. '|last', ARGV[3]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
",
    )
});

/// How long the generation's behaviours, client epochs, validations and
/// coverage outlive their last change.
const KEEP_MS: u64 = 30 * 24 * 3600 * 1000;

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

    fn generation_key(&self, generation: u64, what: &str) -> String {
        self.redis
            .key(&format!("sandbox:{{sandbox}}:g{generation}:{what}"))
    }

    fn outbox_key(&self, generation: u64, to: Option<&str>) -> String {
        let list = match to {
            Some(to) => format!("sandbox:{{sandbox}}:g{generation}:outbox:to:{to}"),
            None => format!("sandbox:{{sandbox}}:g{generation}:outbox"),
        };
        self.redis.key(&list)
    }
}

/// A script's `{offset, gen, resets, behaviours, clients, epochs}` answer
/// (no `epochs`: a phone may have one).
fn view_of(reply: &[u64]) -> View {
    let at = |i: usize| reply.get(i).copied().unwrap_or(0);
    View {
        offset: at(0),
        generation: at(1),
        phone_resets: at(2),
        behaviours: at(3),
        client_resets: at(4),
        phone_epochs: reply.get(5) != Some(&0),
    }
}

#[async_trait]
impl SharedState for RedisState {
    async fn view(&self, known: &View) -> Result<View, StoreError> {
        let call = Call::new(&VIEW)
            .key(self.state_key())
            .key(self.epochs_key(known.generation))
            .arg(known.offset)
            .arg(known.generation);
        let reply: Vec<u64> = self.redis.run(call).await?;
        Ok(view_of(&reply))
    }

    async fn advance_clock(&self, by: Millis) -> Result<Option<Millis>, StoreError> {
        let call = Call::new(&ADVANCE)
            .key(self.state_key())
            .arg(by)
            .arg(MAX_OFFSET);
        let offset: i64 = self.redis.run(call).await?;
        Ok(u64::try_from(offset).ok())
    }

    async fn reset_all(&self) -> Result<View, StoreError> {
        let call = Call::new(&RESET_ALL).key(self.state_key());
        let reply: Vec<u64> = self.redis.run(call).await?;
        Ok(view_of(&reply))
    }

    async fn reset_phone(
        &self,
        generation: u64,
        phone: &Digest,
        recipients: &[String],
    ) -> Result<(), StoreError> {
        let mut call = Call::new(&RESET_PHONE)
            .key(self.state_key())
            .key(self.epochs_key(generation))
            .key(self.outbox_key(generation, None));
        for to in recipients {
            call = call.key(self.outbox_key(generation, Some(to)));
        }
        let mut call = call.arg(hex(phone)).arg(EPOCHS_KEEP_MS);
        for to in recipients {
            call = call.arg(to.as_str());
        }
        self.redis.run::<i64>(call).await.map(drop)
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
        message: &StoredMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(message).map_err(error)?;
        let call = Call::new(&PUSH)
            .key(self.outbox_key(generation, None))
            .key(self.outbox_key(generation, Some(&message.message.to)))
            .key(self.state_key())
            .arg(json)
            .arg(capacity.max(1))
            .arg(capacity.clamp(1, PER_RECIPIENT))
            .arg(OUTBOX_KEEP_MS);
        self.redis.run::<i64>(call).await.map(drop)
    }

    /// The lists are newest first, so the messages after `since` are the
    /// first ones: reading `limit` and filtering is enough.
    async fn messages(
        &self,
        generation: u64,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let last = limit.max(1) as isize - 1;
        let (messages, oldest): (Vec<String>, u64) = match to {
            None => {
                let cmd = redis::cmd("LRANGE")
                    .arg(self.outbox_key(generation, None))
                    .arg(0)
                    .arg(last)
                    .clone();
                (self.redis.command(cmd).await?, 0)
            }
            Some(to) => {
                let call = Call::new(&READ_TO)
                    .key(self.outbox_key(generation, None))
                    .key(self.outbox_key(generation, Some(to)))
                    .arg(last);
                let mut read: Vec<String> = self.redis.run(call).await?;
                let oldest = match read.first().map(String::as_str) {
                    None | Some("") => return Ok(Vec::new()),
                    Some(json) => seq_of(json),
                };
                read.remove(0);
                (read, oldest)
            }
        };
        let kept =
            |m: &StoredMessage| m.seq >= oldest && since.is_none_or(|since| m.visible_at > since);
        Ok(messages
            .iter()
            .filter_map(|json| serde_json::from_str::<StoredMessage>(json).ok())
            .filter(kept)
            .collect())
    }

    async fn set_behaviour(
        &self,
        generation: u64,
        phone: &Digest,
        behaviour: Option<&str>,
    ) -> Result<(), StoreError> {
        let call = Call::new(&SET_BEHAVIOUR)
            .key(self.state_key())
            .key(self.generation_key(generation, "behaviours"))
            .arg(hex(phone))
            .arg(behaviour.unwrap_or_default())
            .arg(KEEP_MS);
        self.redis.run::<i64>(call).await.map(drop)
    }

    async fn behaviours(&self, generation: u64) -> Result<Vec<(Digest, String)>, StoreError> {
        let cmd = redis::cmd("HGETALL")
            .arg(self.generation_key(generation, "behaviours"))
            .clone();
        let all: Vec<(String, String)> = self.redis.command(cmd).await?;
        Ok(all
            .into_iter()
            .filter_map(|(phone, json)| Some((unhex(&phone)?, json)))
            .collect())
    }

    async fn reset_client(&self, generation: u64, client: &str) -> Result<u64, StoreError> {
        let call = Call::new(&RESET_CLIENT)
            .key(self.state_key())
            .key(self.generation_key(generation, "clients"))
            .arg(client)
            .arg(KEEP_MS);
        self.redis.run::<u64>(call).await
    }

    async fn client_epoch(&self, generation: u64, client: &str) -> Result<u64, StoreError> {
        let cmd = redis::cmd("HGET")
            .arg(self.generation_key(generation, "clients"))
            .arg(client)
            .clone();
        let epoch: Option<u64> = self.redis.command(cmd).await?;
        Ok(epoch.unwrap_or(0))
    }

    async fn mark_validated(
        &self,
        generation: u64,
        phone: &str,
        at: Millis,
    ) -> Result<(), StoreError> {
        let call = Call::new(&VALIDATED)
            .key(self.generation_key(generation, "validated"))
            .arg(phone)
            .arg(at)
            .arg(OUTBOX_KEEP_MS);
        self.redis.run::<i64>(call).await.map(drop)
    }

    async fn validated(
        &self,
        generation: u64,
        phones: &[String],
    ) -> Result<Vec<Option<Millis>>, StoreError> {
        if phones.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("HMGET");
        cmd.arg(self.generation_key(generation, "validated"));
        for phone in phones {
            cmd.arg(phone);
        }
        self.redis.command(cmd).await
    }

    async fn record_coverage(
        &self,
        generation: u64,
        client: &str,
        epoch: u64,
        row: &str,
        forced: bool,
        at: Millis,
    ) -> Result<(), StoreError> {
        let call = Call::new(&COVER)
            .key(self.coverage_key(generation, client, epoch))
            .arg(row)
            .arg(u8::from(forced))
            .arg(at)
            .arg(KEEP_MS);
        self.redis.run::<i64>(call).await.map(drop)
    }

    async fn coverage(
        &self,
        generation: u64,
        client: &str,
        epoch: u64,
    ) -> Result<Vec<(String, Seen)>, StoreError> {
        let cmd = redis::cmd("HGETALL")
            .arg(self.coverage_key(generation, client, epoch))
            .clone();
        let fields: Vec<(String, u64)> = self.redis.command(cmd).await?;
        let mut rows: std::collections::BTreeMap<String, Seen> = Default::default();
        for (field, value) in fields {
            let Some((row, what)) = field.rsplit_once('|') else {
                continue;
            };
            let seen = rows.entry(row.to_owned()).or_default();
            match what {
                "n" => seen.count = value,
                "f" => seen.forced = value,
                "first" => seen.first = value,
                "last" => seen.last = value,
                _ => {}
            }
        }
        Ok(rows.into_iter().collect())
    }
}

impl RedisState {
    fn coverage_key(&self, generation: u64, client: &str, epoch: u64) -> String {
        self.generation_key(generation, &format!("coverage:e{epoch}:{client}"))
    }
}
