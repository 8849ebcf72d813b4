//! The command line: `otp-server serve | encrypt | decrypt | token |
//! conform | proxy`.
//!
//! Only parsing lives here; each command calls into the library, so tests
//! drive the same code without a process.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Contract-first reference server for the RAO account-opening OTP API and
/// the telemarketing OTP API.
///
/// With no configuration it starts in sandbox mode on 127.0.0.1:8080 with an
/// in-memory store, two sandbox clients and an SMS outbox at
/// GET /sandbox/v1/sms. A TOML config file (--config) names real clients,
/// their secrets, ciphers and policy.
#[derive(Debug, Parser)]
#[command(name = "otp-server", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve both OTP APIs and the OAuth token endpoint over HTTP.
    Serve(ServeArgs),
    /// Encrypt VALUE with the client's cipher: prints the base64 a consumer
    /// sends in encryptedPhoneNumber / encryptedOtpToken.
    Encrypt(CipherArgs),
    /// Decrypt VALUE (base64) with the client's cipher and print the plaintext.
    Decrypt(CipherArgs),
    /// Print a bearer token for the client (sandbox mode only); with
    /// --target, live on that running sandbox's clock.
    Token(TokenArgs),
    /// Check another implementation of the APIs against the behaviour of
    /// docs/BEHAVIOUR.md: contract, auth, both flows, attempt limits, expiry,
    /// throttling, the error catalogue. Exits 1 when any check fails.
    Conform(Box<crate::conform::command::ConformArgs>),
    /// Validation proxy (Prism's convention): forward to --upstream and
    /// report every request and response that breaks the specs.
    Proxy(crate::proxy::command::ProxyArgs),
    /// A running sandbox's contract coverage for one client: which
    /// documented answers (success and x-error-codes rows) it gave that
    /// client. Exits 1 below --min.
    Coverage(crate::sandbox::coverage::command::CoverageArgs),
    /// Manage clients: `client new ID` makes a client secret.
    #[command(subcommand)]
    Client(ClientCommand),
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Generate a 256-bit client secret for a new client ID and print it once,
    /// with the [[clients]] lines to paste into the config (which holds only
    /// the secret's SHA-256).
    New {
        /// The new client's client_id.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Address to listen on.
    #[arg(long, env = "OTP_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Where challenges and sessions live: `memory`, `redis://host:port[/db]`
    /// or `redis+cluster://h1:p1,h2:p2,...` (`rediss://`, `rediss+cluster://`
    /// over TLS).
    #[arg(long, env = "OTP_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// Outside the sandbox, where `/metrics` and the health endpoints are
    /// served (`server.admin_listen`).
    #[arg(long, env = "OTP_ADMIN_LISTEN", value_name = "ADDR")]
    pub admin_listen: Option<String>,
    /// In the sandbox, host names (comma-separated; `*` any) its endpoints
    /// that change state accept in `Host`, besides IP literals and
    /// localhost: the names a container or a shared sandbox is reached by
    /// (`sandbox.allowed_hosts`).
    #[arg(
        long,
        env = "OTP_SANDBOX_ALLOWED_HOSTS",
        value_name = "NAMES",
        value_delimiter = ','
    )]
    pub sandbox_allowed_hosts: Vec<String>,
    /// Refuse to start (exit 1) when the store does not answer at startup,
    /// instead of starting not ready with a warning.
    #[arg(long, env = "OTP_REQUIRE_STORE")]
    pub require_store: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArg {
    /// TOML configuration file; without it, the embedded sandbox configuration.
    #[arg(long, env = "OTP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CipherArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The client whose cipher and key to use.
    #[arg(long, value_name = "ID")]
    pub client: String,
    /// The value to encrypt or decrypt.
    pub value: String,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The client to issue the token to.
    #[arg(long, value_name = "ID")]
    pub client: String,
    /// A running sandbox (http://host:port) whose clock the token must be
    /// live on: its GET /sandbox/v1/clock offset is applied (a sandbox whose
    /// clock was moved, by `otp-server conform` for one, refuses a token
    /// minted on the system clock once the move passes its lifetime). The
    /// config must be the sandbox's own (the same token key).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
}
