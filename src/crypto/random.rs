//! OTP characters from the operating system's CSPRNG, without modulo bias.
//!
//! Each character takes one random byte; bytes at or above the largest
//! multiple of the alphabet's size are thrown away and drawn again
//! (rejection sampling), so every character is exactly equally likely.

/// The OS random source failed: no OTP can be made safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomError;

/// `len` characters drawn uniformly from `alphabet` (at most 256 symbols).
pub fn random_code(alphabet: &[u8], len: usize) -> Result<String, RandomError> {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    let size = alphabet.len();
    let limit = 256 - 256 % size; // bytes below `limit` map evenly
    let mut code = String::with_capacity(len);
    let mut buf = [0u8; 32];
    while code.len() < len {
        getrandom::fill(&mut buf).map_err(|_| RandomError)?;
        for &byte in buf.iter().filter(|&&b| (b as usize) < limit) {
            if code.len() == len {
                break;
            }
            code.push(alphabet[byte as usize % size] as char);
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

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
