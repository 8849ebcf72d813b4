//! OTP characters from the operating system's CSPRNG, without modulo bias.
//!
//! Each character takes one random byte; bytes at or above the largest
//! multiple of the alphabet's size are thrown away and drawn again
//! (rejection sampling), so every character is exactly equally likely.
//! A request takes what it needs (a `sid`, the OTP's characters, the MFA
//! engine's) from one [`Draw`] of 64 bytes.
//!
//! **The pool.** The bytes are the kernel's (`getrandom`), never a user-space
//! generator's, but they are fetched 1 KiB at a time into a pool of the
//! thread's own: sixteen draws per system call instead of one (a system call
//! costs more than the OTP's other work together on the real CPU). A byte
//! handed out is zeroed in the pool, so no byte is ever given twice and
//! none lingers once used. The pool lives as long as its thread and the
//! server never forks, so no two processes share one.

use std::cell::RefCell;

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
    /// 64 bytes from the OS, by way of the thread's pool.
    pub fn new() -> Result<Self, RandomError> {
        let mut bytes = [0u8; 64];
        POOL.with_borrow_mut(|pool| pool.take(&mut bytes))?;
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

/// The bytes a pool fetches from the OS at once: sixteen [`Draw`]s.
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
            (0..100).map(|_| Draw::new().unwrap().bytes).collect();
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
