//! otp-server: a contract-first reference server for the RAO account-opening
//! OTP API and the telemarketing OTP API.
//!
//! # Layout
//!
//! - `generated/` (the `rao_token_management`, `telemarketing_otp` and
//!   `oauth_token` crates): models, `Api` traits and hyper routers generated
//!   from `specs/` by openapi-generator. Never edited by hand.
//! - [`cli`]: command-line parsing.
//!
//! See `docs/ARCHITECTURE.md` for the path of a request through the layers.

pub mod cli;

pub use oauth_token;
pub use rao_token_management;
pub use telemarketing_otp;
