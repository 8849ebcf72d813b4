//! The sandbox's SMS gateway, and its only one: keeps what it "sent" so
//! consumers can read the OTP (`GET /sandbox/v1/sms`), in the sandbox's
//! shared state, so every instance sharing a store sees the same outbox.
//! Bounded: past `capacity` the oldest message is dropped, so a load test
//! cannot grow it without limit.

use super::current::Current;
use super::state::OutboxMessage;
use crate::clock::{rfc3339, Clock, Millis};
use crate::sms::{Sms, SmsError, SmsGateway};
use crate::store::StoreError;
use async_trait::async_trait;
use std::sync::Arc;

/// The sandbox gateway.
pub(crate) struct Outbox {
    current: Arc<Current>,
    capacity: usize,
    clock: Arc<dyn Clock>,
}

impl Outbox {
    pub(crate) fn new(current: Arc<Current>, capacity: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            current,
            capacity: capacity.max(1),
            clock,
        }
    }

    /// Messages to `to` (all when `None`) sent after `since`, newest
    /// first, at most `limit`.
    pub(crate) async fn list(
        &self,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let generation = self.current.view().generation;
        let state = self.current.state();
        state.messages(generation, to, since, limit).await
    }
}

#[async_trait]
impl SmsGateway for Outbox {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let now = self.clock.now();
        let message = OutboxMessage {
            to: sms.to.clone(),
            text: sms.text.clone(),
            otp: sms.otp.clone(),
            sent_at: rfc3339(now),
        };
        let generation = self.current.view().generation;
        let state = self.current.state();
        let pushed = state.push_message(generation, &message, now, self.capacity);
        pushed.await.map_err(|e| SmsError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::sandbox::state::MemoryState;

    fn sms(to: &str, otp: &str) -> Sms {
        Sms {
            to: to.into(),
            text: format!("code {otp}"),
            otp: otp.into(),
        }
    }

    #[tokio::test]
    async fn newest_first_filtered_and_bounded() {
        let current = Arc::new(Current::new(Arc::new(MemoryState::default())));
        let outbox = Outbox::new(current, 2, Arc::new(SystemClock));
        for (to, otp) in [("a", "1"), ("b", "2"), ("a", "3")] {
            outbox.send(&sms(to, otp)).await.unwrap();
        }
        let otps = |list: Vec<OutboxMessage>| list.into_iter().map(|m| m.otp).collect::<Vec<_>>();
        assert_eq!(otps(outbox.list(Some("a"), None, 10).await.unwrap()), ["3"]);
        assert_eq!(otps(outbox.list(None, None, 10).await.unwrap()), ["3", "2"]);
    }
}
