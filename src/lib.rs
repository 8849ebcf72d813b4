//! otp-server: a contract-first reference server for the RAO account-opening
//! OTP API and the telemarketing OTP API.
//!
//! # Layout
//!
//! - `generated/` (the `rao_token_management`, `telemarketing_otp` and
//!   `oauth_token` crates): models, `Api` traits and hyper routers generated
//!   from `specs/` by openapi-generator. Never edited by hand.
//! - [`server`]: the edge (routing by the registry, limits, sandbox
//!   endpoints) and the contract gate (401/403/400 before the generated
//!   router).
//! - [`contract`]: the operation registry, compiled once from the specs:
//!   routes, checks, response variants and error rows.
//! - [`r#impl`]: the generated `Api` traits, implemented; each API's
//!   mapping from domain errors to its documented codes.
//! - Domain, no HTTP: [`otp`] (the flows), [`store`], [`sms`], [`mfa`],
//!   [`cipher`], [`auth`], [`crypto`], [`phone`], [`clock`].
//! - [`error`]: the spec's `ErrorResponse` envelope, rendered purely.
//! - [`observe`] (request log, per-app metrics), [`console`] (what the
//!   sandbox console shows live: recent requests, SMS and sandbox events),
//!   [`config`], [`app`] (shared state), [`cli`], [`startup`].
//! - `assets/`: the sandbox's web pages (console, API docs with the
//!   vendored swagger-ui), embedded by `server::pages`.
//! - Measuring other implementations against the specs and PRODUCT.md:
//!   [`conform`] (`otp-server conform`, the conformance kit) and [`proxy`]
//!   (`otp-server proxy`, the validation proxy).
//!
//! See `docs/ARCHITECTURE.md` for the path of a request through the layers.

pub mod app;
pub mod auth;
pub mod cipher;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod conform;
pub mod console;
pub mod contract;
pub mod crypto;
pub mod error;
pub mod r#impl;
pub mod mfa;
pub mod observe;
pub mod otp;
pub mod phone;
pub mod proxy;
pub mod server;
pub mod sms;
pub mod startup;
pub mod store;

pub use app::App;
pub use server::{serve, serve_with_admin};
