//! The Redis store: one node (`redis://host:port[/db]`) or a Redis Cluster
//! (`redis+cluster://h1:p1,h2:p2,…`), shared by any number of instances.
//!
//! Every state change is one Lua script run with EVALSHA (the `redis` crate
//! loads it on NOSCRIPT), so each flow step is atomic on the server. The
//! keys one script touches share a hash tag (`{…}`: the session, or the
//! phone), so in a cluster each script runs on one slot. Deadlines that a
//! rule reads (expiry, certified-phone lifetime, throttle windows) are
//! stored as values and compared with the caller's `now`, so the app's
//! clock decides; Redis's PEXPIRE only collects what no rule can read any
//! more. Nothing is swept and no KEYS/SCAN runs on a request.
//!
//! Connections are made lazily and remade after a failure, and every call
//! is bounded by `command_timeout_ms`: with Redis down a request fails fast
//! (`500 serverUnavailable`), and recovers by itself when Redis returns.

use super::{
    Attempt, Candidate, CertifiedPhone, Challenge, ChallengeStore, CounterStore, Digest, Health,
    Millis, OnMatch, OutboxMessage, OutboxStore, SecretStore, SendDecision, SendLimits, StoreError,
    Throttle,
};
use async_trait::async_trait;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, FromRedisValue, Script, ScriptInvocation, Value};
use serde::Deserialize;
use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::OnceCell;

/// `[redis]`: connection behaviour of the Redis store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisConfig {
    /// Time to open a connection.
    pub connect_timeout_ms: u64,
    /// Time for one command, reconnection included; past it the request
    /// answers `500 serverUnavailable`.
    pub command_timeout_ms: u64,
    /// Prefix of every key, so several deployments can share one Redis.
    pub key_prefix: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 250,
            command_timeout_ms: 300,
            key_prefix: "otp:".into(),
        }
    }
}

/// A connection to one node or to a cluster.
#[derive(Clone)]
enum Connection {
    Node(ConnectionManager),
    Cluster(ClusterConnection),
}

/// How to reach Redis; the cluster connection is opened on first use.
enum Target {
    Node(ConnectionManager),
    Cluster(Box<ClusterTarget>),
}

/// A cluster client and its connection, opened on first use.
struct ClusterTarget {
    client: redis::cluster::ClusterClient,
    connection: OnceCell<ClusterConnection>,
}

/// The Redis [`Store`].
pub struct RedisStore {
    target: Target,
    prefix: String,
    timeout: Duration,
}

