//! Time, as every rule reads it.
//!
//! Expiry, throttles, the phone lock, the certified phone's and the bearer
//! tokens' lifetimes all read one [`Clock`] handed in through the `App`, so
//! tests move time with a [`ManualClock`] instead of sleeping (the reason
//! mini-redis passes `Instant`s around), and the sandbox hands in a clock
//! of its own that it moves forward for consumers' expiry tests. A clock is
//! sync and cheap: it is read several times per request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch, as the rules see it.
    fn now(&self) -> Millis;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        system_now()
    }
}

/// The system's wall clock, in milliseconds since the Unix epoch.
pub fn system_now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// A clock that moves only when told: tests set it and advance it.
#[derive(Debug)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// Starts at the system's current time (so tokens and timestamps look real).
    pub fn new() -> Self {
        Self::at(system_now())
    }

    pub fn at(now: Millis) -> Self {
        Self(AtomicU64::new(now))
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

impl std::fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// RFC 3339 UTC with milliseconds: `2026-11-25T12:00:00.000Z`.
pub(crate) fn rfc3339(at: Millis) -> String {
    let at = chrono::DateTime::from_timestamp_millis(at as i64).unwrap_or_default();
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Milliseconds since the epoch of an RFC 3339 time, if it is one.
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    let at = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    u64::try_from(at.timestamp_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_formats_as_rfc_3339() {
        let clock = ManualClock::at(1_764_072_000_000);
        assert_eq!(clock.now(), 1_764_072_000_000);
        clock.advance(Duration::from_secs(301));
        assert_eq!(rfc3339(clock.now()), "2025-11-25T12:05:01.000Z");
        assert_eq!(parse_rfc3339("2025-11-25T12:05:01.000Z"), Some(clock.now()));
    }
}
