//! The sandbox's shared state in this process: for the memory store (one
//! process; in the tests, several servers of one process share it).

use super::{Seen, SharedState, StoredMessage, View, MAX_OFFSET};
use crate::clock::Millis;
use crate::crypto::Digest;
use crate::store::memory::MemoryStore;
use crate::store::StoreError;
use async_trait::async_trait;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// Most phones whose last validation is kept (then the oldest half goes).
const MAX_VALIDATED: usize = 100_000;

/// The state, behind one lock: every operation is a few field updates.
#[derive(Default)]
struct Inner {
    view: View,
    /// Per-phone reset epochs of the current generation.
    epochs: HashMap<Digest, u64>,
    /// Messages, oldest first.
    outbox: VecDeque<StoredMessage>,
    behaviours: HashMap<Digest, String>,
    clients: HashMap<String, u64>,
    validated: HashMap<String, Millis>,
    coverage: HashMap<(String, u64), HashMap<String, Seen>>,
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
        let inner = self.lock();
        Ok(View {
            phone_epochs: !inner.epochs.is_empty(),
            ..inner.view
        })
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
            let old = inner.view;
            *inner = Inner {
                view: View {
                    generation: old.generation + 1,
                    phone_resets: old.phone_resets + 1,
                    behaviours: old.behaviours + 1,
                    client_resets: old.client_resets + 1,
                    offset: 0,
                    // A new generation: no phone was reset in it.
                    phone_epochs: false,
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
        inner.outbox.retain(|m| !recipients.contains(&m.message.to));
        Ok(())
    }

    async fn phone_epoch(&self, _generation: u64, phone: &Digest) -> Result<u64, StoreError> {
        Ok(self.lock().epochs.get(phone).copied().unwrap_or(0))
    }

    async fn push_message(
        &self,
        _generation: u64,
        message: &StoredMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        while inner.outbox.len() >= capacity.max(1) {
            inner.outbox.pop_front();
        }
        inner.outbox.push_back(message.clone());
        Ok(())
    }

    async fn messages(
        &self,
        _generation: u64,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let inner = self.lock();
        let wanted = |m: &&StoredMessage| {
            to.is_none_or(|to| m.message.to == to) && since.is_none_or(|since| m.visible_at > since)
        };
        Ok(inner
            .outbox
            .iter()
            .rev()
            .filter(wanted)
            .take(limit)
            .cloned()
            .collect())
    }

    async fn set_behaviour(
        &self,
        _generation: u64,
        phone: &Digest,
        behaviour: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        match behaviour {
            Some(json) => inner.behaviours.insert(*phone, json.to_owned()),
            None => inner.behaviours.remove(phone),
        };
        inner.view.behaviours += 1;
        Ok(())
    }

    async fn behaviours(&self, _generation: u64) -> Result<Vec<(Digest, String)>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .behaviours
            .iter()
            .map(|(phone, json)| (*phone, json.clone()))
            .collect())
    }

    async fn reset_client(&self, _generation: u64, client: &str) -> Result<u64, StoreError> {
        let mut inner = self.lock();
        let epoch = {
            let epoch = inner.clients.entry(client.to_owned()).or_default();
            *epoch += 1;
            *epoch
        };
        inner.view.client_resets += 1;
        inner
            .outbox
            .retain(|m| m.message.client_id.as_deref() != Some(client));
        inner.coverage.retain(|(c, _), _| c != client);
        Ok(epoch)
    }

    async fn client_epoch(&self, _generation: u64, client: &str) -> Result<u64, StoreError> {
        Ok(self.lock().clients.get(client).copied().unwrap_or(0))
    }

    async fn mark_validated(
        &self,
        _generation: u64,
        phone: &str,
        at: Millis,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.validated.len() >= MAX_VALIDATED {
            inner.validated.clear();
        }
        let last = inner.validated.entry(phone.to_owned()).or_default();
        *last = (*last).max(at);
        Ok(())
    }

    async fn validated(
        &self,
        _generation: u64,
        phones: &[String],
    ) -> Result<Vec<Option<Millis>>, StoreError> {
        let inner = self.lock();
        Ok(phones
            .iter()
            .map(|p| inner.validated.get(p).copied())
            .collect())
    }

    async fn record_coverage(
        &self,
        _generation: u64,
        client: &str,
        epoch: u64,
        row: &str,
        forced: bool,
        at: Millis,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let rows = inner
            .coverage
            .entry((client.to_owned(), epoch))
            .or_default();
        let seen = rows.entry(row.to_owned()).or_insert(Seen {
            first: at,
            ..Seen::default()
        });
        seen.count += 1;
        seen.forced += u64::from(forced);
        seen.first = seen.first.min(at);
        seen.last = seen.last.max(at);
        Ok(())
    }

    async fn coverage(
        &self,
        _generation: u64,
        client: &str,
        epoch: u64,
    ) -> Result<Vec<(String, Seen)>, StoreError> {
        let inner = self.lock();
        let rows = inner.coverage.get(&(client.to_owned(), epoch));
        Ok(rows
            .map(|rows| rows.iter().map(|(r, s)| (r.clone(), s.clone())).collect())
            .unwrap_or_default())
    }
}
