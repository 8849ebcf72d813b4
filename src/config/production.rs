//! What a configuration with `sandbox = false` must satisfy: real secrets,
//! kept out of the TOML, and no sandbox parts. Each refusal names the
//! setting to fix.

use super::{secrets::weakness, Config, Key, SmsBackend};
use anyhow::{bail, ensure};

/// Client secrets whose SHA-256 production refuses: the sandbox's, and the
/// most common passwords (a hash alone cannot show a secret's strength;
/// `otp-server client new` makes a 256-bit one).
const WELL_KNOWN_SECRETS: &[&str] = &[
    "sandbox-secret",
    "",
    "secret",
    "password",
    "password1",
    "Password1",
    "password123",
    "Password123",
    "passw0rd",
    "P@ssw0rd",
    "changeme",
    "changeit",
    "admin",
    "admin123",
    "root",
    "toor",
    "letmein",
    "welcome",
    "welcome1",
    "qwerty",
    "qwerty123",
    "abc123",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "111111",
    "000000",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "master",
    "shadow",
    "sunshine",
    "princess",
    "trustno1",
    "client-secret",
    "client_secret",
    "clientsecret",
    "s3cr3t",
    "secret123",
    "default",
    "guest",
    "test",
    "test123",
    "demo",
    "example",
];

/// Every key serves one purpose: no client's cipher key is a server key or
/// another client's.
fn check_keys_differ(config: &Config) -> anyhow::Result<()> {
    let mut seen: Vec<(String, [u8; 32])> = vec![
        ("secrets.token_key".into(), config.secrets.token_key.bytes),
        ("secrets.otp_key".into(), config.secrets.otp_key.bytes),
    ];
    for (setting, key) in previous_keys(config) {
        if let Some((other, _)) = seen.iter().find(|(_, k)| *k == key.bytes) {
            bail!("{setting} is the same as {other}: a previous key must differ from the current keys and from every other key");
        }
        seen.push((setting, key.bytes));
    }
    for client in config.clients.iter() {
        let Some(key) = client.key_bytes else {
            continue;
        };
        if let Some((other, _)) = seen.iter().find(|(_, k)| *k == key) {
            bail!(
                "client {}: key is the same as {other}: give each purpose its own key",
                client.id
            );
        }
        seen.push((format!("client {}'s key", client.id), key));
    }
    Ok(())
}

/// The previous keys of a rotation, each named as its setting's entry
/// (`secrets.otp_keys_previous[0]`).
fn previous_keys(config: &Config) -> Vec<(String, &Key)> {
    let secrets = &config.secrets;
    let named = |list: &'static str| move |(i, key)| (format!("secrets.{list}[{i}]"), key);
    let token = secrets.token_keys_previous.iter().enumerate();
    let otp = secrets.otp_keys_previous.iter().enumerate();
    token
        .map(named("token_keys_previous"))
        .chain(otp.map(named("otp_keys_previous")))
        .collect()
}

/// Refuses a production configuration that is not safe to run.
pub fn check(config: &Config) -> anyhow::Result<()> {
    for (setting, key) in [
        ("secrets.token_key", &config.secrets.token_key),
        ("secrets.otp_key", &config.secrets.otp_key),
    ] {
        ensure!(!key.inline, "{setting} is written in the config file: in production give {setting}_env or {setting}_file");
        if let Some(why) = weakness(&key.bytes) {
            bail!("{setting} {why}: use 32 random bytes, e.g. `openssl rand -base64 32`");
        }
    }
    for (setting, key) in previous_keys(config) {
        let list = setting.split('[').next().unwrap_or_default();
        ensure!(
            !key.inline,
            "{setting} is written in the config file: in production give {list}_env or {list}_file"
        );
        if let Some(why) = weakness(&key.bytes) {
            bail!("{setting} {why}: a previous key must be as strong as a current one (32 random bytes)");
        }
    }
    ensure!(
        config.secrets.token_key.bytes != config.secrets.otp_key.bytes,
        "secrets.token_key and secrets.otp_key must differ: one key, one purpose"
    );
    check_keys_differ(config)?;
    ensure!(
        config.test_phones.is_empty(),
        "sandbox.test_phones are for the sandbox only: remove them (their OTPs are fixed and public)"
    );
    ensure!(
        config.clients.iter().next().is_some(),
        "no [[clients]]: production needs at least one"
    );
    let weak_secrets = WELL_KNOWN_SECRETS;
    for client in config.clients.iter() {
        let id = &client.id;
        ensure!(
            client.cipher.name() != "plain",
            "client {id}: cipher \"plain\" is for the sandbox only; use \"aes-256-gcm\""
        );
        ensure!(!client.inline_key, "client {id}: key is written in the config file: in production give key_env or key_file");
        if let Some(why) = client.key_weakness {
            bail!("client {id}: key {why}: use 32 random bytes, e.g. `openssl rand -base64 32`");
        }
        let weak = weak_secrets
            .iter()
            .any(|s| crate::crypto::sha256(&[s.as_bytes()]) == client.secret_sha256);
        ensure!(
            !weak,
            "client {id}: secret_sha256 is the hash of a well-known secret; issue a random one with `otp-server client new {id}`"
        );
    }
    match &config.sms {
        SmsBackend::Outbox => bail!(
            "sms.gateway = \"outbox\" is the sandbox's; use \"webhook\" (or \"log\" for a dry run)"
        ),
        SmsBackend::Webhook {
            url,
            authorization: Some(_),
            ..
        } if !url.starts_with("https://") && !is_loopback(url) => bail!(
            "sms.authorization_env/sms.authorization_file with an http:// sms.webhook_url would send the credential in clear: use https:// (plain http:// only to a relay on this host: 127.0.0.1, [::1] or localhost)"
        ),
        SmsBackend::Webhook { .. } | SmsBackend::Log => Ok(()),
    }
}

/// Whether an `http://` URL's host is this machine.
fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<hyper::Uri>() else {
        return false;
    };
    match uri.host() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}