impl RedisStore {
    /// Prepares a store for `url`; connects lazily, so a Redis that is down
    /// at startup only makes the server not ready.
    pub fn new(url: &str, config: &RedisConfig) -> Result<Self, StoreError> {
        let connect = Duration::from_millis(config.connect_timeout_ms);
        let command = Duration::from_millis(config.command_timeout_ms);
        let target = if let Some(nodes) = url.strip_prefix("redis+cluster://") {
            let nodes: Vec<String> = nodes.split(',').map(|n| format!("redis://{n}")).collect();
            let client = ClusterClientBuilder::new(nodes)
                .connection_timeout(connect)
                .response_timeout(command)
                .retries(1)
                .build()
                .map_err(error)?;
            Target::Cluster(Box::new(ClusterTarget {
                client,
                connection: OnceCell::new(),
            }))
        } else {
            let client = redis::Client::open(url).map_err(error)?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(connect))
                .set_response_timeout(Some(command))
                .set_number_of_retries(1)
                .set_min_delay(Duration::from_millis(10))
                .set_max_delay(Duration::from_millis(100));
            Target::Node(ConnectionManager::new_lazy_with_config(client, config).map_err(error)?)
        };
        Ok(Self {
            target,
            prefix: config.key_prefix.clone(),
            timeout: command,
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Keys of a phone's counters; they share the phone's hash tag.
    fn phone_keys(&self, phone: &Digest) -> (String, String) {
        let tag: String = phone.iter().map(|b| format!("{b:02x}")).collect();
        (
            self.key(&format!("ph:{{{tag}}}:sends")),
            self.key(&format!("ph:{{{tag}}}:fails")),
        )
    }

    fn outbox_all_key(&self) -> String {
        self.key("outbox:{sandbox}:all")
    }

    fn outbox_key(&self, to: &str) -> String {
        self.key(&format!("outbox:{{sandbox}}:to:{to}"))
    }

    async fn connection(&self) -> Result<Connection, StoreError> {
        match &self.target {
            Target::Node(manager) => Ok(Connection::Node(manager.clone())),
            Target::Cluster(cluster) => {
                let connection = cluster
                    .connection
                    .get_or_try_init(|| async {
                        cluster.client.get_async_connection().await.map_err(error)
                    })
                    .await?;
                Ok(Connection::Cluster(connection.clone()))
            }
        }
    }

    /// Runs `call` on a connection within the command timeout.
    async fn bounded<T, F, Fut>(&self, call: F) -> Result<T, StoreError>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let work = async {
            let connection = self.connection().await?;
            call(connection).await.map_err(error)
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| StoreError(format!("redis did not answer within {:?}", self.timeout)))?
    }

    async fn script<T: FromRedisValue + Send>(
        &self,
        invocation: ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        self.bounded(|mut c| async move {
            match &mut c {
                Connection::Node(n) => invocation.invoke_async(n).await,
                Connection::Cluster(n) => invocation.invoke_async(n).await,
            }
        })
        .await
    }

    /// Deletes `key`; how many keys went.
    async fn del(&self, key: &str) -> Result<i64, StoreError> {
        self.command(redis::cmd("DEL").arg(self.key(key)).clone())
            .await
    }

    async fn command<T: FromRedisValue + Send>(&self, cmd: Cmd) -> Result<T, StoreError> {
        self.bounded(|mut c| async move {
            match &mut c {
                Connection::Node(n) => query(&cmd, n).await,
                Connection::Cluster(n) => query(&cmd, n).await,
            }
        })
        .await
    }
}

async fn query<T: FromRedisValue, C: ConnectionLike>(
    cmd: &Cmd,
    connection: &mut C,
) -> redis::RedisResult<T> {
    cmd.query_async(connection).await
}

fn error(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

/// KEYS: challenge. ARGV: code, binding, expires_at, attempts, phone, keep_ms.
static PUT_CHALLENGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'binding', ARGV[2], 'exp', ARGV[3], 'left', ARGV[4], 'phone', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
",
    )
});

/// KEYS: challenge, certified. ARGV: code, binding, mismatch_counts, mode
/// (keep|certify), now, country code, number, certified ttl ms.
static ATTEMPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local c = redis.call('HMGET', KEYS[1], 'code', 'binding', 'exp', 'left', 'phone')
if not c[1] then return {'notfound'} end
local binding_ok = c[2] == ARGV[2]
if not binding_ok and ARGV[3] == '0' then return {'other'} end
if tonumber(c[3]) <= tonumber(ARGV[5]) then return {'expired'} end
if binding_ok and c[1] == ARGV[1] then
  if ARGV[4] ~= 'keep' then redis.call('DEL', KEYS[1]) end
  if ARGV[4] == 'certify' then
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[2], 'cc', ARGV[6], 'number', ARGV[7], 'until', tonumber(ARGV[5]) + tonumber(ARGV[8]))
    redis.call('PEXPIRE', KEYS[2], ARGV[8])
  end
  return {'matched'}
end
local left = redis.call('HINCRBY', KEYS[1], 'left', -1)
if left <= 0 then redis.call('DEL', KEYS[1]); left = 0 end
return {'wrong', left, c[5]}
",
    )
});

/// KEYS: challenge. (A challenge past its keep time is already gone.)
static FAIL_ATTEMPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local phone = redis.call('HGET', KEYS[1], 'phone')
if not phone then return {'notfound'} end
local left = redis.call('HINCRBY', KEYS[1], 'left', -1)
if left <= 0 then redis.call('DEL', KEYS[1]); left = 0 end
return {'wrong', left, phone}
",
    )
});

/// KEYS: sends (sorted set of send times), fails (hash n, since).
/// ARGV: now, window, min_interval, max_sends, max_failures, failure_window, member.
static PERMIT_SEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local now = tonumber(ARGV[1])
local window, interval = tonumber(ARGV[2]), tonumber(ARGV[3])
local f = redis.call('HMGET', KEYS[2], 'n', 'since')
if f[1] and tonumber(f[1]) >= tonumber(ARGV[5]) and tonumber(f[2]) + tonumber(ARGV[6]) > now then
  return {'fails', tonumber(f[2]) + tonumber(ARGV[6]) - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) + interval > now then
  return {'soon', tonumber(last[2]) + interval - now}
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {'many', tonumber(first[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[7])
redis.call('PEXPIRE', KEYS[1], window)
return {'ok'}
",
    )
});

