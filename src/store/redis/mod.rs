//! The Redis store: one node (`redis://host:port[/db]`) or a Redis Cluster
//! (`redis+cluster://h1:p1,h2:p2,…`), shared by any number of instances;
//! over TLS, `rediss://` and `rediss+cluster://` (`tls.rs`).
//!
//! Every state change is one Lua script run with EVALSHA (loaded on
//! NOSCRIPT), so each flow step is atomic on the server. All a
//! phone has (its counters and its challenges) is one key, so in a cluster
//! a phone's step runs on one slot; a RAO session is a key of its own (the
//! layout: `scripts.rs`). Deadlines that a rule reads (expiry,
//! certified-phone lifetime, throttle windows) are stored as values and
//! compared with the caller's `now`, so the app's clock decides; Redis's
//! PEXPIRE only collects what no rule can read any more. Nothing is swept
//! and no KEYS/SCAN runs on a request.
//!
//! Connections are made lazily and remade after a failure, and every call
//! is bounded by `command_timeout_ms`: with Redis down a request fails fast
//! (`500 serverUnavailable`), and recovers by itself when Redis returns.
//! On one node, the commands of requests that arrive together are written
//! together (`batch.rs`); a cluster's connection routes each by its slot.

mod batch;
mod scripts;
mod steps;
mod tls;

use super::StoreError;
use batch::Batcher;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{
    Cmd, ErrorKind, FromRedisValue, IntoConnectionInfo, ProtocolVersion, RedisResult, Script,
    ServerErrorKind, ToRedisArgs,
};
use serde::Deserialize;
use std::future::Future;
use std::path::PathBuf;
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
    /// `rediss://`: the PEM CA bundle the server's certificate must chain
    /// to (default: the system's roots).
    pub ca_file: Option<PathBuf>,
    /// `rediss://`: a client certificate (PEM) for servers that ask for one.
    pub client_cert_file: Option<PathBuf>,
    /// Its private key (PEM).
    pub client_key_file: Option<PathBuf>,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 250,
            command_timeout_ms: 300,
            key_prefix: "otp:".into(),
            ca_file: None,
            client_cert_file: None,
            client_key_file: None,
        }
    }
}

/// A connection to one node (its commands sent in batches, `batch.rs`) or
/// to a cluster.
#[derive(Clone)]
enum Connection {
    Node(ConnectionManager, Arc<Batcher>),
    Cluster(ClusterConnection),
}

/// How to reach Redis; the cluster connection is opened on first use.
enum Target {
    Node(ConnectionManager, Arc<Batcher>),
    Cluster(Box<ClusterTarget>),
}

/// A cluster client and its connection, opened on first use.
struct ClusterTarget {
    client: redis::cluster::ClusterClient,
    connection: OnceCell<ClusterConnection>,
}

/// The Redis store.
pub(crate) struct RedisStore {
    target: Target,
    prefix: String,
    /// The prefix of every phone's record: the prefix, then `P`.
    phones: Vec<u8>,
    timeout: Duration,
}

/// One run of a script: its keys, then its arguments, written straight
/// into the `EVALSHA` command that will be sent (one buffer, where the
/// crate's `ScriptInvocation` keeps a vector per argument and copies them
/// all into the command again).
pub(crate) struct Call {
    script: &'static Script,
    keys: Vec<Vec<u8>>,
    command: Option<Cmd>,
}

impl Call {
    pub(crate) fn new(script: &'static Script) -> Self {
        Self {
            script,
            keys: Vec::with_capacity(3),
            command: None,
        }
    }

    /// Adds a key; every key comes before the first argument.
    pub(crate) fn key(mut self, key: impl Into<Vec<u8>>) -> Self {
        debug_assert!(self.command.is_none(), "a key after an argument");
        self.keys.push(key.into());
        self
    }

    pub(crate) fn arg(mut self, arg: impl ToRedisArgs) -> Self {
        arg.write_redis_args(self.started());
        self
    }

    /// The command, its `EVALSHA`, hash and keys written on first use.
    fn started(&mut self) -> &mut Cmd {
        let (script, keys) = (self.script, &self.keys);
        self.command.get_or_insert_with(|| {
            let mut command = Cmd::with_capacity(24, 512);
            command
                .arg("EVALSHA")
                .arg(script.get_hash())
                .arg(keys.len());
            for key in keys {
                command.arg(&key[..]);
            }
            command
        })
    }
}

