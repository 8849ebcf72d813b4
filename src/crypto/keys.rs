//! Keyed hashes: the only form in which OTPs, phones and customer ids are stored.
//!
//! HMAC-SHA256 under the server's `otp_key`, over a domain label and the
//! parts hashed (whose session, then the value), each after its length, so
//! that no two different lists hash alike. Without the key a stolen store
//! reveals nothing, and a 6-digit OTP cannot be found by hashing all
//! million candidates.

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

    /// The digest of `parts` for `domain` (what it is): the HMAC of the
    /// domain and each part, each after its length (LEB128: one byte below
    /// 128), so that a short message is one SHA-256 block. Callers put
    /// whose it is first (the session, the client), then the value.
    pub(crate) fn digest(&self, domain: &str, parts: &[&[u8]]) -> Digest {
        // The message is gathered first: one update hashes whole blocks,
        // where many small ones each copy into the context's buffer.
        let mut message = [0u8; 256];
        let mut at = 0;
        let mut mac = hmac::Context::with_key(&self.key);
        for part in std::iter::once(domain.as_bytes()).chain(parts.iter().copied()) {
            let mut length = [0u8; 10];
            let prefix = leb128(part.len(), &mut length);
            for piece in [prefix, part] {
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

/// `n` in LEB128 (seven bits a byte, low first), written into `out`.
fn leb128(mut n: usize, out: &mut [u8; 10]) -> &[u8] {
    let mut len = 0;
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        out[len] = low | if n > 0 { 0x80 } else { 0 };
        len += 1;
        if n == 0 {
            return &out[..len];
        }
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
    /// written by one version is read by the next (the values are
    /// HMAC-SHA256 by Python's `hmac`, over the same length-prefixed parts).
    #[test]
    fn a_digest_is_the_length_prefixed_hmac_sha256_truncated() {
        let keys = super::Keys::new(&[1; 32]);
        let digest = keys.digest("otp", &[b"0123456789abcdef", b"12345678901"]);
        assert_eq!(crate::crypto::hex(&digest), EXPECTED_SHORT);
        // Parts longer than the gathering buffer, and lengths of two
        // LEB128 bytes, hash alike.
        let long = "x".repeat(300);
        let digest = keys.digest("otp", &[long.as_bytes(), long.as_bytes()]);
        assert_eq!(crate::crypto::hex(&digest), EXPECTED_LONG);
        assert_ne!(
            keys.digest("otp", &[b"ab", b"c"]),
            keys.digest("otp", &[b"a", b"bc"]),
            "another split, another digest"
        );
    }

    const EXPECTED_SHORT: &str = "aec56a0228dd9a25122b32fe5a92e15e";
    const EXPECTED_LONG: &str = "301dfdb27cecd5fb24f9ab451d9fd663";

    #[test]
    fn leb128_is_seven_bits_a_byte_low_first() {
        let mut out = [0u8; 10];
        assert_eq!(super::leb128(0, &mut out), [0]);
        assert_eq!(super::leb128(127, &mut out), [0x7f]);
        assert_eq!(super::leb128(300, &mut out), [0xac, 0x02]);
    }
}
