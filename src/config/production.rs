//! What a configuration with `sandbox = false` must satisfy: real secrets,
//! kept out of the TOML, and no sandbox parts. Each refusal names the
//! setting to fix.

use super::{secrets::weakness, Config, SmsBackend};
use anyhow::{bail, ensure};
use sha2::{Digest, Sha256};

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
    ensure!(
        config.secrets.token_key.bytes != config.secrets.otp_key.bytes,
        "secrets.token_key and secrets.otp_key must differ"
    );
    ensure!(
        config.test_phones.is_empty(),
        "sandbox.test_phones are for the sandbox only: remove them (their OTPs are fixed and public)"
    );
    ensure!(
        config.clients.iter().next().is_some(),
        "no [[clients]]: production needs at least one"
    );
    let weak_secrets = ["sandbox-secret", "", "secret", "password", "changeme"];
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
            .any(|s| <[u8; 32]>::from(Sha256::digest(s.as_bytes())) == client.secret_sha256);
        ensure!(
            !weak,
            "client {id}: secret_sha256 is the hash of a well-known secret; issue a random one"
        );
    }
    match config.sms {
        SmsBackend::Outbox => bail!(
            "sms.gateway = \"outbox\" is the sandbox's; use \"webhook\" (or \"log\" for a dry run)"
        ),
        SmsBackend::Webhook { .. } | SmsBackend::Log => Ok(()),
    }
}