impl RedisStore {
    /// Prepares a store for `url`; connects lazily, so a Redis that is down
    /// at startup only makes the server not ready. Over TLS, the files of
    /// `config` are read now.
    pub(crate) fn new(url: &str, config: &RedisConfig) -> anyhow::Result<Self> {
        let connect = Duration::from_millis(config.connect_timeout_ms);
        let command = Duration::from_millis(config.command_timeout_ms);
        let certificates = tls::certificates(url, config)?;
        let cluster = [
            ("redis+cluster://", "redis"),
            ("rediss+cluster://", "rediss"),
        ]
        .into_iter()
        .find_map(|(prefix, scheme)| Some((url.strip_prefix(prefix)?, scheme)));
        let target = if let Some((nodes, scheme)) = cluster {
            let nodes: Vec<String> = nodes
                .split(',')
                .map(|n| format!("{scheme}://{n}"))
                .collect();
            let mut builder = ClusterClientBuilder::new(nodes)
                .connection_timeout(connect)
                .response_timeout(command)
                .retries(1);
            if let Some(certificates) = certificates {
                builder = builder.certs(certificates);
            }
            let client = builder.build().map_err(error)?;
            Target::Cluster(Box::new(ClusterTarget {
                client,
                connection: OnceCell::new(),
            }))
        } else {
            // RESP3: the server's disconnection reaches the manager as a
            // push, so a connection Redis closed while idle is replaced
            // before the next command, not found dead by it.
            let info = url.into_connection_info().map_err(error)?;
            let settings = info.redis_settings().clone();
            let info = info.set_redis_settings(settings.set_protocol(ProtocolVersion::RESP3));
            let client = match certificates {
                Some(certificates) => redis::Client::build_with_tls(info, certificates),
                None => redis::Client::open(info),
            };
            let client = client.map_err(error)?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(connect))
                .set_response_timeout(Some(command))
                .set_number_of_retries(1)
                .set_min_delay(Duration::from_millis(10))
                .set_max_delay(Duration::from_millis(100));
            let manager = ConnectionManager::new_lazy_with_config(client, config).map_err(error)?;
            Target::Node(manager.clone(), Arc::new(Batcher::new(manager)))
        };
        Ok(Self {
            target,
            prefix: config.key_prefix.clone(),
            phones: [config.key_prefix.as_bytes(), b"P"].concat(),
            timeout: command,
        })
    }

    /// Runs `call` (EVALSHA; on NOSCRIPT the script is loaded and the call
    /// made once more, as the crate's `ScriptInvocation` does).
    pub(crate) async fn run<T: FromRedisValue + Send>(
        &self,
        mut call: Call,
    ) -> Result<T, StoreError> {
        let script = call.script;
        let command = &*call.started();
        self.bounded(|c| evalsha(c, script, command)).await
    }

    fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    /// The full name of a store key: the prefix, then the key.
    pub(crate) fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn connection(&self) -> Result<Connection, StoreError> {
        match &self.target {
            Target::Node(manager, batcher) => {
                Ok(Connection::Node(manager.clone(), Arc::clone(batcher)))
            }
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
    /// A call that could not even connect (Redis refused the connection:
    /// it was restarting, and the manager's reconnect failed while it did)
    /// never reached Redis, so it is made once more on a fresh connection.
    async fn bounded<T, F, Fut>(&self, call: F) -> Result<T, StoreError>
    where
        F: Fn(Connection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let work = async {
            match call(self.connection().await?).await {
                Err(e) if e.is_connection_refusal() => {
                    tracing::debug!(error = %e, "redis: connection refused; trying again once");
                    call(self.connection().await?).await.map_err(error)
                }
                other => other.map_err(error),
            }
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!("redis did not answer within {:?}", self.timeout))
            })?
    }

    /// Runs `call` in the background, within ten command timeouts, after
    /// the store's calls already sent or queued (so Redis sees it after
    /// them); its outcome is only logged.
    pub(super) fn spawn(&self, mut call: Call) {
        let connection = match &self.target {
            Target::Node(manager, batcher) => {
                Connection::Node(manager.clone(), Arc::clone(batcher))
            }
            Target::Cluster(cluster) => match cluster.connection.get() {
                Some(connection) => Connection::Cluster(connection.clone()),
                None => return,
            },
        };
        // Nobody waits for it: more time than a request's call gets, so a
        // slow Redis that lost one answer still takes the mark.
        let timeout = self.timeout * 10;
        let script = call.script;
        let command = call.started().clone();
        tokio::spawn(async move {
            let work = evalsha::<i64>(connection, script, &command);
            if let Err(e) = tokio::time::timeout(timeout, work)
                .await
                .map_err(|_| "timeout".to_owned())
                .and_then(|r| r.map_err(|e| e.to_string()))
            {
                tracing::warn!(error = %e, "redis: a lost answer was not marked");
            }
        });
    }

    /// Runs one command within the command timeout.
    pub(crate) async fn command<T: FromRedisValue + Send>(
        &self,
        cmd: Cmd,
    ) -> Result<T, StoreError> {
        let cmd = &cmd;
        self.bounded(|mut c| async move { query(cmd, &mut c).await })
            .await
    }
}

/// `command` on `connection`: on one node, with the commands queued
/// alongside it (`batch.rs`).
async fn query<T: FromRedisValue>(command: &Cmd, connection: &mut Connection) -> RedisResult<T> {
    match connection {
        Connection::Node(_, batcher) => {
            let value = batcher.query(command).await?;
            Ok(redis::from_redis_value(value)?)
        }
        Connection::Cluster(n) => command.query_async(n).await,
    }
}

/// `command`, an `EVALSHA` of `script`; on `NOSCRIPT` the script is loaded
/// and the command sent once more.
async fn evalsha<T: FromRedisValue>(
    mut connection: Connection,
    script: &Script,
    command: &Cmd,
) -> RedisResult<T> {
    match query(command, &mut connection).await {
        Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
            match &mut connection {
                Connection::Node(n, _) => script.load_async(n).await?,
                Connection::Cluster(n) => script.load_async(n).await?,
            };
            query(command, &mut connection).await
        }
        other => other,
    }
}

pub(crate) fn error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("redis: {e}"))
}
