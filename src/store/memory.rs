//! The in-memory store: one process, no persistence.
//!
//! Each kind of entry has its own map behind a std `Mutex`: critical
//! sections are a few map operations and never span an `.await`, so an async
//! mutex would only add cost. Every entry carries the instant it may be
//! forgotten; reads ignore expired entries and a background sweep removes
//! them once a second, so memory stays bounded under a flood of generates.
//! The sweep holds only a `Weak` reference and stops when the store is dropped.

use super::{
    Attempt, Candidate, CertifiedPhone, Challenge, ChallengeStore, CounterStore, Digest, Health,
    Millis, OnMatch, OutboxMessage, OutboxStore, SecretStore, SendDecision, SendLimits, StoreError,
    Throttle,
};
use crate::clock::{Clock, SystemClock};
use async_trait::async_trait;
use sha2::{Digest as _, Sha256};
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How often expired entries are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// A value and the instant after which it is forgotten.
struct Expiring<T> {
    value: T,
    until: Millis,
}

/// Send and failure history of one phone.
#[derive(Default)]
struct PhoneLog {
    sends: VecDeque<Millis>,
    failures: u32,
    failures_since: Millis,
}

/// A map key: 128 bits of SHA-256 of the store key. Fixed-size keys cost no
/// allocation per entry, so a million challenges take one table, and memory
/// goes back to the system when they expire.
type Slot = [u8; 16];

fn slot(key: &str) -> Slot {
    let digest = Sha256::digest(key.as_bytes());
    let mut slot = Slot::default();
    slot.copy_from_slice(&digest[..16]);
    slot
}

/// Shards per map: a sweep or a table resize holds one shard's lock, not
/// the whole map's, so requests never wait behind a full pass.
const SHARDS: usize = 16;

/// A map whose entries expire, sharded by the key's first byte (keys are
/// hashes, so shards fill evenly).
struct ExpiringMap<K, V>(Vec<Mutex<HashMap<K, Expiring<V>>>>);

type Shard<'a, K, V> = MutexGuard<'a, HashMap<K, Expiring<V>>>;

impl<K: Eq + Hash + AsRef<[u8]>, V> ExpiringMap<K, V> {
    fn new() -> Self {
        Self((0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect())
    }

    /// The shard holding `key`, locked.
    fn lock(&self, key: &K) -> Shard<'_, K, V> {
        let index = key.as_ref().first().copied().unwrap_or(0) as usize % SHARDS;
        lock(&self.0[index])
    }

    fn insert(&self, key: K, value: V, ttl: Duration, now: Millis) {
        let until = now + ttl.as_millis() as u64;
        self.lock(&key).insert(key, Expiring { value, until });
    }

    /// Removes `key`; true when it was live at `now`.
    fn remove(&self, key: &K, now: Millis) -> bool {
        self.lock(key).remove(key).is_some_and(|e| e.until > now)
    }

    /// Drops expired entries and shrinks shards that are mostly empty;
    /// true when a table was shrunk.
    fn sweep(&self, now: Millis) -> bool {
        let mut shrunk = false;
        for shard in &self.0 {
            let mut map = lock(shard);
            map.retain(|_, e| e.until > now);
            if map.capacity() > 1024 && map.len() < map.capacity() / 4 {
                let keep = map.len() * 2;
                map.shrink_to(keep);
                shrunk = true;
            }
        }
        shrunk
    }

    fn len(&self) -> usize {
        self.0.iter().map(|shard| lock(shard).len()).sum()
    }
}

/// Locks a mutex. A panic while holding the lock cannot leave a map
/// half-updated in a way later readers care about, so a poisoned lock is
/// still used.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<K: Eq + Hash + AsRef<[u8]>, V: Clone> ExpiringMap<K, V> {
    fn get(&self, key: &K, now: Millis) -> Option<V> {
        self.lock(key)
            .get(key)
            .filter(|e| e.until > now)
            .map(|e| e.value.clone())
    }
}

