//! The backends a configuration chooses, parsed once into enums (crates.io's
//! `EmailBackend`): the app matches them exhaustively and production checks
//! them, without reading strings again.

use anyhow::{bail, ensure, Context};
use serde::Deserialize;
use std::fmt;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Where challenges, sessions, counters and the outbox live (`server.store`, `--store`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum StoreBackend {
    /// In this process (`memory`).
    #[default]
    Memory,
    /// One Redis node (`redis://host:port[/db]`, or `rediss://…` over
    /// TLS), URL as written.
    Redis(String),
    /// A Redis Cluster (`redis+cluster://h1:p1,h2:p2,…`, or
    /// `rediss+cluster://…` over TLS to every node), URL as written.
    RedisCluster(String),
}

impl StoreBackend {
    /// Whether several instances can share it (and so the sandbox's state).
    pub fn is_shared(&self) -> bool {
        !matches!(self, Self::Memory)
    }

    /// Whether it is reached over TLS (`rediss://`, `rediss+cluster://`).
    pub fn is_tls(&self) -> bool {
        match self {
            Self::Memory => false,
            Self::Redis(url) | Self::RedisCluster(url) => url.starts_with("rediss"),
        }
    }
}

impl FromStr for StoreBackend {
    type Err = anyhow::Error;

    /// A Redis URL is checked here, part by part, so a malformed one is a
    /// malformed setting (naming the part to fix) rather than a store that
    /// fails when the server builds it. Errors show the URL without its
    /// credentials.
    fn from_str(url: &str) -> anyhow::Result<Self> {
        if url == "memory" {
            return Ok(Self::Memory);
        }
        let (scheme, rest) = url.split_once("://").unwrap_or_default();
        let (cluster, tls) = match scheme {
            "redis" => (false, false),
            "rediss" => (false, true),
            "redis+cluster" => (true, false),
            "rediss+cluster" => (true, true),
            _ => bail!("unknown store {:?}: use `memory`, `redis://host:port[/db]`, `redis+cluster://h1:p1,h2:p2` (`rediss://`, `rediss+cluster://` over TLS)", shown(url)),
        };
        check_redis_url(rest, cluster, tls).map_err(|why| {
            let form = match cluster {
                false => "host:port[/db]",
                true => "h1:p1,h2:p2,…",
            };
            anyhow::anyhow!("store {}: {why} (use {scheme}://{form})", shown(url))
        })?;
        Ok(match cluster {
            false => Self::Redis(url.to_owned()),
            true => Self::RedisCluster(url.to_owned()),
        })
    }
}

/// What follows `redis://` (one node) or `redis+cluster://` (comma-separated
/// nodes), or their TLS forms (`tls`): `[user[:password]@]host[:port]` per
/// node, then `/db` for one node. The error names the wrong part and never
/// quotes the user-info.
fn check_redis_url(rest: &str, cluster: bool, tls: bool) -> Result<(), String> {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if tail.contains('@') {
        return Err("an `@` after the host: percent-encode `/`, `?`, `#` and `@` in the user name and password".into());
    }
    let (path, extra) = tail.split_at(tail.find(['?', '#']).unwrap_or(tail.len()));
    if extra.starts_with('?') {
        return Err("a query (`?…`) is not supported".into());
    }
    if !extra.is_empty() {
        return Err("a fragment (`#…`) is not supported".into());
    }
    let nodes: Vec<&str> = authority.split(',').collect();
    if !cluster && nodes.len() > 1 {
        return Err(
            "several hosts: a Redis Cluster is `redis+cluster://h1:p1,h2:p2` (`rediss+cluster://` over TLS)"
                .into(),
        );
    }
    let named = |i: usize, why: String| {
        if cluster {
            format!("node {}: {why}", i + 1)
        } else {
            why
        }
    };
    for (i, node) in nodes.iter().enumerate() {
        check_node(node).map_err(|why| named(i, why))?;
    }
    let db = path.strip_prefix('/').unwrap_or(path);
    if cluster && !db.is_empty() {
        return Err(format!(
            "a database ({path}): a Redis Cluster has only database 0"
        ));
    }
    if !db.is_empty() && db.parse::<u32>().is_err() {
        return Err(format!("the database {db:?} is not a number"));
    }
    // What the store hands to the Redis client, checked by the client's own
    // parser too (its errors quote no part of the URL).
    let scheme = if tls { "rediss" } else { "redis" };
    let client_urls: Vec<String> = if cluster {
        nodes
            .iter()
            .map(|node| format!("{scheme}://{node}"))
            .collect()
    } else {
        vec![format!("{scheme}://{rest}")]
    };
    for (i, url) in client_urls.iter().enumerate() {
        redis::IntoConnectionInfo::into_connection_info(url.as_str())
            .map_err(|e| named(i, e.to_string()))?;
    }
    Ok(())
}

/// `[user[:password]@]host[:port]`.
fn check_node(node: &str) -> Result<(), String> {
    let address = node.rsplit_once('@').map_or(node, |(_, address)| address);
    let (host, port) = match address.strip_prefix('[') {
        Some(bracketed) => (None, ipv6_port(bracketed)?),
        None => match address.split_once(':') {
            Some((host, port)) if port.contains(':') => {
                return Err(format!(
                    "the host {host}:{port} looks like an IPv6 address: write it in brackets, [::1]:6379"
                ))
            }
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(address), None),
        },
    };
    if let Some(host) = host {
        check_host(host)?;
    }
    port.map_or(Ok(()), check_port)
}

