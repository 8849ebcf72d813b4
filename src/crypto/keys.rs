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

/// The OTP keys of a rotation: the current one, under which everything new
/// is hashed, and the previous ones (newest first), under which what was
/// stored before stays readable until it expires.
///
/// Phone records — a phone's send throttles and lock, the hash tag of its
/// challenges, the start of a telemarketing `sid` — are the exception: they
/// stay under the oldest key for as long as it is listed, so an instance
/// still on the old configuration and one on the new count every send and
/// every wrong OTP in the same record, and the lock holds across both.
#[derive(Clone)]
pub(crate) struct KeyRing {
    current: Keys,
    previous: Vec<Keys>,
}

impl KeyRing {
    pub(crate) fn new(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self {
            current: Keys::new(current),
            previous: previous.iter().map(Keys::new).collect(),
        }
    }

    /// What new challenges, sessions and bindings are hashed under.
    pub(crate) fn current(&self) -> &Keys {
        &self.current
    }

    /// What a lookup that found nothing under the current key tries next.
    pub(crate) fn previous(&self) -> &[Keys] {
        &self.previous
    }

    /// The key of phone records: the oldest listed.
    pub(crate) fn phones(&self) -> &Keys {
        self.previous.last().unwrap_or(&self.current)
    }
}
