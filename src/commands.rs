//! The commands besides `serve`: what they print is built here, so `main`
//! stays a dispatcher and tests can call them without a process.
//!
//! Also how every command prints. Rust ignores SIGPIPE, so writing to a
//! closed stdout is an `EPIPE` error, on which `println!` panics (exit 101,
//! "failed printing to stdout"). The commands print through [`println`]
//! instead, which reports a closed stdout as [`PrintError::Closed`]: the
//! reader has what it wanted (`otp-server conform --list | head -1`), so
//! the command ends quietly with success. Restoring SIGPIPE's default
//! action would end the process as quietly, but for the whole process: a
//! server or proxy would then die of a peer that hangs up, where today its
//! write fails and only that connection ends.

use crate::auth::new_secret;
use crate::clock::SystemClock;
use crate::config::{Client, Config};
use crate::sandbox::clock::SandboxClock;
use anyhow::{bail, ensure, Context};
use std::fmt::Display;
use std::io::{ErrorKind, Write};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Why a line could not be printed on stdout.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The reader went away: not a failure, the command ends quietly.
    #[error("stdout is closed")]
    Closed,
    #[error("cannot write to stdout: {0}")]
    Failed(std::io::Error),
}

/// Prints `text` and a newline on stdout, flushed.
pub fn println(text: impl Display) -> Result<(), PrintError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            ErrorKind::BrokenPipe => PrintError::Closed,
            _ => PrintError::Failed(e),
        })
}

/// Prints `text` on stderr, flushed; a stderr that cannot be written is
/// left alone (there is nowhere left to say so).
pub fn eprint(text: impl Display) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}").and_then(|()| err.flush());
}

/// Whether `error` is a closed stdout, which ends a command quietly.
pub fn is_closed_stdout(error: &anyhow::Error) -> bool {
    matches!(error.downcast_ref(), Some(PrintError::Closed))
}

/// `error` as one line: its causes after it (`{:#}`), multi-line messages
/// (a TOML parse error's excerpt) folded, and never a backtrace.
pub fn one_line(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(" ")
}

/// The registered client `id`, or an error listing the known ones.
pub fn client<'c>(config: &'c Config, id: &str) -> anyhow::Result<&'c Arc<Client>> {
    config.clients.get(id).with_context(|| {
        let known: Vec<_> = config.clients.iter().map(|c| c.id.as_str()).collect();
        format!("no client {id:?}; configured clients: {}", known.join(", "))
    })
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
    let clock = SandboxClock::new(Arc::new(SystemClock), offset);
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

    #[test]
    fn a_new_client_secret_is_random_and_registered_by_its_hash() {
        let text = client_new("mobile-app").unwrap();
        let secret = text.lines().nth(2).unwrap().trim();
        assert_eq!(secret.len(), 43, "256 bits, base64url");
        let hash = crate::crypto::hex(&crate::crypto::sha256(&[secret.as_bytes()]));
        assert!(text.contains(&format!("secret_sha256 = \"{hash}\"")));
        assert!(!text.contains(&format!("secret_sha256 = \"{secret}")));
        assert_ne!(client_new("mobile-app").unwrap(), text);
        assert!(client_new("bad id").is_err());
    }
}
