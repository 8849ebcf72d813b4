//! Configuration: one TOML file, or the embedded sandbox default.
//!
//! Each component owns its section (`server`, `secrets`, `policy`,
//! `clients`); this module composes them, parses the file and checks what
//! serde cannot (keys of the right size, clients that make sense). Loading
//! is an edge of the program, so it reports with `anyhow` and context.

mod backends;
mod policy;
mod production;
mod secrets;
mod test_phones;

pub use backends::{without_credentials, Authorization, SmsBackend, SmsFile, StoreBackend};
pub use policy::{Policy, PolicyOverrides};
pub use secrets::{decode_key, Key, KeySource};
pub use test_phones::{DelayMs, SandboxConfig, TestPhoneEntry, TestPhones};

use crate::cipher::Cipher;
use crate::contract::Api;
pub use crate::store::redis::RedisConfig;
use anyhow::{bail, ensure, Context};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The embedded sandbox configuration (`src/config/sandbox.toml`).
pub const SANDBOX_TOML: &str = include_str!("sandbox.toml");
/// The public keys of the sandbox, which production refuses.
pub const SANDBOX_TOKEN_KEY: &str = "c2FuZGJveC10b2tlbi1rZXktMDAwMDAwMDAwMDAwMDA=";
pub const SANDBOX_OTP_KEY: &str = "c2FuZGJveC1vdHAta2V5LTAwMDAwMDAwMDAwMDAwMDA=";
pub const SANDBOX_AES_KEY: &str = "c2FuZGJveC1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDA=";

/// The whole configuration, as loaded and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub redis: RedisConfig,
    pub sms: SmsBackend,
    pub secrets: Secrets,
    pub policy: Policy,
    pub clients: Clients,
    /// `[[sandbox.test_phones]]`, checked.
    pub test_phones: TestPhones,
    /// `[sandbox]`: the rest of the sandbox layer's settings.
    pub sandbox: SandboxConfig,
}

/// `[server]`: how the HTTP side behaves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Sandbox mode: the SMS outbox, `Prefer: error=` and `otp-server token`.
    pub sandbox: bool,
    /// Address to listen on when neither `--listen` nor `OTP_LISTEN` is given.
    pub listen: String,
    /// `memory`, `redis://host:port[/db]` or `redis+cluster://h1:p1,h2:p2,…`
    /// (`rediss://`, `rediss+cluster://` over TLS), when neither `--store`
    /// nor `OTP_STORE` is given.
    pub store: StoreBackend,
    /// Largest request body accepted; larger ones get `400 invalidRequest`.
    pub body_limit_bytes: usize,
    /// Time a client has to send the request head before the connection is closed.
    pub header_timeout_ms: u64,
    /// Time a client has to send the request body.
    pub body_timeout_ms: u64,
    /// Lifetime of the bearer tokens the token endpoint issues.
    pub token_lifetime_secs: u64,
    /// How many messages the sandbox outbox keeps, oldest dropped first.
    pub outbox_capacity: usize,
    /// Most entries (phones, challenges, sessions, token clients) the memory
    /// store holds; past it new ones get `500 serverUnavailable`.
    pub max_store_entries: usize,
    /// Most connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Outside the sandbox, where `/metrics` (and the health endpoints) are
    /// served, apart from the public listener.
    pub admin_listen: String,
    /// On SIGTERM/SIGINT: how long in-flight requests may take to finish.
    pub shutdown_grace_ms: u64,
    /// Behind a proxy: the header whose last address is the client's
    /// (`X-Forwarded-For`); the token endpoint counts failed
    /// authentications per client and source address. Unset: the
    /// connection's peer, and no header is trusted.
    pub client_address_header: Option<String>,
    /// The public listener's certificate chain (PEM); with
    /// `tls_key_file`, the listener speaks HTTPS. Reloaded on SIGHUP.
    pub tls_cert_file: Option<PathBuf>,
    /// The private key (PEM) of `tls_cert_file`.
    pub tls_key_file: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            sandbox: false,
            listen: "127.0.0.1:8080".into(),
            store: StoreBackend::Memory,
            body_limit_bytes: 64 * 1024,
            header_timeout_ms: 5_000,
            body_timeout_ms: 10_000,
            token_lifetime_secs: 3_600,
            outbox_capacity: 1_000,
            max_store_entries: crate::store::memory::DEFAULT_MAX_ENTRIES,
            max_connections: 10_000,
            admin_listen: "127.0.0.1:9464".into(),
            shutdown_grace_ms: 10_000,
            client_address_header: None,
            tls_cert_file: None,
            tls_key_file: None,
        }
    }
}

