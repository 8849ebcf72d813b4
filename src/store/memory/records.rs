//! What the memory store keeps per phone, challenge, RAO session and token
//! client, and the rules that read and change it (the same rules the Redis
//! store's scripts apply).

use super::super::{
    AuthAttempt, CertifiedPhone, Challenge, Digest, Lock, Millis, SendDecision, SendLimits,
    Throttle,
};
use super::{ms, Slot};
use std::collections::VecDeque;
use std::time::Duration;

/// Sends and failures of one phone.
#[derive(Debug, Default)]
pub(crate) struct PhoneRecord {
    pub sends: VecDeque<Millis>,
    pub failures: u32,
    pub failures_since: Millis,
}

impl PhoneRecord {
    /// Failures counted in the lock's window at `now`.
    fn failures_at(&mut self, lock: &Lock, now: Millis) -> u32 {
        if self.failures_since + ms(lock.window) <= now {
            self.failures = 0;
        }
        self.failures
    }

    /// When the lock ends, if the phone is locked at `now`.
    pub(crate) fn locked_until(&mut self, lock: &Lock, now: Millis) -> Option<Millis> {
        (self.failures_at(lock, now) >= lock.max_failures)
            .then(|| self.failures_since + ms(lock.window))
    }

    /// One more failure in the window (which starts at the first).
    pub(crate) fn count_failure(&mut self, lock: &Lock, now: Millis) {
        if self.failures_at(lock, now) == 0 {
            self.failures_since = now;
        }
        self.failures += 1;
    }

    /// Gives back a failure counted for an attempt that turned out right.
    pub(crate) fn forgive(&mut self) {
        self.failures = self.failures.saturating_sub(1);
    }

    /// Until when this record matters under `limits`.
    pub(crate) fn keep_until(&self, limits: &SendLimits, now: Millis) -> Millis {
        let sends = now + ms(limits.window);
        sends.max(self.failures_since + ms(limits.lock.window))
    }

    /// Whether a send may happen now; counts it when it may.
    pub(crate) fn decide_send(&mut self, limits: &SendLimits, now: Millis) -> SendDecision {
        let refuse = |reason, at: Millis| SendDecision::Refused {
            reason,
            retry_after: Duration::from_millis(at.saturating_sub(now)),
        };
        let window = ms(limits.window);
        while self.sends.front().is_some_and(|&t| t + window <= now) {
            self.sends.pop_front();
        }
        if let Some(until) = self.locked_until(&limits.lock, now) {
            return refuse(Throttle::TooManyFailures, until);
        }
        let interval = ms(limits.min_interval);
        if let Some(&last) = self.sends.back().filter(|&&t| t + interval > now) {
            return refuse(Throttle::TooSoon, last + interval);
        }
        if self.sends.len() >= limits.max_sends as usize {
            return refuse(Throttle::TooMany, self.sends[0] + window);
        }
        self.sends.push_back(now);
        SendDecision::Allowed
    }
}

/// A live challenge: its fields laid out flat, so that the count of
/// reserved attempts fills what would be the challenge's padding (48 bytes
/// where nesting took 56; a million challenges are a million entries).
#[derive(Debug)]
pub(crate) struct Entry {
    pub code: Digest,
    pub binding: Digest,
    pub expires_at: Millis,
    pub attempts_left: u32,
    /// Attempts reserved by a remote check not yet settled.
    pub reserved: u32,
}

impl Entry {
    pub(crate) fn new(challenge: &Challenge) -> Self {
        Self {
            code: challenge.code,
            binding: challenge.binding,
            expires_at: challenge.expires_at,
            attempts_left: challenge.attempts_left,
            reserved: 0,
        }
    }

    /// Takes one attempt; the attempts left.
    pub(crate) fn take_attempt(&mut self) -> u32 {
        self.attempts_left = self.attempts_left.saturating_sub(1);
        self.attempts_left
    }
}

#[derive(Debug, Default)]
pub(crate) struct Session {
    pub current: Option<Slot>,
    pub certified: Option<(CertifiedPhone, Millis)>,
}

/// Failed authentications of one client at the token endpoint in the
/// current window, in all and per source address (at most `per_client`
/// sources a window: each failure adds at most one).
#[derive(Debug, Default)]
pub(crate) struct AuthLog {
    pub failures: u32,
    pub since: Millis,
    pub sources: Vec<(Digest, u32)>,
}

impl AuthLog {
    /// Takes an attempt: `Some(until)` when refused.
    pub(crate) fn reserve(&mut self, attempt: &AuthAttempt<'_>, now: Millis) -> Option<Millis> {
        let window = ms(attempt.window);
        if self.since + window <= now {
            self.failures = 0;
            self.sources.clear();
        }
        let from_source = self
            .sources
            .iter()
            .find(|(source, _)| source == attempt.source)
            .map_or(0, |(_, n)| *n);
        if self.failures >= attempt.per_client || from_source >= attempt.per_source {
            return Some(self.since + window);
        }
        if self.failures == 0 {
            self.since = now;
        }
        self.failures += 1;
        match self.sources.iter_mut().find(|(s, _)| s == attempt.source) {
            Some((_, n)) => *n += 1,
            None => self.sources.push((*attempt.source, 1)),
        }
        None
    }

    /// Gives back an attempt from `source` whose secret was right.
    pub(crate) fn forgive(&mut self, source: &Digest) {
        self.failures = self.failures.saturating_sub(1);
        if let Some((_, n)) = self.sources.iter_mut().find(|(s, _)| s == source) {
            *n = n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_entry_takes_no_padding() {
        assert_eq!(std::mem::size_of::<super::Entry>(), 48);
    }
}
