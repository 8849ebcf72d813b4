//! Keyed hashes: the only form in which OTPs, phones and customer ids are stored.
//!
//! HMAC-SHA256 under the server's `otp_key`, over a domain label, the
//! session key and the value, each length-prefixed so that no two different
//! triples hash alike. Without the key a stolen store reveals nothing, and
//! a 6-digit OTP cannot be found by hashing all million candidates.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A keyed hash (HMAC-SHA256, truncated to 128 bits) of an OTP, phone or
/// customer id. 128 bits keep forgery and collisions out of reach while
/// halving what each live challenge costs in memory.
pub type Digest = [u8; 16];

/// The server's hashing key, keyed once.
#[derive(Clone)]
pub(crate) struct Keys {
    mac: Hmac<Sha256>,
}

impl Keys {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        // HMAC accepts keys of any length; 32 bytes cannot be refused.
        Self {
            mac: Hmac::new_from_slice(key).expect("HMAC takes any key length"),
        }
    }

    /// The digest of `value` for `domain` (what it is) within `scope` (whose).
    pub(crate) fn digest(&self, domain: &str, scope: &str, value: &str) -> Digest {
        let mut mac = self.mac.clone();
        for part in [domain, scope, value] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        let full = mac.finalize().into_bytes();
        let mut digest = Digest::default();
        let len = digest.len();
        digest.copy_from_slice(&full[..len]);
        digest
    }
}
