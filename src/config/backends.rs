//! The backends a configuration chooses, parsed once into enums (crates.io's
//! `EmailBackend`): the app matches them exhaustively and production checks
//! them, without reading strings again.

use anyhow::{bail, ensure, Context};
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Where challenges, sessions, counters and the outbox live (`server.store`, `--store`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum StoreBackend {
    /// In this process (`memory`).
    #[default]
    Memory,
    /// One Redis node (`redis://host:port[/db]`), URL as written.
    Redis(String),
    /// A Redis Cluster (`redis+cluster://h1:p1,h2:p2,…`), URL as written.
    RedisCluster(String),
}

impl StoreBackend {
    /// Whether several instances can share it (and so the sandbox's state).
    pub fn is_shared(&self) -> bool {
        !matches!(self, Self::Memory)
    }
}

impl FromStr for StoreBackend {
    type Err = anyhow::Error;

    fn from_str(url: &str) -> anyhow::Result<Self> {
        if url == "memory" {
            Ok(Self::Memory)
        } else if url.starts_with("redis://") {
            Ok(Self::Redis(url.to_owned()))
        } else if url.starts_with("redis+cluster://") {
            Ok(Self::RedisCluster(url.to_owned()))
        } else {
            bail!("unknown store {:?}: use `memory`, `redis://host:port[/db]` or `redis+cluster://h1:p1,h2:p2`", without_credentials(url))
        }
    }
}

impl TryFrom<String> for StoreBackend {
    type Error = anyhow::Error;
    fn try_from(url: String) -> anyhow::Result<Self> {
        url.parse()
    }
}

/// Shown without any user-info, so a password in the URL never reaches a
/// banner, a log line or an error.
impl fmt::Display for StoreBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory => f.write_str("memory"),
            Self::Redis(url) | Self::RedisCluster(url) => f.write_str(&without_credentials(url)),
        }
    }
}

/// `scheme://user:password@host…` → `scheme://host…` (each `@`-part of a
/// cluster's comma-separated nodes too).
pub fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let hosts: Vec<&str> = authority
        .split(',')
        .map(|node| node.rsplit_once('@').map_or(node, |(_, host)| host))
        .collect();
    format!("{scheme}://{}{path}", hosts.join(","))
}

/// `[sms]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsFile {
    /// `outbox`, `log` or `webhook`; default `outbox` in the sandbox, `webhook` otherwise.
    pub gateway: Option<String>,
    pub webhook_url: Option<String>,
    pub timeout_ms: u64,
    pub retries: u32,
}

impl Default for SmsFile {
    fn default() -> Self {
        Self {
            gateway: None,
            webhook_url: None,
            timeout_ms: 2_000,
            retries: 2,
        }
    }
}

/// How OTPs are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsBackend {
    /// The sandbox outbox: kept for `GET /sandbox/v1/sms`.
    Outbox,
    /// Log the masked recipient, deliver nothing.
    Log,
    /// POST `{"to", "text"}` as JSON to the bank's SMS relay.
    Webhook {
        url: String,
        /// Time for one attempt.
        timeout: Duration,
        /// Further attempts after a failed one.
        retries: u32,
    },
}

impl SmsBackend {
    /// The backend `[sms]` names; `sandbox` picks the default. A sandbox
    /// has its outbox only: anyone can read a sandbox's OTPs, so none may
    /// reach a phone.
    pub fn from_file(file: &SmsFile, sandbox: bool) -> anyhow::Result<Self> {
        let default = if sandbox { "outbox" } else { "webhook" };
        let gateway = file.gateway.as_deref().unwrap_or(default);
        ensure!(
            !sandbox || gateway == "outbox",
            "sms.gateway = {gateway:?} in a sandbox: a sandbox's SMS go to its outbox only (anyone may read a sandbox's OTPs), so it never sends to a phone; remove sms.gateway, or set server.sandbox = false"
        );
        match gateway {
            "outbox" => Ok(Self::Outbox),
            "log" => Ok(Self::Log),
            "webhook" => {
                let url = file
                    .webhook_url
                    .clone()
                    .context("sms.webhook_url is missing: the webhook gateway needs it")?;
                ensure!(
                    url.starts_with("http://"),
                    "sms.webhook_url must be an http:// URL"
                );
                Ok(Self::Webhook {
                    url,
                    timeout: Duration::from_millis(file.timeout_ms),
                    retries: file.retries,
                })
            }
            other => {
                bail!("sms.gateway {other:?}: use \"outbox\" (sandbox), \"log\" or \"webhook\"")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_parse_once_and_never_show_credentials() {
        assert_eq!(
            "memory".parse::<StoreBackend>().unwrap(),
            StoreBackend::Memory
        );
        let redis: StoreBackend = "redis://:s3cret@10.0.0.1:6379/2".parse().unwrap();
        assert_eq!(redis.to_string(), "redis://10.0.0.1:6379/2");
        let cluster: StoreBackend = "redis+cluster://u:p@h1:7000,u:p@h2:7000".parse().unwrap();
        assert_eq!(cluster.to_string(), "redis+cluster://h1:7000,h2:7000");
        let err = "postgres://u:hunter2@db"
            .parse::<StoreBackend>()
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