/// 1 to 65535, in ASCII digits (`u16` parsing would take a `+`).
fn check_port(port: &str) -> Result<(), String> {
    let digits = port.bytes().all(|b| b.is_ascii_digit());
    if digits && port.parse::<u16>().is_ok_and(|port| port > 0) {
        Ok(())
    } else {
        Err(format!("the port {port:?} is not a number from 1 to 65535"))
    }
}

/// `::1]:6379` (after the `[`): the IPv6 address checked, the port returned.
fn ipv6_port(bracketed: &str) -> Result<Option<&str>, String> {
    let (ip, after) = bracketed
        .split_once(']')
        .ok_or("an IPv6 host without its closing `]`")?;
    match ip.parse::<Ipv6Addr>() {
        Err(_) => return Err(format!("the host [{ip}] is not an IPv6 address")),
        Ok(addr) if addr.is_unspecified() => {
            return Err(format!(
                "the host [{ip}] is a wildcard address: name the Redis host"
            ))
        }
        Ok(_) => {}
    }
    match after.strip_prefix(':') {
        Some(port) => Ok(Some(port)),
        None if after.is_empty() => Ok(None),
        None => Err(format!("{after:?} after the host [{ip}]")),
    }
}

/// A host name or IPv4 address (what Redis is reached by, not a wildcard).
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("no host".into());
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(format!(
            "the host {host:?} is not a host name or an IP address"
        ));
    }
    if host == "0.0.0.0" {
        return Err("the host 0.0.0.0 is a wildcard address: name the Redis host".into());
    }
    Ok(())
}

/// The URL as an error may quote it: without user-info, or only its scheme
/// when an `@` after the host suggests a password with an unencoded `/`,
/// `?` or `#` (which would otherwise be split into the path).
fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            if rest[end..].contains('@') {
                format!("{scheme}://…")
            } else {
                without_credentials(url)
            }
        }
        None => without_credentials(url),
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
    /// PEM CA bundle an `https://` webhook's certificate must chain to
    /// (default: the system's roots).
    pub ca_file: Option<PathBuf>,
    /// The environment variable holding the webhook's `Authorization` value.
    pub authorization_env: Option<String>,
    /// The file holding the webhook's `Authorization` value.
    pub authorization_file: Option<PathBuf>,
}

impl Default for SmsFile {
    fn default() -> Self {
        Self {
            gateway: None,
            webhook_url: None,
            timeout_ms: 2_000,
            retries: 2,
            ca_file: None,
            authorization_env: None,
            authorization_file: None,
        }
    }
}

/// The webhook's `Authorization` header value (`Bearer …`), read from
/// `sms.authorization_env` or `sms.authorization_file`. Never shown: its
/// `Debug` is a placeholder and nothing displays it.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization(String);