/// `[secrets]` as written: each key inline, from `<key>_env` or `<key>_file`;
/// the previous keys of a rotation as lists, the same three ways.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    token_key: Option<String>,
    token_key_env: Option<String>,
    token_key_file: Option<String>,
    otp_key: Option<String>,
    otp_key_env: Option<String>,
    otp_key_file: Option<String>,
    token_keys_previous: Option<Vec<String>>,
    token_keys_previous_env: Option<Vec<String>>,
    token_keys_previous_file: Option<Vec<String>>,
    otp_keys_previous: Option<Vec<String>>,
    otp_keys_previous_env: Option<Vec<String>>,
    otp_keys_previous_file: Option<Vec<String>>,
}

/// The server keys (base64 of 32 bytes each, resolved).
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Signs bearer tokens; every instance that shares it accepts the others' tokens.
    pub token_key: Key,
    /// Keys the hashes under which OTPs, phones and customer ids are stored.
    pub otp_key: Key,
    /// Earlier token keys (newest first): tokens they signed are accepted
    /// until they expire; none is signed with them.
    pub token_keys_previous: Vec<Key>,
    /// Earlier OTP keys (newest first): what was stored under them stays
    /// readable until it expires; phone records stay under the oldest
    /// (`crypto::KeyRing`).
    pub otp_keys_previous: Vec<Key>,
}

/// One `[[clients]]` entry as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientEntry {
    id: String,
    /// Hex sha256 of the client secret: the file never holds the secret itself.
    secret_sha256: String,
    cipher: String,
    /// The cipher key: `key`, `key_env` or `key_file` (base64 of 32 bytes).
    key: Option<String>,
    key_env: Option<String>,
    key_file: Option<String>,
    /// `rao` and/or `telemarketing`.
    apis: BTreeSet<Api>,
    access: Vec<AccessEntry>,
    #[serde(default)]
    policy: PolicyOverrides,
}

/// A country/business pair and the channels allowed with it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessEntry {
    pub country: String,
    pub business: String,
    pub channels: Vec<String>,
}

/// A registered client, ready to use.
#[derive(Debug)]
pub struct Client {
    pub id: String,
    pub secret_sha256: [u8; 32],
    pub cipher: Cipher,
    /// Whether the cipher key was written in the TOML itself.
    pub inline_key: bool,
    /// Why the cipher key is unfit for production, if it is.
    pub key_weakness: Option<&'static str>,
    /// The cipher key (for production's one-key-one-purpose check).
    pub key_bytes: Option<[u8; 32]>,
    pub apis: BTreeSet<Api>,
    pub access: Vec<AccessEntry>,
    pub policy: Policy,
}

impl Client {
    /// Whether this client may call `api` for the country/business/channel.
    pub fn may_access(&self, api: Api, country: &str, business: &str, channel: &str) -> bool {
        self.apis.contains(&api)
            && self.access.iter().any(|a| {
                a.country == country
                    && a.business == business
                    && a.channels.iter().any(|c| c == channel)
            })
    }
}

/// The registered clients by id. Hashed with foldhash, not SipHash: the
/// keys are the config's, fixed at start, so a caller's `client_id` can
/// only be looked up, never flood the table; every request looks one up.
#[derive(Debug, Clone, Default)]
pub struct Clients(HashMap<String, Arc<Client>, foldhash::fast::RandomState>);

impl Clients {
    pub fn get(&self, id: &str) -> Option<&Arc<Client>> {
        self.0.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Client>> {
        let mut all: Vec<_> = self.0.values().collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all.into_iter()
    }
}

/// The file as serde sees it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    server: ServerConfig,
    #[serde(default)]
    redis: RedisConfig,
    #[serde(default)]
    sms: SmsFile,
    #[serde(default)]
    secrets: SecretsFile,
    #[serde(default)]
    policy: Policy,
    #[serde(default)]
    clients: Vec<ClientEntry>,
    #[serde(default)]
    sandbox: SandboxConfig,
}

impl Config {
    /// The embedded sandbox configuration.
    pub fn sandbox() -> Self {
        // The embedded file is checked by a unit test; failing here is a build defect.
        Self::from_toml(SANDBOX_TOML).expect("the embedded sandbox.toml is valid")
    }

