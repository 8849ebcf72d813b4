//! The sandbox's SMS gateway, and its only one: keeps what it "sent" so
//! consumers can read the OTP (`GET /sandbox/v1/sms`), in the sandbox's
//! shared state, so every instance sharing a store sees the same outbox.
//! Bounded: past `capacity` the oldest message is dropped, so a load test
//! cannot grow it without limit.
//!
//! A phone's SMS may behave ([`super::behaviour`], told through the
//! request's [`super::scope`]): delivered late (kept, hidden until its
//! time: `delayed`), lost (never kept: the send succeeds, the OTP
//! validates), or failed (kept as `failed`, and the send fails, so the
//! flow withdraws the challenge and answers its documented error).
//! Each message says when its OTP expires, whether the phone validated
//! since (its OTP is used) and which client's request sent it.

use super::current::Current;
use super::misbehaviour::SmsFate;
use super::scope;
use super::state::{OutboxMessage, StoredMessage};
use crate::clock::{parse_rfc3339, rfc3339, Clock, Millis};
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

/// Which messages to list.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Filter<'a> {
    /// To this recipient.
    pub to: Option<&'a str>,
    /// Reached the outbox after this.
    pub since: Option<Millis>,
    /// Sent by this client's requests.
    pub client: Option<&'a str>,
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
        let filter = Filter {
            to,
            since,
            client: None,
        };
        self.select(filter, limit).await
    }

    /// The messages `filter` keeps that have reached the outbox, whose
    /// client was not reset since, newest first, at most `limit`.
    pub(crate) async fn select(
        &self,
        filter: Filter<'_>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let generation = self.current.view().generation;
        let state = self.current.state();
        let stored = state
            .messages(generation, filter.to, filter.since, limit)
            .await?;
        let now = self.clock.now();
        let mut kept = Vec::with_capacity(stored.len());
        for m in stored {
            let client = m.message.client_id.as_deref();
            // Only a delayed message waits (instances' clocks differ by a little).
            let waiting = m.message.delivered_at.is_some() && m.visible_at > now;
            if waiting || filter.client.is_some_and(|c| Some(c) != client) {
                continue;
            }
            if let Some(client) = client {
                if self.current.client_epoch(client).await? != m.client_epoch {
                    continue;
                }
            }
            kept.push(m);
        }
        let phones: Vec<String> = kept.iter().filter_map(|m| m.phone.clone()).collect();
        let validated = state.validated(generation, &phones).await?;
        let mut validated = phones.into_iter().zip(validated);
        let mut messages = Vec::with_capacity(kept.len());
        for m in kept {
            let mut message = m.message;
            if m.phone.is_some() {
                let last = validated.next().and_then(|(_, at)| at);
                let sent = parse_rfc3339(&message.sent_at).unwrap_or(0);
                message.used_at = last.filter(|at| *at >= sent).map(rfc3339);
            }
            messages.push(message);
        }
        Ok(messages)
    }
}

#[async_trait]
impl SmsGateway for Outbox {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let (fate, delay) = scope::sms();
        if fate == SmsFate::Lost {
            tracing::info!(to = %crate::phone::mask(&sms.to), "sandbox: the SMS is lost, as its phone's behaviour says");
            return Ok(());
        }
        let now = self.clock.now();
        let issued = scope::issued();
        let client = scope::client();
        let status = match fate {
            SmsFate::Failed => "failed",
            _ if delay > 0 => "delayed",
            _ => "delivered",
        };
        let message = StoredMessage {
            message: OutboxMessage {
                to: sms.to.clone(),
                text: sms.text.clone(),
                otp: sms.otp.clone(),
                sent_at: rfc3339(now),
                status: status.into(),
                delivered_at: (delay > 0).then(|| rfc3339(now + delay)),
                expires_at: issued.as_ref().map(|i| rfc3339(i.expires_at)),
                used_at: None,
                client_id: client.as_ref().map(|(id, _)| id.clone()),
            },
            visible_at: now + delay,
            phone: issued.map(|i| i.phone),
            client_epoch: client.map_or(0, |(_, epoch)| epoch),
            seq: 0,
        };
        let generation = self.current.view().generation;
        let state = self.current.state();
        let pushed = state.push_message(generation, &message, self.capacity);
        pushed.await.map_err(|e| SmsError(e.to_string()))?;
        match fate {
            SmsFate::Failed => Err(SmsError(
                "the sandbox gateway refused it: the phone's SMS fail (sms = failed)".into(),
            )),
            _ => Ok(()),
        }
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
