//! otp-server: a contract-first reference server for the RAO account-opening
//! OTP API and the telemarketing OTP API.
//!
//! # Layout
//!
//! - `generated/` (the `rao_token_management`, `telemarketing_otp` and
//!   `oauth_token` crates): models, `Api` traits and hyper routers generated
//!   from `specs/` by openapi-generator. Never edited by hand.
//! - [`server`]: the edge (routing, limits, sandbox endpoints) and the
//!   contract gate (401/403/400 before the generated router).
//! - [`contract`]: the specs, compiled at startup into checks and error rows.
//! - [`r#impl`]: the generated `Api` traits, implemented.
//! - Domain, no HTTP: [`otp`] (the flows), [`store`], [`sms`], [`mfa`],
//!   [`cipher`], [`auth`].
//! - [`error`]: domain errors → the spec's `ErrorResponse`, in one place.
//! - [`config`], [`app`] (shared state), [`cli`].
//!
//! See `docs/ARCHITECTURE.md` for the path of a request through the layers.

pub mod app;
pub mod auth;
pub mod cipher;
pub mod cli;
pub mod config;
pub mod contract;
pub mod error;
pub mod r#impl;
pub mod mfa;
pub mod observe;
pub mod otp;
pub mod server;
pub mod sms;
pub mod startup;
pub mod store;

pub use app::App;
pub use server::serve;

pub use oauth_token;
pub use rao_token_management;
pub use telemarketing_otp;