impl Authorization {
    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads it from the variable or the file `file` names (exactly one).
    fn from_file(file: &SmsFile) -> anyhow::Result<Option<Self>> {
        let value = match (&file.authorization_env, &file.authorization_file) {
            (None, None) => return Ok(None),
            (Some(var), None) => std::env::var(var).map_err(|_| {
                anyhow::anyhow!(
                    "sms.authorization_env names {var}, which is not set (or not UTF-8)"
                )
            })?,
            (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!(
                    "sms.authorization_file: cannot read {}: {e}",
                    path.display()
                )
            })?,
            (Some(_), Some(_)) => {
                bail!("sms.authorization: give exactly one of sms.authorization_env, sms.authorization_file")
            }
        };
        // A file's trailing newline is not part of the header.
        let value = value.trim_matches(['\r', '\n']).to_owned();
        ensure!(!value.is_empty(), "sms.authorization: the value is empty");
        let visible = value
            .bytes()
            .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic());
        ensure!(
            visible,
            "sms.authorization: the value is not a valid HTTP header value (visible ASCII only, one line)"
        );
        Ok(Some(Self(value)))
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorization(..)")
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
        /// The CA bundle an `https://` relay is verified with; `None`: the
        /// system's roots.
        ca_file: Option<PathBuf>,
        /// The `Authorization` header sent with every request.
        authorization: Option<Authorization>,
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
                    url.starts_with("http://") || url.starts_with("https://"),
                    "sms.webhook_url must be an http:// or https:// URL"
                );
                ensure!(
                    file.ca_file.is_none() || url.starts_with("https://"),
                    "sms.ca_file is set but sms.webhook_url is http://: use https:// or remove sms.ca_file"
                );
                Ok(Self::Webhook {
                    url,
                    timeout: Duration::from_millis(file.timeout_ms),
                    retries: file.retries,
                    ca_file: file.ca_file.clone(),
                    authorization: Authorization::from_file(file)?,
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
        let tls: StoreBackend = "rediss://:s3cret@10.0.0.1:6380".parse().unwrap();
        assert_eq!(tls.to_string(), "rediss://10.0.0.1:6380");
        assert!(tls.is_tls() && !redis.is_tls());
        let cluster: StoreBackend = "rediss+cluster://u:p@h1:7000,h2:7000".parse().unwrap();
        assert_eq!(cluster.to_string(), "rediss+cluster://h1:7000,h2:7000");
        assert!(cluster.is_tls());
        let err = "postgres://u:hunter2@db"
            .parse::<StoreBackend>()
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn the_webhook_authorization_comes_from_the_environment_and_is_never_shown() {
        std::env::set_var("OTP_BACKENDS_TEST_AUTHORIZATION", "Bearer hunter2-relay\n");
        let file = SmsFile {
            gateway: Some("webhook".into()),
            webhook_url: Some("https://relay.internal/send".into()),
            authorization_env: Some("OTP_BACKENDS_TEST_AUTHORIZATION".into()),
            ..SmsFile::default()
        };
        let backend = SmsBackend::from_file(&file, false).unwrap();
        let SmsBackend::Webhook { authorization, .. } = &backend else {
            panic!("{backend:?}");
        };
        assert_eq!(
            authorization.as_ref().unwrap().expose(),
            "Bearer hunter2-relay"
        );
        assert!(!format!("{backend:?}").contains("hunter2"));
        let unset = SmsFile {
            authorization_env: Some("OTP_BACKENDS_TEST_UNSET".into()),
            ..file.clone()
        };
        let err = SmsBackend::from_file(&unset, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sms.authorization_env names OTP_BACKENDS_TEST_UNSET"),
            "{err}"
        );
        std::env::set_var("OTP_BACKENDS_TEST_AUTHORIZATION", "Bearer a\nX-Injected: b");
        let err = SmsBackend::from_file(&file, false).unwrap_err().to_string();
        assert!(err.contains("not a valid HTTP header value"), "{err}");
        assert!(!err.contains("Injected"), "{err}");
    }

    fn refusal(url: &str) -> String {
        match url.parse::<StoreBackend>() {
            Ok(store) => panic!("{url} parsed as {store:?}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn well_formed_redis_urls_parse() {
        for url in [
            "redis://127.0.0.1:6379",
            "redis://localhost",
            "redis://redis.internal:6379/",
            "redis://redis_1:6379/15",
            "redis://:s3cret@10.0.0.1:6379/2",
            "redis://user:p%40ss@10.0.0.1",
            "redis://[::1]:6379/0",
            "redis+cluster://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000",
            "redis+cluster://u:p@h1:7000,u:p@h2:7000",
            "rediss://:s3cret@redis.internal:6380/1",
            "rediss+cluster://10.0.0.1:7000,10.0.0.2:7000",
        ] {
            assert!(
                url.parse::<StoreBackend>().is_ok(),
                "{url}: {}",
                refusal(url)
            );
        }
    }

    #[test]
    fn a_malformed_redis_url_is_refused_naming_the_wrong_part() {
        for (url, says) in [
            (
                "redis://127.0.0.1:notaport",
                "the port \"notaport\" is not a number from 1 to 65535",
            ),
            ("redis://127.0.0.1:0", "the port \"0\""),
            ("redis://127.0.0.1:65536", "the port \"65536\""),
            ("redis://127.0.0.1:", "the port \"\""),
            ("redis://127.0.0.1:+6379", "the port \"+6379\""),
            ("redis://", "no host"),
            ("redis://:6379", "no host"),
            ("redis://:secret@", "no host"),
            ("redis://ho st:6379", "the host \"ho st\""),
            ("redis://0.0.0.0:6379", "wildcard"),
            ("redis://[::]:6379", "wildcard"),
            ("redis://::1:6379", "in brackets"),
            ("redis://[::1:6379", "closing `]`"),
            ("redis://[nope]:6379", "not an IPv6 address"),
            ("redis://[::1]6379", "after the host"),
            (
                "redis://127.0.0.1:6379/zero",
                "the database \"zero\" is not a number",
            ),
            ("redis://127.0.0.1:6379/-1", "the database \"-1\""),
            ("redis://127.0.0.1:6379/0/1", "the database \"0/1\""),
            ("redis://127.0.0.1:6379/?protocol=resp3", "a query"),
            ("redis://127.0.0.1:6379#x", "a fragment"),
            ("redis://h1:6379,h2:6379", "redis+cluster://"),
            ("redis+cluster://h1:7000,,h3:7000", "node 2: no host"),
            ("redis+cluster://h1:7000,h2:x", "node 2: the port \"x\""),
            ("redis+cluster://h1:7000,h2:7000/1", "only database 0"),
        ] {
            let err = refusal(url);
            assert!(err.contains(says), "{url}: {err}");
            assert!(err.starts_with("store redis"), "{url}: {err}");
            assert!(!err.contains("InvalidClientConfig"), "{url}: {err}");
            assert_eq!(err.lines().count(), 1, "{url}: {err}");
        }
    }

    #[test]
    fn a_refused_redis_url_never_shows_its_credentials() {
        for url in [
            "redis://:hunter2@127.0.0.1:notaport",
            "redis://admin:hunter2@127.0.0.1:6379/x",
            "redis://admin:hunter2@:6379",
            "redis+cluster://u:hunter2@h1:7000,u:hunter2@h2:bad",
            // An unencoded `/`, `?` or `#` in the password splits it into the path.
            "redis://:hun/ter2@127.0.0.1:6379",
            "redis://:hun?ter2@127.0.0.1:6379",
            "redis://:hun#ter2@127.0.0.1:6379",
            "rediss://:hun/ter2@127.0.0.1:6379",
            "rediss://:hunter2@127.0.0.1:notaport",
            "rediss+cluster://u:hunter2@h1:7000,u:hunter2@h2:bad",
            "redis+tls://:hunter2@127.0.0.1:6379",
        ] {
            let err = refusal(url);
            assert!(
                !err.contains("hunter2") && !err.contains("ter2"),
                "{url}: {err}"
            );
        }
        assert!(refusal("redis://:hun/ter2@127.0.0.1:6379").contains("percent-encode"));
    }
}
