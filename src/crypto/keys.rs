//! Keyed hashes: the only form in which OTPs, phones and customer ids are stored.
//!
//! HMAC-SHA256 under the server's `otp_key`, over a domain label, the
//! session key and the value, each length-prefixed so that no two different
//! triples hash alike. Without the key a stolen store reveals nothing, and
//! a 6-digit OTP cannot be found by hashing all million candidates.

use ring::hmac;

/// A keyed hash (HMAC-SHA256, truncated to 128 bits) of an OTP, phone or
/// customer id. 128 bits keep forgery and collisions out of reach while
/// halving what each live challenge costs in memory.
pub type Digest = [u8; 16];

/// The server's hashing key, keyed once: the HMAC's inner and outer
/// blocks are hashed when the key is loaded, not per digest.
#[derive(Clone)]
pub(crate) struct Keys {
    key: hmac::Key,
}

impl Keys {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
        }
    }

    /// The digest of `value` for `domain` (what it is) within `scope` (whose).
    pub(crate) fn digest(&self, domain: &str, scope: &str, value: &str) -> Digest {
        // The message is gathered first: one update hashes whole blocks,
        // where six small ones each copy into the context's buffer.
        let mut message = [0u8; 256];
        let mut at = 0;
        let mut mac = hmac::Context::with_key(&self.key);
        for part in [domain, scope, value] {
            for piece in [&(part.len() as u64).to_be_bytes()[..], part.as_bytes()] {
                if at + piece.len() > message.len() {
                    mac.update(&message[..at]);
                    at = 0;
                }
                if piece.len() > message.len() {
                    mac.update(piece);
                } else {
                    message[at..at + piece.len()].copy_from_slice(piece);
                    at += piece.len();
                }
            }
        }
        mac.update(&message[..at]);
        super::truncated(mac.sign().as_ref())
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

#[cfg(test)]
mod tests {
    /// Stored digests must not change with the implementation: a challenge
    /// written by one version is read by the next (the value is
    /// HMAC-SHA256 by Python's `hmac`, over the same length-prefixed parts).
    #[test]
    fn a_digest_is_the_length_prefixed_hmac_sha256_truncated() {
        let keys = super::Keys::new(&[1; 32]);
        let digest = keys.digest("otp", "tm:{ab}:cd", "12345678901");
        assert_eq!(
            crate::crypto::hex(&digest),
            "c4cbb8d7fb5138fde18b1bb1fc6fae87"
        );
        // Parts longer than the gathering buffer hash alike.
        let long = "x".repeat(300);
        assert_eq!(
            crate::crypto::hex(&keys.digest("otp", &long, &long)),
            "67292ba90cdab99b1d0d920c3830e090"
        );
    }
}
