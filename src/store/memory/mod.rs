//! The in-memory store: one process, no persistence.
//!
//! Each kind of entry has its own sharded map ([`maps`]); every entry
//! carries the instant it may be forgotten, reads ignore expired entries,
//! and a background sweep removes them once a second, so memory stays
//! bounded under a flood of generates; past `max_entries` new entries are
//! refused ([`StoreError::Full`]) rather than growing without bound. The
//! sweep holds only a `Weak` reference and stops when the store is dropped.
//!
//! A step that spans a phone and its challenge holds the phone's shard
//! lock for the whole step, so the lock check, the attempt and the count
//! are one atomic step. Locks are always taken in the order phones →
//! sessions → challenges, never two of one map at once: no deadlock.

mod maps;
mod records;

use super::{
    Attempt, AuthAttempt, AuthStore, Candidate, CertifiedPhone, Challenge, ChallengeStore, Digest,
    Health, Lock, Millis, OnMatch, SendDecision, Sending, StoreError,
};
use crate::clock::{Clock, SystemClock};
use async_trait::async_trait;
use maps::{Entries, Expiring, ExpiringMap};
use records::{AuthLog, Entry, PhoneRecord, Session};
use siphasher::sip128::{Hasher128, SipHasher13};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::{Arc, LazyLock, Weak};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How often expired entries are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// Entries a store holds at most unless told otherwise.
pub const DEFAULT_MAX_ENTRIES: usize = 2_000_000;

/// A map key: 128 bits standing for the store key. Fixed-size keys cost no
/// allocation per entry, so a million challenges take one table, and memory
/// goes back to the system when they expire.
type Slot = [u8; 16];

/// A SipHash key drawn at start: the slot is the 128-bit SipHash-1-3 of
/// the store key (SipHash's 128-bit output mode, one pass over the key). A
/// store key is made of keyed digests no caller chooses, and the SipHash
/// key is secret too, so two live keys share a slot with odds of one in
/// 2^128 a pair; the process's memory is all there is to keep consistent.
static SLOT_KEY: LazyLock<[u8; 16]> = LazyLock::new(|| {
    // 128 random bits from what std keys its maps with (the system's
    // randomness, read by std, which cannot fail): a constant hashed
    // under two of its keys.
    let mut key = [0u8; 16];
    for (half, state) in key
        .chunks_exact_mut(8)
        .zip([RandomState::new(), RandomState::new()])
    {
        half.copy_from_slice(&state.hash_one(0u8).to_le_bytes());
    }
    key
});

fn slot(key: &str) -> Slot {
    let mut hasher = SipHasher13::new_with_key(&SLOT_KEY);
    hasher.write(key.as_bytes());
    hasher.finish128().as_bytes()
}

fn ms(d: Duration) -> Millis {
    d.as_millis() as Millis
}

struct Maps {
    entries: Arc<Entries>,
    phones: ExpiringMap<Digest, PhoneRecord>,
    sessions: ExpiringMap<Slot, Session>,
    challenges: ExpiringMap<Slot, Entry>,
    auth: ExpiringMap<Digest, AuthLog>,
}

/// The in-memory store. Cheap to clone: a handle over shared maps.
#[derive(Clone)]
pub struct MemoryStore {
    maps: Arc<Maps>,
}

