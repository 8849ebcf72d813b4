//! OTP characters from the operating system's CSPRNG, without modulo bias.
//!
//! Each character takes one random byte; bytes at or above the largest
//! multiple of the alphabet's size are thrown away and drawn again
//! (rejection sampling), so every character is exactly equally likely.
//! A request takes what it needs (a `sid`, the OTP's characters, the MFA
//! engine's) from one [`Draw`]: one call to the OS per request, not one per
//! value.

/// The OS random source failed: no OTP can be made safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomError;

/// One request's random bytes from the OS CSPRNG, drawn once and taken
/// in order; drawn again only if a request needs more than 64 bytes.
pub struct Draw {
    bytes: [u8; 64],
    used: usize,
}

impl Draw {
    /// 64 bytes from the OS.
    pub fn new() -> Result<Self, RandomError> {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).map_err(|_| RandomError)?;
        Ok(Self { bytes, used: 0 })
    }

    /// The next random byte.
    #[inline]
    fn byte(&mut self) -> Result<u8, RandomError> {
        if self.used == self.bytes.len() {
            *self = Self::new()?;
        }
        self.used += 1;
        Ok(self.bytes[self.used - 1])
    }

    /// `N` random bytes: the next ones, copied a run at a time.
    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N], RandomError> {
        let mut out = [0u8; N];
        let mut filled = 0;
        while filled < N {
            if self.used == self.bytes.len() {
                *self = Self::new()?;
            }
            let run = (N - filled).min(self.bytes.len() - self.used);
            out[filled..filled + run].copy_from_slice(&self.bytes[self.used..self.used + run]);
            self.used += run;
            filled += run;
        }
        Ok(out)
    }

    /// `len` characters drawn uniformly from `alphabet` (at most 256 symbols).
    pub fn code(&mut self, alphabet: &[u8], len: usize) -> Result<String, RandomError> {
        debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
        let size = alphabet.len();
        let limit = 256 - 256 % size; // bytes below `limit` map evenly
        let mut code = String::with_capacity(len);
        while code.len() < len {
            let byte = self.byte()?;
            if (byte as usize) < limit {
                code.push(alphabet[byte as usize % size] as char);
            }
        }
        Ok(code)
    }
}

/// `len` characters drawn uniformly from `alphabet`, from a draw of their own.
pub(crate) fn random_code(alphabet: &[u8], len: usize) -> Result<String, RandomError> {
    Draw::new()?.code(alphabet, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_bytes_are_the_next_ones_in_order_across_a_new_draw() {
        let mut draw = Draw::new().unwrap();
        let start = draw.bytes;
        let first: [u8; 40] = draw.take().unwrap();
        assert_eq!(first[..], start[..40]);
        let second: [u8; 40] = draw.take().unwrap();
        assert_eq!(second[..24], start[40..], "the rest of the first draw");
        assert_eq!(
            second[24..],
            draw.bytes[..16],
            "then the new draw's first bytes"
        );
        assert_eq!(draw.used, 16);
    }

    #[test]
    fn one_draw_gives_a_sid_and_a_whole_otp() {
        let mut draw = Draw::new().unwrap();
        let sid: [u8; 16] = draw.take().unwrap();
        let code = draw
            .code(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 11)
            .unwrap();
        assert_eq!(code.len(), 11);
        assert_ne!(sid, [0; 16]);
        let long = draw.code(b"0123456789", 100).unwrap();
        assert_eq!(long.len(), 100, "drawn again when the 64 bytes are used");
    }

    #[test]
    fn codes_have_the_length_and_alphabet_asked() {
        let code = random_code(b"0123456789", 6).unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn every_symbol_is_about_equally_likely() {
        // 36 symbols: a biased `% 36` on bytes would favour the first 4 by 8/7.
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut counts = [0u32; 36];
        for b in random_code(alphabet, 360_000).unwrap().bytes() {
            counts[alphabet.iter().position(|&a| a == b).unwrap()] += 1;
        }
        // Expected 10,000 each; 5 sigma is about 500.
        assert!(
            counts.iter().all(|&c| (9_500..=10_500).contains(&c)),
            "{counts:?}"
        );
    }
}