    /// Reads `path`, or the sandbox default when `None`.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::sandbox());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::from_toml(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    /// Parses and checks a configuration.
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let file: File = toml::from_str(text)?;
        let s = &file.secrets;
        let source =
            |inline: &Option<String>, env: &Option<String>, file: &Option<String>| KeySource {
                inline: inline.clone(),
                env: env.clone(),
                file: file.clone(),
            };
        let secrets = Secrets {
            token_key: source(&s.token_key, &s.token_key_env, &s.token_key_file)
                .resolve("secrets.token_key")?,
            otp_key: source(&s.otp_key, &s.otp_key_env, &s.otp_key_file)
                .resolve("secrets.otp_key")?,
            token_keys_previous: secrets::resolve_list(
                "secrets.token_keys_previous",
                &s.token_keys_previous,
                &s.token_keys_previous_env,
                &s.token_keys_previous_file,
            )?,
            otp_keys_previous: secrets::resolve_list(
                "secrets.otp_keys_previous",
                &s.otp_keys_previous,
                &s.otp_keys_previous_env,
                &s.otp_keys_previous_file,
            )?,
        };
        file.policy.check().context("policy")?;
        let mut clients = HashMap::default();
        for entry in file.clients {
            let id = entry.id.clone();
            let client =
                build_client(entry, &file.policy).with_context(|| format!("client {id}"))?;
            ensure!(
                clients.insert(id.clone(), Arc::new(client)).is_none(),
                "client {id} is listed twice"
            );
        }
        match (&file.server.tls_cert_file, &file.server.tls_key_file) {
            (Some(_), None) => bail!("server.tls_cert_file is set without server.tls_key_file: give both, or neither for plain HTTP"),
            (None, Some(_)) => bail!("server.tls_key_file is set without server.tls_cert_file: give both, or neither for plain HTTP"),
            _ => {}
        }
        let sms = SmsBackend::from_file(&file.sms, file.server.sandbox)?;
        let test_phones = TestPhones::from_config(&file.sandbox)?;
        let config = Self {
            server: file.server,
            redis: file.redis,
            sms,
            secrets,
            policy: file.policy,
            clients: Clients(clients),
            test_phones,
            sandbox: file.sandbox,
        };
        if !config.server.sandbox {
            production::check(&config)?;
        }
        Ok(config)
    }

    pub fn token_key(&self) -> [u8; 32] {
        self.secrets.token_key.bytes
    }

    pub fn otp_key(&self) -> [u8; 32] {
        self.secrets.otp_key.bytes
    }

    /// The previous token keys of a rotation, newest first.
    pub fn token_keys_previous(&self) -> Vec<[u8; 32]> {
        self.secrets
            .token_keys_previous
            .iter()
            .map(|k| k.bytes)
            .collect()
    }

    /// The previous OTP keys of a rotation, newest first.
    pub fn otp_keys_previous(&self) -> Vec<[u8; 32]> {
        self.secrets
            .otp_keys_previous
            .iter()
            .map(|k| k.bytes)
            .collect()
    }

    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(self.server.token_lifetime_secs)
    }
}

fn build_client(entry: ClientEntry, defaults: &Policy) -> anyhow::Result<Client> {
    let key = KeySource {
        inline: entry.key,
        env: entry.key_env,
        file: entry.key_file,
    };
    let (cipher, inline_key, key_weakness, key_bytes) = match entry.cipher.as_str() {
        "plain" if key.is_empty() => (Cipher::Plain, false, None, None),
        "plain" => bail!("cipher \"plain\" takes no key"),
        "aes-256-gcm" => {
            let key = key.resolve("key")?;
            let weakness = secrets::weakness(&key.bytes);
            let cipher = Cipher::aes_256_gcm(&key.bytes);
            (cipher, key.inline, weakness, Some(key.bytes))
        }
        other => bail!("unknown cipher {other:?}: use \"plain\" or \"aes-256-gcm\""),
    };
    let mut secret_sha256 = [0u8; 32];
    let hex = entry.secret_sha256.trim();
    ensure!(
        hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "secret_sha256 must be 64 hex digits (sha256 of the client secret)"
    );
    for (i, byte) in secret_sha256.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
    }
    ensure!(
        !entry.apis.is_empty() && entry.apis.iter().all(|api| api.needs_registration()),
        "apis must list \"rao\" and/or \"telemarketing\" (the token endpoint needs no registration)"
    );
    let policy = defaults.with(&entry.policy);
    policy.check().context("policy")?;
    Ok(Client {
        id: entry.id,
        secret_sha256,
        cipher,
        inline_key,
        key_weakness,
        key_bytes,
        apis: entry.apis,
        access: entry.access,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_config_loads_with_both_clients() {
        let config = Config::sandbox();
        assert!(config.server.sandbox);
        let ids: Vec<_> = config.clients.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["sandbox", "sandbox-aes"]);
        let client = config.clients.get("sandbox").unwrap();
        assert!(client.may_access(Api::Rao, "MX", "GCB", "IVR"));
        assert!(!client.may_access(Api::Rao, "US", "GCB", "IVR"));
    }

    #[test]
    fn unknown_cipher_is_refused_with_its_name() {
        let text = SANDBOX_TOML.replacen("cipher = \"plain\"", "cipher = \"rot13\"", 1);
        let err = format!("{:#}", Config::from_toml(&text).unwrap_err());
        assert!(
            err.contains("client sandbox") && err.contains("rot13"),
            "{err}"
        );
    }
}
