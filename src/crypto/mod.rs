//! The two primitives every secret goes through: keyed hashes (the only
//! form in which OTPs, phones and customer ids are stored) and uniform
//! random codes from the OS CSPRNG. Shared by the OTP engine and the MFA
//! engine, so neither imports the other.

pub(crate) mod keys;
mod random;

pub use keys::Digest;
pub(crate) use keys::{KeyRing, Keys};
pub(crate) use random::random_code;
pub use random::{Draw, RandomError};

/// Lower-case hex of `bytes`, in one allocation (keys, tags and digests are
/// built from it on every request).
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends the lower-case hex of `bytes` to `out`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
    }
}
