//! The sandbox's shared state as this instance knows it: the last
//! [`View`] read (once per request), the clock offset the sandbox clock
//! adds, and the phone epochs read so far.
//!
//! A failed read keeps the last view and skips reads for
//! [`QUIET_AFTER_FAILURE`]: if only the store's `{sandbox}` slot is lost
//! (a Redis Cluster master), requests go on with the last view instead of
//! each waiting for a timeout; the store's own steps say whether the rest
//! of the store answers.

use super::misbehaviour::PhoneBehaviour;
use super::state::{SharedState, View};
use crate::crypto::Digest;
use crate::store::StoreError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

/// The phones' behaviours set by provider states, as of one view.
#[derive(Default)]
struct Set {
    of: (u64, u64),
    read: bool,
    behaviours: Arc<HashMap<Digest, PhoneBehaviour>>,
}

/// The client epochs of one (generation, client resets) pair.
#[derive(Default)]
struct ClientEpochs {
    of: (u64, u64),
    epochs: HashMap<String, u64>,
}

/// This instance's view of the sandbox.
pub struct Current {
    state: Arc<dyn SharedState>,
    /// The clock offset, in ms; the sandbox clock reads this cell.
    offset: Arc<AtomicU64>,
    generation: AtomicU64,
    phone_resets: AtomicU64,
    behaviours: AtomicU64,
    client_resets: AtomicU64,
    phone_epochs: AtomicBool,
    epochs: Mutex<Epochs>,
    set: Mutex<Set>,
    clients: Mutex<ClientEpochs>,
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
            behaviours: AtomicU64::new(0),
            client_resets: AtomicU64::new(0),
            // Until a view is read, a phone may have an epoch.
            phone_epochs: AtomicBool::new(true),
            epochs: Mutex::default(),
            set: Mutex::default(),
            clients: Mutex::default(),
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
            behaviours: self.behaviours.load(Ordering::SeqCst),
            client_resets: self.client_resets.load(Ordering::SeqCst),
            phone_epochs: self.phone_epochs.load(Ordering::SeqCst),
        }
    }

    /// Takes `view` as the current one.
    pub fn learn(&self, view: View) {
        self.offset.store(view.offset, Ordering::SeqCst);
        self.generation.store(view.generation, Ordering::SeqCst);
        self.phone_resets.store(view.phone_resets, Ordering::SeqCst);
        self.behaviours.store(view.behaviours, Ordering::SeqCst);
        self.client_resets
            .store(view.client_resets, Ordering::SeqCst);
        self.phone_epochs.store(view.phone_epochs, Ordering::SeqCst);
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

    /// The reset epoch of `phone` in the current generation: 0 without a
    /// read while no phone was reset alone since the generation began (the
    /// view, read at the request's start, says so), else cached per
    /// (generation, phone resets) or read (one round trip on Redis).
    pub(crate) async fn phone_epoch(&self, phone: &Digest) -> Result<u64, StoreError> {
        let view = self.view();
        if !view.phone_epochs {
            return Ok(0);
        }
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

    /// The phones' behaviours set by provider states in the current view
    /// (read again only when one changed; none when the read fails).
    pub(crate) async fn behaviours(&self) -> Arc<HashMap<Digest, PhoneBehaviour>> {
        let view = self.view();
        let of = (view.generation, view.behaviours);
        {
            let set = lock(&self.set);
            if set.read && set.of == of {
                return set.behaviours.clone();
            }
        }
        let read = match self.state.behaviours(view.generation).await {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, "sandbox: the phones' behaviours were not read");
                return Arc::default();
            }
        };
        let behaviours: HashMap<_, _> = read
            .into_iter()
            .filter_map(|(phone, json)| Some((phone, serde_json::from_str(&json).ok()?)))
            .collect();
        let behaviours = Arc::new(behaviours);
        *lock(&self.set) = Set {
            of,
            read: true,
            behaviours: behaviours.clone(),
        };
        behaviours
    }

    /// The reset epoch of `client` in the current generation.
    pub(crate) async fn client_epoch(&self, client: &str) -> Result<u64, StoreError> {
        let view = self.view();
        let of = (view.generation, view.client_resets);
        {
            let mut cache = lock(&self.clients);
            if cache.of != of {
                *cache = ClientEpochs {
                    of,
                    ..ClientEpochs::default()
                };
            }
            if let Some(epoch) = cache.epochs.get(client) {
                return Ok(*epoch);
            }
        }
        let epoch = self.state.client_epoch(view.generation, client).await?;
        let mut cache = lock(&self.clients);
        if cache.of == of && cache.epochs.len() < MAX_EPOCHS {
            cache.epochs.insert(client.to_owned(), epoch);
        }
        Ok(epoch)
    }
}
