//! The commands besides `serve`: what they print is built here, so `main`
//! stays a dispatcher and tests can call them without a process.

use crate::auth::new_secret;
use crate::clock::{OffsetClock, SystemClock};
use crate::config::{Client, Config};
use anyhow::{bail, ensure, Context};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The registered client `id`, or an error listing the known ones.
pub fn client<'c>(config: &'c Config, id: &str) -> anyhow::Result<&'c Arc<Client>> {
    config.clients.get(id).with_context(|| {
        let known: Vec<_> = config.clients.iter().map(|c| c.id.as_str()).collect();
        format!("no client {id:?}; configured clients: {}", known.join(", "))
    })
}

/// `error` as one line: its causes after it (`{:#}`), multi-line messages
/// (a TOML parse error's excerpt) folded, and never a backtrace (anyhow
/// captures one when `RUST_BACKTRACE` is set, and `{:?}` prints it).
pub fn one_line(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(" ")
}

/// `otp-server encrypt|decrypt --client ID VALUE`.
pub fn cipher(config: &Config, id: &str, value: &str, encrypt: bool) -> anyhow::Result<String> {
    let client = client(config, id)?;
    let out = if encrypt {
        client.cipher.encrypt(value)
    } else {
        client.cipher.decrypt(value)
    };
    out.with_context(|| format!("{} cipher of client {}", client.cipher.name(), client.id))
}

/// `otp-server token --client ID` (sandbox only): a token live on a
/// sandbox clock `offset_secs` ahead of the system clock (what
/// `--target URL` reads from the running sandbox; 0 without it).
pub fn token(config: &Config, id: &str, offset_secs: u64) -> anyhow::Result<String> {
    if !config.server.sandbox {
        bail!("`otp-server token` works in sandbox mode only; outside it, use the token endpoint with the client's secret");
    }
    let client = client(config, id)?;
    let offset = Arc::new(AtomicU64::new(offset_secs.saturating_mul(1000)));
    let clock = OffsetClock::new(Arc::new(SystemClock), offset);
    let tokens =
        crate::auth::Tokens::new(config.token_key(), config.token_lifetime(), Arc::new(clock));
    Ok(tokens.issue(&client.id))
}

/// `otp-server client new ID`: a 256-bit secret, shown once, and the
/// config lines that register the client by the secret's SHA-256.
pub fn client_new(id: &str) -> anyhow::Result<String> {
    ensure!(
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
        "a client id is 1 to 64 letters, digits, '.', '_' or '-'"
    );
    let (secret, sha256) = new_secret().context("the OS random source failed")?;
    let env = format!(
        "OTP_{}_KEY",
        id.to_ascii_uppercase().replace(['.', '-'], "_")
    );
    Ok(format!(
        "client_secret for {id} (shown once: hand it to the client over a safe channel; the config keeps only its SHA-256):\n\n  {secret}\n\nAdd to the config:\n\n[[clients]]\nid = \"{id}\"\nsecret_sha256 = \"{sha256}\"\ncipher = \"aes-256-gcm\"\nkey_env = \"{env}\"                # its value: openssl rand -base64 32\napis = [\"rao\", \"telemarketing\"]\naccess = [{{ country = \"MX\", business = \"GCB\", channels = [\"MOBILE\"] }}]\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn a_new_client_secret_is_random_and_registered_by_its_hash() {
        let text = client_new("mobile-app").unwrap();
        let secret = text.lines().nth(2).unwrap().trim();
        assert_eq!(secret.len(), 43, "256 bits, base64url");
        let hash = crate::crypto::hex(&Sha256::digest(secret.as_bytes()));
        assert!(text.contains(&format!("secret_sha256 = \"{hash}\"")));
        assert!(!text.contains(&format!("secret_sha256 = \"{secret}")));
        assert_ne!(client_new("mobile-app").unwrap(), text);
        assert!(client_new("bad id").is_err());
    }
}
