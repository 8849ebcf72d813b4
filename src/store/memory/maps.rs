//! The memory store's building block: a sharded map whose entries expire,
//! counted against one cap shared by all the store's maps.
//!
//! Each shard is a std `Mutex`: critical sections are a few map operations
//! and never span an `.await`, so an async mutex would only add cost. A
//! sweep or a table resize holds one shard's lock, not the whole map's, so
//! requests never wait behind a full pass.

use super::super::Millis;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Shards per map (keys are hashes, so shards fill evenly).
const SHARDS: usize = 16;

/// A value and the instant after which it is forgotten.
pub(crate) struct Expiring<T> {
    pub value: T,
    pub until: Millis,
}

/// Keys are keyed hashes (HMAC or SHA-256 outputs): their own bytes are as
/// random as any hash of them, and nobody can choose them, so the map
/// hashes a key by taking 8 of its bytes instead of running SipHash.
#[derive(Default)]
pub(crate) struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let take = bytes.len().min(8);
        word[..take].copy_from_slice(&bytes[bytes.len() - take..]);
        self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
    }
}

/// The maps' hasher.
pub(crate) type Digests = BuildHasherDefault<DigestHasher>;

/// One shard's map.
type Map<K, V> = HashMap<K, Expiring<V>, Digests>;

/// A locked shard.
pub(crate) type Shard<'a, K, V> = MutexGuard<'a, Map<K, V>>;

/// How many entries all maps of one store hold, and how many they may.
#[derive(Debug)]
pub(crate) struct Entries {
    live: AtomicUsize,
    cap: usize,
}

impl Entries {
    pub(crate) fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            live: AtomicUsize::new(0),
            cap,
        })
    }

    /// Whether one more entry fits.
    pub(crate) fn has_room(&self) -> bool {
        self.live.load(Ordering::Relaxed) < self.cap
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    fn added(&self, n: usize) {
        self.live.fetch_add(n, Ordering::Relaxed);
    }

    fn removed(&self, n: usize) {
        // Saturating: a clear and a sweep may both count the same entries.
        let _ = self
            .live
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_sub(n))
            });
    }
}

/// A map whose entries expire, sharded by the key's first byte.
pub(crate) struct ExpiringMap<K, V> {
    shards: Vec<Mutex<Map<K, V>>>,
    entries: Arc<Entries>,
}

/// Locks a mutex. A panic while holding the lock cannot leave a map
/// half-updated in a way later readers care about, so a poisoned lock is
/// still used.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<K: Eq + Hash + AsRef<[u8]> + Copy, V> ExpiringMap<K, V> {
    pub(crate) fn new(entries: Arc<Entries>) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Map::default())).collect(),
            entries,
        }
    }

    /// The shard holding `key`, locked.
    pub(crate) fn lock(&self, key: &K) -> Shard<'_, K, V> {
        let index = key.as_ref().first().copied().unwrap_or(0) as usize % SHARDS;
        lock(&self.shards[index])
    }

    /// The live entry at `key` in a locked shard, or a new one made by
    /// `fresh` (counted against the cap; `None` when the store is full).
    /// An expired entry is replaced by a fresh one.
    pub(crate) fn live_or_insert<'s>(
        &self,
        shard: &'s mut Shard<'_, K, V>,
        key: K,
        now: Millis,
        fresh: impl FnOnce() -> Expiring<V>,
    ) -> Option<&'s mut Expiring<V>> {
        match shard.entry(key) {
            Entry::Occupied(entry) => {
                let entry = entry.into_mut();
                if entry.until <= now {
                    *entry = fresh();
                }
                Some(entry)
            }
            Entry::Vacant(entry) => {
                if !self.entries.has_room() {
                    return None;
                }
                self.entries.added(1);
                Some(entry.insert(fresh()))
            }
        }
    }

    /// Removes `key` from a locked shard; true when it was live at `now`.
    pub(crate) fn remove_in(&self, shard: &mut Shard<'_, K, V>, key: &K, now: Millis) -> bool {
        match shard.remove(key) {
            Some(entry) => {
                self.entries.removed(1);
                entry.until > now
            }
            None => false,
        }
    }

    /// Drops expired entries and shrinks shards that are mostly empty;
    /// true when a table was shrunk.
    pub(crate) fn sweep(&self, now: Millis) -> bool {
        let mut shrunk = false;
        for shard in &self.shards {
            let mut map = lock(shard);
            let before = map.len();
            map.retain(|_, e| e.until > now);
            self.entries.removed(before - map.len());
            if map.capacity() > 1024 && map.len() < map.capacity() / 4 {
                let keep = map.len() * 2;
                map.shrink_to(keep);
                shrunk = true;
            }
        }
        shrunk
    }

    /// Forgets everything.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            let mut map = lock(shard);
            self.entries.removed(map.len());
            map.clear();
            map.shrink_to_fit();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).len()).sum()
    }
}
