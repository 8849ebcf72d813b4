//! The memory store's building block: a sharded map whose entries expire,
//! counted against one cap shared by all the store's maps.
//!
//! Each shard is a std `Mutex`: critical sections are a few map operations
//! and never span an `.await`, so an async mutex would only add cost. A
//! sweep or a table resize holds one shard's lock, not the whole map's, so
//! requests never wait behind a full pass.

use super::super::Millis;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Shards per map (keys are hashes, so shards fill evenly).
const SHARDS: usize = 16;

/// A value and the instant after which it is forgotten.
pub struct Expiring<T> {
    pub value: T,
    pub until: Millis,
}

/// A locked shard.
pub type Shard<'a, K, V> = MutexGuard<'a, HashMap<K, Expiring<V>>>;

/// How many entries all maps of one store hold, and how many they may.
#[derive(Debug)]
pub struct Entries {
    live: AtomicUsize,
    cap: usize,
}

impl Entries {
    pub fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            live: AtomicUsize::new(0),
            cap,
        })
    }

    /// Whether one more entry fits.
    pub fn has_room(&self) -> bool {
        self.live.load(Ordering::Relaxed) < self.cap
    }

    pub fn cap(&self) -> usize {
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
pub struct ExpiringMap<K, V> {
    shards: Vec<Mutex<HashMap<K, Expiring<V>>>>,
    entries: Arc<Entries>,
}

/// Locks a mutex. A panic while holding the lock cannot leave a map
/// half-updated in a way later readers care about, so a poisoned lock is
/// still used.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<K: Eq + Hash + AsRef<[u8]> + Copy, V> ExpiringMap<K, V> {
    pub fn new(entries: Arc<Entries>) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            entries,
        }
    }

    /// The shard holding `key`, locked.
    pub fn lock(&self, key: &K) -> Shard<'_, K, V> {
        let index = key.as_ref().first().copied().unwrap_or(0) as usize % SHARDS;
        lock(&self.shards[index])
    }

    /// The live entry at `key` in a locked shard, or a new one made by
    /// `fresh` (counted against the cap; `None` when the store is full).
    /// An expired entry is replaced by a fresh one.
    pub fn live_or_insert<'s>(
        &self,
        shard: &'s mut Shard<'_, K, V>,
        key: K,
        now: Millis,
        fresh: impl FnOnce() -> Expiring<V>,
    ) -> Option<&'s mut Expiring<V>> {
        let present = shard.get(&key).is_some_and(|e| e.until > now);
        if !present {
            let known = shard.contains_key(&key);
            if !known && !self.entries.has_room() {
                return None;
            }
            if !known {
                self.entries.added(1);
            }
            shard.insert(key, fresh());
        }
        shard.get_mut(&key)
    }

    /// Removes `key` from a locked shard; true when it was live at `now`.
    pub fn remove_in(&self, shard: &mut Shard<'_, K, V>, key: &K, now: Millis) -> bool {
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
    pub fn sweep(&self, now: Millis) -> bool {
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
    pub fn clear(&self) {
        for shard in &self.shards {
            let mut map = lock(shard);
            self.entries.removed(map.len());
            map.clear();
            map.shrink_to_fit();
        }
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).len()).sum()
    }
}