/// KEYS: fails. ARGV: now, window.
static COUNT_FAILURE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local since = tonumber(redis.call('HGET', KEYS[1], 'since') or '0')
if since + window <= now then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'n', 1, 'since', now)
  redis.call('PEXPIRE', KEYS[1], window)
else
  redis.call('HINCRBY', KEYS[1], 'n', 1)
end
return 1
",
    )
});

/// KEYS: the list of all messages, the recipient's list. ARGV: message
/// JSON, capacity of each list, keep ms. An outbox nobody writes to for
/// `OUTBOX_KEEP` is forgotten.
static PUSH_OUTBOX: LazyLock<Script> = LazyLock::new(|| {
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

/// Messages kept per recipient in the sandbox outbox.
const OUTBOX_PER_RECIPIENT: usize = 100;

/// How long the sandbox outbox outlives its last message.
const OUTBOX_KEEP: Duration = Duration::from_secs(24 * 3600);

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Reads a script's `{'wrong', left, phone}` and friends.
fn attempt_from(reply: Vec<Value>) -> Result<Attempt, StoreError> {
    let tag = reply.first().map(text).unwrap_or_default();
    Ok(match tag.as_str() {
        "matched" => Attempt::Matched,
        "notfound" => Attempt::NotFound,
        "other" => Attempt::OtherBinding,
        "expired" => Attempt::Expired,
        "wrong" => {
            let left = reply.get(1).and_then(int).unwrap_or(0).max(0) as u32;
            let phone = reply
                .get(2)
                .and_then(bytes)
                .and_then(|b| b.try_into().ok())
                .unwrap_or_default();
            Attempt::Wrong {
                attempts_left: left,
                phone,
            }
        }
        other => {
            return Err(StoreError(format!(
                "redis: unexpected script reply {other:?}"
            )))
        }
    })
}

fn text(v: &Value) -> String {
    redis::from_redis_value_ref(v).unwrap_or_default()
}

fn int(v: &Value) -> Option<i64> {
    redis::from_redis_value_ref(v).ok()
}

fn bytes(v: &Value) -> Option<Vec<u8>> {
    redis::from_redis_value_ref(v).ok()
}

#[async_trait]
impl CounterStore for RedisStore {
    async fn permit_send(
        &self,
        phone: &Digest,
        limits: &SendLimits,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        let (sends, fails) = self.phone_keys(phone);
        let mut member = [0u8; 8];
        getrandom::fill(&mut member).map_err(|_| StoreError("random source failed".into()))?;
        let mut invocation = PERMIT_SEND.key(sends);
        invocation
            .key(fails)
            .arg(now)
            .arg(ms(limits.window))
            .arg(ms(limits.min_interval))
            .arg(limits.max_sends)
            .arg(limits.max_failures)
            .arg(ms(limits.failure_window))
            .arg(format!("{now}:{}", u64::from_le_bytes(member)));
        let reply: Vec<Value> = self.script(invocation).await?;
        let retry = || Duration::from_millis(reply.get(1).and_then(int).unwrap_or(0).max(0) as u64);
        let refused = |reason| SendDecision::Refused {
            reason,
            retry_after: retry(),
        };
        Ok(match reply.first().map(text).as_deref() {
            Some("ok") => SendDecision::Allowed,
            Some("soon") => refused(Throttle::TooSoon),
            Some("many") => refused(Throttle::TooMany),
            Some("fails") => refused(Throttle::TooManyFailures),
            other => {
                return Err(StoreError(format!(
                    "redis: unexpected script reply {other:?}"
                )))
            }
        })
    }

    async fn count_failure(
        &self,
        phone: &Digest,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let (_, fails) = self.phone_keys(phone);
        let mut invocation = COUNT_FAILURE.key(fails);
        invocation.arg(now).arg(ms(window));
        self.script::<i64>(invocation).await.map(drop)
    }
}

#[async_trait]
impl ChallengeStore for RedisStore {
    async fn put_challenge(
        &self,
        key: &str,
        c: Challenge,
        keep_for: Duration,
        _now: Millis,
    ) -> Result<(), StoreError> {
        let mut invocation = PUT_CHALLENGE.key(self.key(key));
        invocation
            .arg(&c.code[..])
            .arg(&c.binding[..])
            .arg(c.expires_at)
            .arg(c.attempts_left)
            .arg(&c.phone[..])
            .arg(ms(keep_for).max(1));
        self.script::<i64>(invocation).await.map(drop)
    }

    async fn remove_challenge(&self, key: &str) -> Result<(), StoreError> {
        self.del(key).await.map(drop)
    }

    async fn attempt(
        &self,
        key: &str,
        candidate: &Candidate,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let challenge = self.key(key);
        let (mode, certified, phone, ttl) = match on_match {
            OnMatch::Keep => ("keep", challenge.clone(), None, 0),
            OnMatch::ConsumeAndCertify { key, phone, ttl } => {
                ("certify", self.key(&key), Some(phone), ms(ttl).max(1))
            }
        };
        let mut invocation = ATTEMPT.key(challenge);
        invocation
            .key(certified)
            .arg(&candidate.code[..])
            .arg(&candidate.binding[..])
            .arg(if candidate.mismatch_counts { "1" } else { "0" })
            .arg(mode)
            .arg(now);
        match &phone {
            Some(p) => invocation.arg(&p.country_code).arg(&p.number).arg(ttl),
            None => invocation.arg("").arg("").arg(0),
        };
        attempt_from(self.script(invocation).await?)
    }

    async fn fail_attempt(&self, key: &str, _now: Millis) -> Result<Attempt, StoreError> {
        attempt_from(self.script(FAIL_ATTEMPT.key(self.key(key))).await?)
    }

    async fn consume(&self, key: &str, _now: Millis) -> Result<bool, StoreError> {
        Ok(self.del(key).await? == 1)
    }

    async fn certified_phone(
        &self,
        key: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        let cmd = redis::cmd("HMGET")
            .arg(self.key(key))
            .arg("cc")
            .arg("number")
            .arg("until")
            .clone();
        let fields: Vec<Option<String>> = self.command(cmd).await?;
        Ok(match fields.as_slice() {
            [Some(country_code), Some(number), Some(until)]
                if until.parse::<Millis>().is_ok_and(|until| until > now) =>
            {
                Some(CertifiedPhone {
                    country_code: country_code.clone(),
                    number: number.clone(),
                })
            }
            _ => None,
        })
    }
}

#[async_trait]
impl SecretStore for RedisStore {
    /// The digest and its deadline, `digest ‖ until` (16 + 8 bytes).
    async fn put_secret(
        &self,
        key: &str,
        digest: Digest,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let until = now + ms(ttl);
        let value = [&digest[..], &until.to_be_bytes()].concat();
        let cmd = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(ms(ttl).max(1))
            .clone();
        self.command::<Value>(cmd).await.map(drop)
    }

    async fn secret(&self, key: &str, now: Millis) -> Result<Option<Digest>, StoreError> {
        let value: Option<Vec<u8>> = self
            .command(redis::cmd("GET").arg(self.key(key)).clone())
            .await?;
        Ok(value.and_then(|v| {
            let (digest, until) = v.split_at_checked(16)?;
            let until = Millis::from_be_bytes(until.try_into().ok()?);
            (until > now).then(|| digest.try_into().ok()).flatten()
        }))
    }

    async fn remove_secret(&self, key: &str) -> Result<(), StoreError> {
        self.del(key).await.map(drop)
    }
}

#[async_trait]
impl OutboxStore for RedisStore {
    /// Two capped lists, written by one script: every message (for `to`-less
    /// reads) and one per recipient, so that reading one recipient's SMS
    /// costs `limit` entries, not the whole outbox. Both share the
    /// `{sandbox}` hash tag (one cluster slot; the outbox is sandbox-only).
    async fn push_outbox(
        &self,
        message: &OutboxMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(message).map_err(error)?;
        let keep = ms(OUTBOX_KEEP);
        let mut invocation = PUSH_OUTBOX.key(self.outbox_all_key());
        invocation
            .key(self.outbox_key(&message.to))
            .arg(json)
            .arg(capacity.max(1))
            .arg(capacity.clamp(1, OUTBOX_PER_RECIPIENT))
            .arg(keep);
        self.script::<i64>(invocation).await?;
        Ok(())
    }

    async fn outbox(
        &self,
        to: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let key = to.map_or_else(|| self.outbox_all_key(), |to| self.outbox_key(to));
        let last = limit.max(1) as isize - 1;
        let cmd = redis::cmd("LRANGE").arg(key).arg(0).arg(last).clone();
        let messages: Vec<String> = self.command(cmd).await?;
        Ok(messages
            .iter()
            .filter_map(|json| serde_json::from_str::<OutboxMessage>(json).ok())
            .collect())
    }
}

#[async_trait]
impl Health for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.command::<String>(redis::cmd("PING")).await.map(drop)
    }
}