struct Maps {
    outbox: Mutex<VecDeque<OutboxMessage>>,
    challenges: ExpiringMap<Slot, Challenge>,
    certified: ExpiringMap<Slot, CertifiedPhone>,
    secrets: ExpiringMap<Slot, Digest>,
    phones: ExpiringMap<Digest, PhoneLog>,
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
        Self::with_clock(Arc::new(SystemClock))
    }

    /// A new, empty store whose sweep forgets entries by `clock` (the app's,
    /// so that entries written at a moved clock's time are not swept early).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        let maps = Arc::new(Maps {
            outbox: Mutex::new(VecDeque::new()),
            challenges: ExpiringMap::new(),
            certified: ExpiringMap::new(),
            secrets: ExpiringMap::new(),
            phones: ExpiringMap::new(),
        });
        tokio::spawn(sweep(Arc::downgrade(&maps), clock));
        Self { maps }
    }

    /// Live and not-yet-swept entries, all kinds together (for tests and metrics).
    pub fn len(&self) -> usize {
        let m = &self.maps;
        m.challenges.len() + m.certified.len() + m.secrets.len() + m.phones.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

async fn sweep(maps: Weak<Maps>, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tick.tick().await;
        let Some(maps) = maps.upgrade() else { return };
        let now = clock.now();
        let shrunk = [
            maps.challenges.sweep(now),
            maps.certified.sweep(now),
            maps.secrets.sweep(now),
            maps.phones.sweep(now),
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

/// Counts a wrong attempt on a live challenge; burns it at the last one.
fn count_wrong(entry: &mut Expiring<Challenge>) -> Attempt {
    entry.value.attempts_left = entry.value.attempts_left.saturating_sub(1);
    if entry.value.attempts_left == 0 {
        entry.until = 0;
    }
    Attempt::Wrong {
        attempts_left: entry.value.attempts_left,
        phone: entry.value.phone,
    }
}

fn ms(d: Duration) -> Millis {
    d.as_millis() as Millis
}

fn decide(log: &mut PhoneLog, limits: &SendLimits, now: Millis) -> SendDecision {
    let refuse = |reason, at: Millis| SendDecision::Refused {
        reason,
        retry_after: Duration::from_millis(at.saturating_sub(now)),
    };
    while log
        .sends
        .front()
        .is_some_and(|&t| t + ms(limits.window) <= now)
    {
        log.sends.pop_front();
    }
    if log.failures_since + ms(limits.failure_window) <= now {
        log.failures = 0;
    }
    if log.failures >= limits.max_failures {
        return refuse(
            Throttle::TooManyFailures,
            log.failures_since + ms(limits.failure_window),
        );
    }
    if let Some(&last) = log
        .sends
        .back()
        .filter(|&&t| t + ms(limits.min_interval) > now)
    {
        return refuse(Throttle::TooSoon, last + ms(limits.min_interval));
    }
    if log.sends.len() >= limits.max_sends as usize {
        return refuse(Throttle::TooMany, log.sends[0] + ms(limits.window));
    }
    log.sends.push_back(now);
    SendDecision::Allowed
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl CounterStore for MemoryStore {
    async fn permit_send(
        &self,
        phone: &Digest,
        limits: &SendLimits,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        let keep = now + ms(limits.window.max(limits.failure_window));
        let mut phones = self.maps.phones.lock(phone);
        let entry = phones.entry(*phone).or_insert_with(|| Expiring {
            value: PhoneLog::default(),
            until: keep,
        });
        if entry.until <= now {
            entry.value = PhoneLog::default();
        }
        entry.until = entry.until.max(keep);
        Ok(decide(&mut entry.value, limits, now))
    }

    async fn count_failure(
        &self,
        phone: &Digest,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut phones = self.maps.phones.lock(phone);
        let entry = phones.entry(*phone).or_insert_with(|| Expiring {
            value: PhoneLog::default(),
            until: now,
        });
        let log = &mut entry.value;
        if log.failures == 0 || log.failures_since + ms(window) <= now {
            log.failures = 0;
            log.failures_since = now;
        }
        log.failures += 1;
        entry.until = entry.until.max(log.failures_since + ms(window));
        Ok(())
    }
}

#[async_trait]
impl ChallengeStore for MemoryStore {
    async fn put_challenge(
        &self,
        key: &str,
        challenge: Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        self.maps
            .challenges
            .insert(slot(key), challenge, keep_for, now);
        Ok(())
    }

    async fn remove_challenge(&self, key: &str) -> Result<(), StoreError> {
        self.maps.challenges.remove(&slot(key), 0);
        Ok(())
    }

    async fn attempt(
        &self,
        key: &str,
        candidate: &Candidate,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let at = slot(key);
        let mut challenges = self.maps.challenges.lock(&at);
        let Some(entry) = challenges.get_mut(&at).filter(|e| e.until > now) else {
            return Ok(Attempt::NotFound);
        };
        let binding_ok: bool = entry.value.binding.ct_eq(&candidate.binding).into();
        if !binding_ok && !candidate.mismatch_counts {
            return Ok(Attempt::OtherBinding);
        }
        if entry.value.expires_at <= now {
            return Ok(Attempt::Expired);
        }
        let code_ok: bool = entry.value.code.ct_eq(&candidate.code).into();
        if !(binding_ok && code_ok) {
            return Ok(count_wrong(entry));
        }
        if let OnMatch::ConsumeAndCertify {
            key: cert_key,
            phone,
            ttl,
        } = on_match
        {
            challenges.remove(&at);
            drop(challenges);
            self.maps.certified.insert(slot(&cert_key), phone, ttl, now);
        }
        Ok(Attempt::Matched)
    }

    async fn fail_attempt(&self, key: &str, now: Millis) -> Result<Attempt, StoreError> {
        let at = slot(key);
        let mut challenges = self.maps.challenges.lock(&at);
        Ok(match challenges.get_mut(&at).filter(|e| e.until > now) {
            Some(entry) => count_wrong(entry),
            None => Attempt::NotFound,
        })
    }

    async fn consume(&self, key: &str, now: Millis) -> Result<bool, StoreError> {
        Ok(self.maps.challenges.remove(&slot(key), now))
    }

    async fn certified_phone(
        &self,
        key: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        Ok(self.maps.certified.get(&slot(key), now))
    }
}

#[async_trait]
impl SecretStore for MemoryStore {
    async fn put_secret(
        &self,
        key: &str,
        digest: Digest,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        self.maps.secrets.insert(slot(key), digest, ttl, now);
        Ok(())
    }

    async fn secret(&self, key: &str, now: Millis) -> Result<Option<Digest>, StoreError> {
        Ok(self.maps.secrets.get(&slot(key), now))
    }

    async fn remove_secret(&self, key: &str) -> Result<(), StoreError> {
        self.maps.secrets.remove(&slot(key), 0);
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn push_outbox(
        &self,
        message: &OutboxMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let mut outbox = lock(&self.maps.outbox);
        while outbox.len() >= capacity.max(1) {
            outbox.pop_front();
        }
        outbox.push_back(message.clone());
        Ok(())
    }

    async fn outbox(
        &self,
        to: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let outbox = lock(&self.maps.outbox);
        let wanted = |m: &&OutboxMessage| to.is_none_or(|to| m.to == to);
        Ok(outbox
            .iter()
            .rev()
            .filter(wanted)
            .take(limit)
            .cloned()
            .collect())
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

    /// The sweep returns memory by the store's clock; the store conformance
    /// suite (`tests/it/store.rs`) covers the steps on both backends.
    #[tokio::test(start_paused = true)]
    async fn sweep_forgets_expired_entries() {
        let clock = Arc::new(ManualClock::new());
        let store = MemoryStore::with_clock(clock.clone());
        let now = clock.now();
        store
            .put_secret("s", [1; 16], Duration::from_millis(10), now)
            .await
            .unwrap();
        assert_eq!(store.len(), 1);
        tokio::time::sleep(SWEEP_EVERY * 2).await;
        assert_eq!(store.len(), 1, "nothing expired by the store's clock yet");
        clock.advance(Duration::from_millis(10));
        tokio::time::sleep(SWEEP_EVERY * 2).await;
        assert_eq!(store.len(), 0);
        assert_eq!(store.secret("s", clock.now()).await.unwrap(), None);
    }
}
