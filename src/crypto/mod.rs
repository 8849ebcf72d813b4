//! The two primitives every secret goes through: keyed hashes (the only
//! form in which OTPs, phones and customer ids are stored) and uniform
//! random codes from the OS CSPRNG. Shared by the OTP engine and the MFA
//! engine, so neither imports the other.
//!
//! SHA-256 is ring's, the one TLS already runs on: its assembly uses the
//! CPU's SHA extensions where there are any, and vector code where not.

pub(crate) mod keys;
mod random;

pub use keys::Digest;
pub(crate) use keys::{KeyRing, Keys};
pub(crate) use random::random_code;
pub use random::{Draw, RandomError};

/// SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        hash.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.finish().as_ref());
    out
}

/// The first 128 bits of a 256-bit hash: what every store key and record
/// keeps of one.
pub(crate) fn truncated(hash: &[u8]) -> Digest {
    let mut digest = Digest::default();
    let len = digest.len();
    digest.copy_from_slice(&hash[..len]);
    digest
}

/// Lower-case hex of `bytes`, in one allocation (keys, tags and digests are
/// built from it on every request).
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Each byte's two lower-case hex digits, built at compile time.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [DIGITS[b >> 4], DIGITS[b & 0xf]];
        b += 1;
    }
    pairs
};

/// Appends the lower-case hex of `bytes` to `out`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(2 * bytes.len());
    // Digits gathered 32 bytes at a time, a byte's pair in one lookup, and
    // appended as one `str`: a `push` per digit checks capacity and encodes
    // a `char` each time; a lookup per digit cost a third more.
    for chunk in bytes.chunks(32) {
        let mut pairs = [[0u8; 2]; 32];
        for (pair, &b) in pairs.iter_mut().zip(chunk) {
            *pair = HEX_PAIRS[usize::from(b)];
        }
        // Only ASCII digits were written: this is always `Ok`.
        if let Ok(text) = std::str::from_utf8(&pairs.as_flattened()[..2 * chunk.len()]) {
            out.push_str(text);
        }
    }
}

/// The digest whose lower-case hex is `text` (exactly 32 digits), as
/// [`hex`] writes it; anything else (upper case, signs, other lengths) is
/// no digest.
pub(crate) fn unhex(text: &[u8]) -> Option<Digest> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let mut digest = Digest::default();
    if text.len() != 2 * digest.len() {
        return None;
    }
    for (byte, pair) in digest.iter_mut().zip(text.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(digest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn unhex_reads_exactly_what_hex_writes() {
        let digest: super::Digest = std::array::from_fn(|i| (i * 17) as u8);
        let text = super::hex(&digest);
        assert_eq!(super::unhex(text.as_bytes()), Some(digest));
        assert_eq!(super::unhex(text.to_uppercase().as_bytes()), None);
        assert_eq!(super::unhex(&text.as_bytes()[1..]), None);
        assert_eq!(super::unhex(b"+0112233445566778899aabbccddeeff"), None);
    }

    #[test]
    fn sha256_is_the_standard_one_over_the_joined_parts() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(super::hex(&super::sha256(&[b"abc"])), abc);
        assert_eq!(super::hex(&super::sha256(&[b"a", b"", b"bc"])), abc);
    }

    #[test]
    fn hex_is_what_format_writes_for_every_byte_and_length() {
        let bytes: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
        for len in 0..70 {
            for start in [0, 3, 250, 440] {
                let part = &bytes[start..start + len];
                let by_format: String = part.iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(super::hex(part), by_format, "{start} {len}");
            }
        }
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        // Longer than one gathered chunk.
        let long: Vec<u8> = (0..=255).collect();
        let text = super::hex(&long);
        assert_eq!(text.len(), 512);
        assert!(text.starts_with("000102") && text.ends_with("fdfeff"));
    }
}
