//! The sandbox's shared state in this process: for the memory store (one
//! process; in the tests, several servers of one process share it).

use super::{OutboxMessage, SharedState, View, MAX_OFFSET};
use crate::clock::Millis;
use crate::crypto::Digest;
use crate::store::memory::MemoryStore;
use crate::store::StoreError;
use async_trait::async_trait;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// The state, behind one lock: every operation is a few field updates.
#[derive(Default)]
struct Inner {
    view: View,
    /// Per-phone reset epochs of the current generation.
    epochs: HashMap<Digest, u64>,
    /// Messages and when they were sent, oldest first.
    outbox: VecDeque<(Millis, OutboxMessage)>,
}

/// The sandbox's state in this process.
#[derive(Default)]
pub(crate) struct MemoryState {
    inner: Mutex<Inner>,
    /// The memory store beside it: a reset of the whole sandbox empties it
    /// at once (rather than waiting for its entries to expire).
    store: Option<MemoryStore>,
}

impl MemoryState {
    /// The state of a sandbox whose store is `store` (when it is the
    /// memory store, a reset empties it).
    pub(crate) fn new(store: Option<MemoryStore>) -> Self {
        Self {
            inner: Mutex::default(),
            store,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl SharedState for MemoryState {
    async fn view(&self, _known: &View) -> Result<View, StoreError> {
        Ok(self.lock().view)
    }

    async fn advance_clock(&self, by: Millis) -> Result<Option<Millis>, StoreError> {
        let mut inner = self.lock();
        let offset = inner.view.offset.saturating_add(by);
        if offset > MAX_OFFSET {
            return Ok(None);
        }
        inner.view.offset = offset;
        Ok(Some(offset))
    }

    async fn reset_all(&self) -> Result<View, StoreError> {
        let view = {
            let mut inner = self.lock();
            let generation = inner.view.generation + 1;
            *inner = Inner {
                view: View {
                    generation,
                    ..View::default()
                },
                ..Inner::default()
            };
            inner.view
        };
        if let Some(store) = &self.store {
            store.clear();
        }
        Ok(view)
    }

    async fn reset_phone(
        &self,
        _generation: u64,
        phone: &Digest,
        recipients: &[String],
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        *inner.epochs.entry(*phone).or_default() += 1;
        inner.view.phone_resets += 1;
        inner.outbox.retain(|(_, m)| !recipients.contains(&m.to));
        Ok(())
    }

    async fn phone_epoch(&self, _generation: u64, phone: &Digest) -> Result<u64, StoreError> {
        Ok(self.lock().epochs.get(phone).copied().unwrap_or(0))
    }

    async fn push_message(
        &self,
        _generation: u64,
        message: &OutboxMessage,
        sent: Millis,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        while inner.outbox.len() >= capacity.max(1) {
            inner.outbox.pop_front();
        }
        inner.outbox.push_back((sent, message.clone()));
        Ok(())
    }

    async fn messages(
        &self,
        _generation: u64,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let inner = self.lock();
        let wanted = |(sent, m): &&(Millis, OutboxMessage)| {
            to.is_none_or(|to| m.to == to) && since.is_none_or(|since| *sent > since)
        };
        Ok(inner
            .outbox
            .iter()
            .rev()
            .filter(wanted)
            .take(limit)
            .map(|(_, m)| m.clone())
            .collect())
    }
}
