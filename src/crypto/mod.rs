//! The two primitives every secret goes through: keyed hashes (the only
//! form in which OTPs, phones and customer ids are stored) and uniform
//! random codes from the OS CSPRNG. Shared by the OTP engine and the MFA
//! engine, so neither imports the other.

pub mod keys;
pub mod random;

pub use keys::{Digest, Keys};
pub use random::{random_code, RandomError};
