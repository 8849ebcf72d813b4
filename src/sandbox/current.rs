//! The sandbox's shared state as this instance knows it: the last
//! [`View`] read (once per request), the clock offset the sandbox clock
//! adds, and the phone epochs read so far.
//!
//! A failed read keeps the last view and skips reads for
//! [`QUIET_AFTER_FAILURE`]: if only the store's `{sandbox}` slot is lost
//! (a Redis Cluster master), requests go on with the last view instead of
//! each waiting for a timeout; the store's own steps say whether the rest
//! of the store answers.

use super::state::{SharedState, View};
use crate::crypto::Digest;
use crate::store::StoreError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long reads are skipped after one failed.
pub(crate) const QUIET_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// Most phone epochs kept at once (a per-phone reset empties the cache).
const MAX_EPOCHS: usize = 100_000;

/// The phone epochs of one (generation, phone resets) pair.
#[derive(Default)]
struct Epochs {
    of: (u64, u64),
    epochs: HashMap<Digest, u64>,
}

/// This instance's view of the sandbox.
pub struct Current {
    state: Arc<dyn SharedState>,
    /// The clock offset, in ms; the sandbox clock reads this cell.
    offset: Arc<AtomicU64>,
    generation: AtomicU64,
    phone_resets: AtomicU64,
    epochs: Mutex<Epochs>,
    quiet_until: Mutex<Option<Instant>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Current {
    pub fn new(state: Arc<dyn SharedState>) -> Self {
        Self::with_offset(state, Arc::default())
    }

    /// The view over `state` whose clock offset is kept in `offset` (the
    /// sandbox clock's cell).
    pub(crate) fn with_offset(state: Arc<dyn SharedState>, offset: Arc<AtomicU64>) -> Self {
        Self {
            state,
            offset,
            generation: AtomicU64::new(0),
            phone_resets: AtomicU64::new(0),
            epochs: Mutex::default(),
            quiet_until: Mutex::new(None),
        }
    }

    pub(crate) fn state(&self) -> &dyn SharedState {
        &*self.state
    }

    /// The last view read.
    pub fn view(&self) -> View {
        View {
            offset: self.offset.load(Ordering::SeqCst),
            generation: self.generation.load(Ordering::SeqCst),
            phone_resets: self.phone_resets.load(Ordering::SeqCst),
        }
    }

    /// Takes `view` as the current one.
    pub fn learn(&self, view: View) {
        self.offset.store(view.offset, Ordering::SeqCst);
        self.generation.store(view.generation, Ordering::SeqCst);
        self.phone_resets.store(view.phone_resets, Ordering::SeqCst);
    }

    /// Reads the view from the shared state (one round trip on Redis);
    /// on failure, the last one.
    pub async fn refresh(&self) -> View {
        let quiet = lock(&self.quiet_until).is_some_and(|until| Instant::now() < until);
        if quiet {
            return self.view();
        }
        match self.state.view(&self.view()).await {
            Ok(view) => self.learn(view),
            Err(e) => {
                tracing::warn!(error = %e, "sandbox: the shared state was not read; the last view stands");
                *lock(&self.quiet_until) = Some(Instant::now() + QUIET_AFTER_FAILURE);
            }
        }
        self.view()
    }

    /// The reset epoch of `phone` in the current generation.
    pub(crate) async fn phone_epoch(&self, phone: &Digest) -> Result<u64, StoreError> {
        let view = self.view();
        let of = (view.generation, view.phone_resets);
        {
            let mut cache = lock(&self.epochs);
            if cache.of != of {
                *cache = Epochs {
                    of,
                    ..Epochs::default()
                };
            }
            if let Some(epoch) = cache.epochs.get(phone) {
                return Ok(*epoch);
            }
        }
        let epoch = self.state.phone_epoch(view.generation, phone).await?;
        let mut cache = lock(&self.epochs);
        if cache.of == of {
            if cache.epochs.len() >= MAX_EPOCHS {
                cache.epochs.clear();
            }
            cache.epochs.insert(*phone, epoch);
        }
        Ok(epoch)
    }
}
