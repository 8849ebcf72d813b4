//! otp-server: a contract-first reference server for the RAO account-opening
//! OTP API and the telemarketing OTP API.
//!
//! # Layout
//!
//! - `generated/` (the `rao_token_management`, `telemarketing_otp` and
//!   `oauth_token` crates): models, `Api` traits and hyper routers generated
//!   from `specs/` by openapi-generator. Never edited by hand.
//! - The production core: `server` (the accept loop, the edge, the contract
//!   gate, the one route table of what is not an operation), `contract`
//!   (the operation registry compiled from the specs), `impl` (the
//!   generated `Api` traits, implemented thinly), `error` (the spec's
//!   `ErrorResponse` and one error table per API) and the domain, which
//!   knows no HTTP: `otp` (the two flows and their shared issuer), `auth`
//!   (tokens, the token endpoint and its limit), `store`, `sms`, `mfa`,
//!   `cipher`, `crypto`, `phone`, `clock`; with `app` (the core's shared
//!   state), `observe` (log line, metrics), `config` and `tls` (rustls for
//!   the listener, the SMS webhook and `rediss://`).
//! - `sandbox`: the layer around the core in sandbox mode — its shared
//!   state, clock, store decorator, outbox, forced errors, testing kit,
//!   console and web pages (`assets/`). The core never reaches it.
//! - `assemble`: puts a server together from its config (the one module
//!   that knows both the core and the sandbox).
//! - Measuring other implementations against the specs: `conform` (the
//!   conformance kit) and `proxy` (the validation proxy): clients of the
//!   contract, not of the server.
//! - `cli`, `commands`, `startup`: the binary's commands.
//!
//! # Public surface
//!
//! What `main.rs`, the integration tests (`tests/it`) and the benchmarks
//! (`bench/`) use, and nothing else: building and serving a server
//! ([`Server`], [`Backend`], [`serve`], [`serve_with_admin`]); the
//! configuration; the store traits and backends, the SMS and MFA traits
//! (so tests can plug in failing ones); the sandbox's shared state (its
//! conformance suite runs on both backends); the contract registry, the
//! clock, the ciphers and key helpers tests and benches encode with; and
//! the commands.

pub mod assemble;
pub mod cli;
pub mod commands;
pub mod config;
pub mod conform;
pub mod proxy;
pub mod startup;

pub mod cipher;
pub mod clock;
pub mod contract;
pub mod crypto;
pub mod mfa;
pub mod sandbox;
pub mod sms;
pub mod store;
pub mod tls;

pub(crate) mod app;
pub(crate) mod auth;
pub(crate) mod decimal;
pub(crate) mod error;
pub(crate) mod r#impl;
pub(crate) mod log_line;
pub(crate) mod observe;
pub(crate) mod otp;
pub(crate) mod phone;
pub(crate) mod server;

pub use assemble::{serve, serve_with_admin, Backend, Server, ServerBuilder};