impl MemoryStore {
    /// A new, empty store swept by the system clock; starts its sweep on the
    /// current Tokio runtime.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock), DEFAULT_MAX_ENTRIES)
    }

    /// A new, empty store of at most `max_entries` entries, swept by `clock`
    /// (the app's, so that entries written at a moved clock's time are not
    /// swept early).
    pub fn with_clock(clock: Arc<dyn Clock>, max_entries: usize) -> Self {
        let entries = Entries::new(max_entries);
        let maps = Arc::new(Maps {
            phones: ExpiringMap::new(entries.clone()),
            sessions: ExpiringMap::new(entries.clone()),
            challenges: ExpiringMap::new(entries.clone()),
            auth: ExpiringMap::new(entries.clone()),
            entries,
        });
        tokio::spawn(sweep(Arc::downgrade(&maps), clock));
        Self { maps }
    }

    /// Live and not-yet-swept entries, all kinds together (for tests and metrics).
    pub fn len(&self) -> usize {
        let m = &self.maps;
        m.phones.len() + m.sessions.len() + m.challenges.len() + m.auth.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every entry at once (a sandbox's reset gives the memory
    /// back now rather than when the entries expire).
    pub fn clear(&self) {
        let m = &self.maps;
        m.phones.clear();
        m.sessions.clear();
        m.challenges.clear();
        m.auth.clear();
    }

    fn full(&self) -> StoreError {
        StoreError::Full(self.maps.entries.cap())
    }

    /// Points the RAO `session` at its new challenge: forgets the earlier
    /// one and the certified phone.
    fn replace_session(&self, session: &str, challenge: Slot, keep: Millis, now: Millis) -> bool {
        let at = slot(session);
        let mut sessions = self.maps.sessions.lock(&at);
        let fresh = || Expiring {
            value: Session::default(),
            until: keep,
        };
        let Some(entry) = self
            .maps
            .sessions
            .live_or_insert(&mut sessions, at, now, fresh)
        else {
            return false;
        };
        entry.until = entry.until.max(keep);
        let earlier = entry.value.current.replace(challenge);
        entry.value.certified = None;
        drop(sessions);
        if let Some(earlier) = earlier.filter(|e| *e != challenge) {
            let mut challenges = self.maps.challenges.lock(&earlier);
            self.maps
                .challenges
                .remove_in(&mut challenges, &earlier, now);
        }
        true
    }

    fn certify(&self, session: &str, phone: CertifiedPhone, ttl: Duration, now: Millis) {
        let at = slot(session);
        let until = now + ms(ttl);
        let mut sessions = self.maps.sessions.lock(&at);
        let fresh = || Expiring {
            value: Session::default(),
            until,
        };
        if let Some(entry) = self
            .maps
            .sessions
            .live_or_insert(&mut sessions, at, now, fresh)
        {
            entry.until = entry.until.max(until);
            entry.value.current = None;
            entry.value.certified = Some((phone, until));
        }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

async fn sweep(maps: Weak<Maps>, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tick.tick().await;
        let Some(maps) = maps.upgrade() else { return };
        let now = clock.now();
        let shrunk = [
            maps.phones.sweep(now),
            maps.sessions.sweep(now),
            maps.challenges.sweep(now),
            maps.auth.sweep(now),
        ];
        if shrunk.contains(&true) {
            give_back_freed_memory();
        }
    }
}

/// After big tables were freed, asks glibc to return its free heap pages to
/// the system: the tables grew through many sizes, and without this the
/// heap keeps their pages (RSS stays above its pre-flood level).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it
    // takes no pointers and is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[async_trait]
impl ChallengeStore for MemoryStore {
    async fn issue(
        &self,
        send: Sending<'_>,
        key: &str,
        challenge: &Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        if !self.maps.entries.has_room() {
            return Err(self.full());
        }
        let keep = now + ms(keep_for);
        let mut phones = self.maps.phones.lock(send.phone);
        let fresh = || Expiring {
            value: PhoneRecord::default(),
            until: keep,
        };
        let record = self
            .maps
            .phones
            .live_or_insert(&mut phones, *send.phone, now, fresh)
            .ok_or_else(|| self.full())?;
        if let Some(limits) = send.limits {
            let decision = record.value.decide_send(limits, now);
            if decision != SendDecision::Allowed {
                return Ok(decision);
            }
            record.until = record.until.max(record.value.keep_until(limits, now));
        }
        record.until = record.until.max(keep);
        let at = slot(key);
        if let Some(session) = send.session {
            if !self.replace_session(session, at, keep, now) {
                return Err(self.full());
            }
        }
        let entry = Entry::new(challenge);
        let mut challenges = self.maps.challenges.lock(&at);
        if let Some(earlier) = challenges.get_mut(&at) {
            *earlier = Expiring {
                value: entry,
                until: keep,
            };
            return Ok(SendDecision::Allowed);
        }
        let fresh = || Expiring {
            value: entry,
            until: keep,
        };
        let inserted = self
            .maps
            .challenges
            .live_or_insert(&mut challenges, at, now, fresh);
        inserted
            .map(|_| SendDecision::Allowed)
            .ok_or_else(|| self.full())
    }

    async fn withdraw(&self, _phone: &Digest, key: &str) -> Result<(), StoreError> {
        let at = slot(key);
        let mut challenges = self.maps.challenges.lock(&at);
        self.maps.challenges.remove_in(&mut challenges, &at, 0);
        Ok(())
    }

    async fn attempt(
        &self,
        phone: &Digest,
        key: &str,
        candidate: &Candidate,
        lock_rule: &Lock,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let mut phones = self.maps.phones.lock(phone);
        let Some(record) = phones.get_mut(phone).filter(|r| r.until > now) else {
            return Ok(Attempt::NotFound);
        };
        let at = slot(key);
        let mut challenges = self.maps.challenges.lock(&at);
        let Some(entry) = challenges.get_mut(&at).filter(|e| e.until > now) else {
            return Ok(Attempt::NotFound);
        };
        if entry.value.attempts_left == 0 {
            return Ok(Attempt::NotFound);
        }
        let challenge = &entry.value;
        let binding_ok: bool = challenge.binding.ct_eq(&candidate.binding).into();
        if !binding_ok && !candidate.mismatch_counts {
            return Ok(Attempt::OtherBinding);
        }
        if challenge.expires_at <= now {
            return Ok(Attempt::Expired);
        }
        if let Some(until) = record.value.locked_until(lock_rule, now) {
            let retry_after = Duration::from_millis(until - now);
            return Ok(Attempt::Locked { retry_after });
        }
        let code_ok: bool = challenge.code.ct_eq(&candidate.code).into();
        record.until = record.until.max(now + ms(lock_rule.window));
        if !(binding_ok && code_ok) {
            record.value.count_failure(lock_rule, now);
            let attempts_left = entry.value.take_attempt();
            if attempts_left == 0 && entry.value.reserved == 0 {
                self.maps.challenges.remove_in(&mut challenges, &at, now);
            }
            return Ok(Attempt::Wrong { attempts_left });
        }
        match on_match {
            OnMatch::Reserve => {
                record.value.count_failure(lock_rule, now);
                entry.value.take_attempt();
                entry.value.reserved += 1;
            }
            OnMatch::Consume => {
                self.maps.challenges.remove_in(&mut challenges, &at, now);
            }
            OnMatch::Certify {
                session,
                phone,
                ttl,
            } => {
                self.maps.challenges.remove_in(&mut challenges, &at, now);
                drop(challenges);
                drop(phones);
                self.certify(&session, phone, ttl, now);
            }
        }
        Ok(Attempt::Matched)
    }

    async fn settle(
        &self,
        phone: &Digest,
        key: &str,
        verified: bool,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let mut phones = self.maps.phones.lock(phone);
        let at = slot(key);
        let mut challenges = self.maps.challenges.lock(&at);
        let Some(entry) = challenges.get_mut(&at).filter(|e| e.value.reserved > 0) else {
            return Ok(Attempt::NotFound);
        };
        entry.value.reserved -= 1;
        let attempts_left = entry.value.attempts_left;
        if verified {
            self.maps.challenges.remove_in(&mut challenges, &at, now);
            if let Some(record) = phones.get_mut(phone) {
                record.value.forgive();
            }
            return Ok(Attempt::Matched);
        }
        if attempts_left == 0 && entry.value.reserved == 0 {
            self.maps.challenges.remove_in(&mut challenges, &at, now);
        }
        Ok(Attempt::Wrong { attempts_left })
    }

    async fn certified_phone(
        &self,
        session: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        let at = slot(session);
        let sessions = self.maps.sessions.lock(&at);
        let certified = sessions.get(&at).and_then(|e| e.value.certified.as_ref());
        Ok(certified
            .filter(|(_, until)| *until > now)
            .map(|(phone, _)| phone.clone()))
    }
}

#[async_trait]
impl AuthStore for MemoryStore {
    async fn reserve_auth(
        &self,
        attempt: &AuthAttempt<'_>,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        let window = ms(attempt.window);
        let mut auth = self.maps.auth.lock(attempt.client);
        let fresh = || Expiring {
            value: AuthLog::default(),
            until: now + window,
        };
        let log = self
            .maps
            .auth
            .live_or_insert(&mut auth, *attempt.client, now, fresh)
            .ok_or_else(|| self.full())?;
        let refused = log.value.reserve(attempt, now);
        log.until = log.value.since + window;
        Ok(refused.map(|until| Duration::from_millis(until - now)))
    }

    async fn forgive(&self, attempt: &AuthAttempt<'_>) -> Result<(), StoreError> {
        if let Some(log) = self.maps.auth.lock(attempt.client).get_mut(attempt.client) {
            log.value.forgive(attempt.source);
        }
        Ok(())
    }
}

#[async_trait]
impl Health for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::store::SendLimits;

    /// The sweep returns memory by the store's clock; the store conformance
    /// suite (`tests/it/store.rs`) covers the steps on both backends.
    #[tokio::test(start_paused = true)]
    async fn sweep_forgets_expired_entries_and_the_cap_holds() {
        let clock = Arc::new(ManualClock::new());
        let store = MemoryStore::with_clock(clock.clone(), 3);
        let limits = SendLimits {
            min_interval: Duration::ZERO,
            max_sends: 100,
            window: Duration::from_secs(1),
            lock: Lock {
                max_failures: 10,
                window: Duration::from_secs(1),
            },
        };
        let challenge = Challenge {
            code: [1; 16],
            binding: [2; 16],
            expires_at: clock.now() + 10,
            attempts_left: 3,
        };
        let send = |phone| Sending {
            phone,
            limits: Some(&limits),
            session: None,
            request: None,
        };
        let keep = Duration::from_millis(10);
        let issue = |key: &'static str, phone: &'static Digest| {
            let store = store.clone();
            let challenge = challenge.clone();
            let now = clock.now();
            async move { store.issue(send(phone), key, &challenge, keep, now).await }
        };
        issue("a", &[1; 16]).await.unwrap();
        issue("b", &[1; 16]).await.unwrap();
        assert_eq!(store.len(), 3);
        assert!(matches!(
            issue("c", &[2; 16]).await,
            Err(StoreError::Full(3))
        ));
        tokio::time::sleep(SWEEP_EVERY * 2).await;
        assert_eq!(store.len(), 3, "nothing expired by the store's clock yet");
        clock.advance(Duration::from_secs(2));
        tokio::time::sleep(SWEEP_EVERY * 2).await;
        assert_eq!(store.len(), 0);
        issue("c", &[2; 16]).await.unwrap();
    }
}
