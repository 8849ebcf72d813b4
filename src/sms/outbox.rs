//! The sandbox SMS gateway: keeps what it "sent" so consumers can read the OTP.
//!
//! The messages live in the store, so every instance sharing a Redis sees
//! the same outbox. Bounded: past `capacity` the oldest message is dropped,
//! so a load test cannot grow it without limit.

use super::{Sms, SmsError, SmsGateway};
use crate::clock::{rfc3339, Clock, Millis};
use crate::store::{OutboxMessage, OutboxStore, StoreError};
use async_trait::async_trait;
use std::sync::Arc;

/// The sandbox gateway.
pub struct Outbox {
    store: Arc<dyn OutboxStore>,
    capacity: usize,
    clock: Arc<dyn Clock>,
}

impl Outbox {
    pub fn new(store: Arc<dyn OutboxStore>, capacity: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            capacity: capacity.max(1),
            clock,
        }
    }

    /// Messages to `to` (all when `None`) sent after `since`, newest
    /// first, at most `limit`.
    pub async fn list(
        &self,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.store.outbox(to, since, limit).await
    }
}

#[async_trait]
impl SmsGateway for Outbox {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let message = OutboxMessage {
            to: sms.to.clone(),
            text: sms.text.clone(),
            otp: sms.otp.clone(),
            sent_at: rfc3339(self.clock.now()),
        };
        self.store
            .push_outbox(&message, self.capacity)
            .await
            .map_err(|e| SmsError(e.to_string()))
    }

    fn store_outbox(&self) -> Option<usize> {
        Some(self.capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::store::memory::MemoryStore;

    fn sms(to: &str, otp: &str) -> Sms {
        Sms {
            to: to.into(),
            text: format!("code {otp}"),
            otp: otp.into(),
        }
    }

    #[tokio::test]
    async fn newest_first_filtered_and_bounded() {
        let outbox = Outbox::new(Arc::new(MemoryStore::new()), 2, Arc::new(SystemClock));
        for (to, otp) in [("a", "1"), ("b", "2"), ("a", "3")] {
            outbox.send(&sms(to, otp)).await.unwrap();
        }
        let otps = |list: Vec<OutboxMessage>| list.into_iter().map(|m| m.otp).collect::<Vec<_>>();
        assert_eq!(otps(outbox.list(Some("a"), None, 10).await.unwrap()), ["3"]);
        assert_eq!(otps(outbox.list(None, None, 10).await.unwrap()), ["3", "2"]);
    }
}
