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

mod scripts;
mod steps;

use super::StoreError;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, FromRedisValue, Script, ScriptInvocation, ToRedisArgs, Value};
use serde::Deserialize;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
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

/// The Redis store.
pub struct RedisStore {
    target: Target,
    prefix: String,
    timeout: Duration,
    /// The sandbox's reset generation: every key is under it, so a reset
    /// of every instance's state is one increment. Learnt with the sandbox
    /// clock's offset; always 0 outside the sandbox.
    generation: AtomicU64,
    /// The sandbox clock's offset as this instance knows it (shared with
    /// the app's clock).
    offset: Arc<AtomicU64>,
    /// In the sandbox, on a single node: every script checks the offset and
    /// generation it was called with against the sandbox's state.
    checking: AtomicBool,
}

/// A script's keys and arguments, with the sandbox check's expectation
/// taken before any key is named (so a key of an older generation is
/// always caught by the check).
pub(super) struct Call {
    expected: String,
    keys: Vec<String>,
    args: Vec<Vec<u8>>,
}

impl Call {
    pub(super) fn key(mut self, key: String) -> Self {
        self.keys.push(key);
        self
    }

    pub(super) fn arg(mut self, arg: impl ToRedisArgs) -> Self {
        self.args.extend(arg.to_redis_args());
        self
    }
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
            generation: AtomicU64::new(0),
            offset: Arc::new(AtomicU64::new(0)),
            checking: AtomicBool::new(false),
        })
    }

    /// A script call, with what the sandbox check expects.
    pub(super) fn call(&self) -> Call {
        let expected = if self.checking.load(Ordering::Relaxed) {
            let generation = self.generation.load(Ordering::SeqCst);
            format!("{}:{generation}", self.offset.load(Ordering::SeqCst))
        } else {
            String::new()
        };
        Call {
            expected,
            keys: Vec::new(),
            args: Vec::new(),
        }
    }

    /// Runs `script` with the sandbox check first. A stale answer teaches
    /// this instance the sandbox's state and is [`StoreError::Stale`]: the
    /// caller makes its step again.
    pub(super) async fn run<T: FromRedisValue>(
        &self,
        script: &Script,
        call: Call,
    ) -> Result<T, StoreError> {
        let first = match call.keys.first() {
            Some(key) if call.expected.is_empty() => key.clone(),
            _ => self.sandbox_key(),
        };
        let mut invocation = script.key(first);
        for key in &call.keys {
            invocation.key(key);
        }
        invocation.arg(&call.expected);
        for arg in &call.args {
            invocation.arg(&arg[..]);
        }
        let reply: Value = self.script(invocation).await?;
        if let Some(seen) = stale(&reply) {
            self.learn(&seen);
            return Err(StoreError::Stale);
        }
        redis::from_redis_value(reply).map_err(error)
    }

    /// Takes the sandbox's `offset:generation`.
    fn learn(&self, seen: &str) {
        let (offset, generation) = seen.split_once(':').unwrap_or((seen, "0"));
        self.generation
            .store(generation.parse().unwrap_or(0), Ordering::SeqCst);
        self.offset
            .store(offset.parse().unwrap_or(0), Ordering::SeqCst);
    }

    fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    /// The full name of a store key: prefix, generation, key.
    fn key(&self, key: &str) -> String {
        let generation = self.generation.load(Ordering::Relaxed);
        format!("{}{generation}:{key}", self.prefix)
    }

    /// The sandbox's state (clock offset, generation): outside every generation.
    fn sandbox_key(&self) -> String {
        format!("{}sandbox:{{sandbox}}", self.prefix)
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
            .map_err(|_| {
                StoreError::Unavailable(format!("redis did not answer within {:?}", self.timeout))
            })?
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
        let expected = self.call().expected;
        let cmd = redis::cmd("DEL").arg(self.key(key)).clone();
        self.read(expected, cmd).await
    }

    /// A plain command whose keys were named after `expected` was taken (a
    /// read, or a delete: both harmless under an older generation). In the
    /// sandbox it is pipelined with a read of the sandbox's state, in one
    /// round trip; a stale answer teaches this instance the state and is
    /// [`StoreError::Stale`], to be made again — no Lua for a read.
    pub(super) async fn read<T: FromRedisValue + Send>(
        &self,
        expected: String,
        cmd: Cmd,
    ) -> Result<T, StoreError> {
        if expected.is_empty() {
            return self.command(cmd).await;
        }
        let mut pipe = redis::pipe();
        pipe.cmd("HMGET")
            .arg(self.sandbox_key())
            .arg("offset")
            .arg("gen");
        pipe.add_command(cmd);
        let (state, answer): (Vec<Option<u64>>, Value) = self
            .bounded(|mut c| async move {
                match &mut c {
                    Connection::Node(n) => pipe.query_async(n).await,
                    Connection::Cluster(n) => pipe.query_async(n).await,
                }
            })
            .await?;
        let seen = format!(
            "{}:{}",
            state.first().copied().flatten().unwrap_or(0),
            state.get(1).copied().flatten().unwrap_or(0)
        );
        if seen != expected {
            self.learn(&seen);
            return Err(StoreError::Stale);
        }
        redis::from_redis_value(answer).map_err(error)
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

/// The `seen` state of a script's `{'stale', seen}` answer.
fn stale(reply: &Value) -> Option<String> {
    let Value::Array(items) = reply else {
        return None;
    };
    match items.as_slice() {
        [tag, seen] if redis::from_redis_value_ref::<String>(tag).ok()? == "stale" => {
            redis::from_redis_value_ref(seen).ok()
        }
        _ => None,
    }
}

fn error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("redis: {e}"))
}
