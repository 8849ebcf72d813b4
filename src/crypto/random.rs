//! OTP characters from the operating system's CSPRNG, without modulo bias.
//!
//! Each character takes one random byte; bytes at or above the largest
//! multiple of the alphabet's size are thrown away and drawn again
//! (rejection sampling), so every character is exactly equally likely.
//! A request takes what it needs (a `sid`, the OTP's characters, the MFA
//! engine's) through one [`Draw`].
//!
//! **The pool.** The bytes are the kernel's (`getrandom`), never a
//! user-space generator's, but they are fetched 1 KiB at a time into a pool
//! of the thread's own, and a draw takes from it only the bytes it uses
//! (a telemarketing generate, about 24). On this machine's kernel
//! `getrandom` costs about 0.54 µs for 64 bytes and 4 µs for 1 KiB: mostly
//! per byte, so what the pool saves is the call itself, shared by the
//! forty-odd requests one fetch serves, and the bytes a request fetched
//! and never used. A byte handed out is zeroed in the pool, so no byte is
//! ever given twice and none lingers once used. The pool lives as long as
//! its thread and the server never forks, so no two processes share one.

use std::cell::RefCell;

/// The OS random source failed: no OTP can be made safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomError;

/// A request's random bytes (a `sid`, the OTP's characters, the MFA
/// engine's), each taken from the thread's pool as it is needed: a
/// request costs the kernel only the bytes it uses.
pub struct Draw(());

impl Draw {
    /// A draw; its bytes come from the thread's pool, as they are taken.
    pub fn new() -> Self {
        Self(())
    }

    /// `N` random bytes.
    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N], RandomError> {
        let mut out = [0u8; N];
        fill(&mut out)?;
        Ok(out)
    }

    /// `len` characters drawn uniformly from `alphabet` (at most 256 symbols).
    pub fn code(&mut self, alphabet: &[u8], len: usize) -> Result<String, RandomError> {
        debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
        let size = alphabet.len();
        let limit = 256 - 256 % size; // bytes below `limit` map evenly
        let mut code = String::with_capacity(len);
        let mut batch = [0u8; 32];
        while code.len() < len {
            // As many bytes as characters are missing; a rejected byte
            // leaves one missing for the next batch.
            let batch = &mut batch[..(len - code.len()).min(32)];
            fill(batch)?;
            for &byte in batch.iter() {
                if (byte as usize) < limit {
                    code.push(alphabet[byte as usize % size] as char);
                }
            }
        }
        Ok(code)
    }
}

impl Default for Draw {
    fn default() -> Self {
        Self::new()
    }
}

/// Fills `out` from the thread's pool (or straight from the OS, when it
/// is more than a pool holds).
fn fill(out: &mut [u8]) -> Result<(), RandomError> {
    if out.len() > POOL_BYTES {
        return getrandom::fill(out).map_err(|_| RandomError);
    }
    POOL.with_borrow_mut(|pool| pool.take(out))
}

/// The bytes a pool fetches from the OS at once: some forty telemarketing
/// generates' worth.
const POOL_BYTES: usize = 1024;

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; POOL_BYTES], used: POOL_BYTES }) };
}

/// A thread's OS random bytes not yet handed out: `bytes[used..]`.
struct Pool {
    bytes: [u8; POOL_BYTES],
    used: usize,
}

impl Pool {
    /// Fills `out` (at most a pool's worth) with the next bytes, zeroing
    /// them here; fetches a new pool from the OS when too few are left.
    fn take(&mut self, out: &mut [u8]) -> Result<(), RandomError> {
        debug_assert!(out.len() <= POOL_BYTES);
        if POOL_BYTES - self.used < out.len() {
            getrandom::fill(&mut self.bytes).map_err(|_| RandomError)?;
            self.used = 0;
        }
        let taken = &mut self.bytes[self.used..self.used + out.len()];
        out.copy_from_slice(taken);
        taken.fill(0);
        self.used += out.len();
        Ok(())
    }
}

/// `len` characters drawn uniformly from `alphabet`, from a draw of their own.
pub(crate) fn random_code(alphabet: &[u8], len: usize) -> Result<String, RandomError> {
    Draw::new().code(alphabet, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many bytes this thread's pool has handed out since its fetch.
    fn pool_used() -> usize {
        POOL.with_borrow(|pool| pool.used)
    }

    #[test]
    fn a_draw_takes_from_the_pool_only_the_bytes_it_uses() {
        let mut draw = Draw::new();
        let _: [u8; 1] = draw.take().unwrap(); // the pool is fetched
        let before = pool_used();
        let _: [u8; 16] = draw.take().unwrap();
        assert_eq!(pool_used(), before + 16);
        // Ten digits: 250 of 256 byte values map evenly, so a 6-digit code
        // takes 6 bytes, a few more when one is rejected.
        let before = pool_used();
        draw.code(b"0123456789", 6).unwrap();
        assert!((6..=12).contains(&(pool_used() - before)));
    }

    #[test]
    fn one_draw_gives_a_sid_and_a_whole_otp() {
        let mut draw = Draw::new();
        let sid: [u8; 16] = draw.take().unwrap();
        let code = draw
            .code(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 11)
            .unwrap();
        assert_eq!(code.len(), 11);
        assert_ne!(sid, [0; 16]);
        let long = draw.code(b"0123456789", 100).unwrap();
        assert_eq!(long.len(), 100, "in batches of 32");
        let pooled = draw.code(b"0123456789", 2000).unwrap();
        assert_eq!(pooled.len(), 2000, "across new pools");
    }

    #[test]
    fn the_pool_hands_each_byte_out_once_and_zeroes_it() {
        let mut pool = Pool {
            bytes: [0; POOL_BYTES],
            used: POOL_BYTES,
        };
        let (mut first, mut second) = ([0u8; 64], [0u8; 64]);
        pool.take(&mut first).unwrap();
        assert_eq!(pool.used, 64, "a fresh pool was fetched");
        assert!(
            pool.bytes[..64].iter().all(|&b| b == 0),
            "taken bytes are zeroed"
        );
        let rest = pool.bytes[64..128].to_vec();
        pool.take(&mut second).unwrap();
        assert_eq!(second[..], rest[..], "the next bytes, in order");
        assert_ne!(first, second);
        // Too few left for a whole draw: a new pool, not a short one.
        pool.used = POOL_BYTES - 10;
        pool.take(&mut first).unwrap();
        assert_eq!(pool.used, 64);
    }

    #[test]
    fn draws_on_one_thread_never_repeat() {
        let draws: std::collections::HashSet<[u8; 64]> =
            (0..100).map(|_| Draw::new().take().unwrap()).collect();
        assert_eq!(draws.len(), 100);
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
