//! The sandbox SMS gateway: keeps what it "sent" so consumers can read the OTP.
//!
//! Bounded: past `capacity` the oldest message is dropped, so a load test
//! cannot grow it without limit.

use super::{Sms, SmsError, SmsGateway};
use async_trait::async_trait;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// A message as `GET /sandbox/v1/sms` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OutboxMessage {
    pub to: String,
    pub text: String,
    pub otp: String,
    #[serde(rename = "sentAt")]
    pub sent_at: String,
}

/// The sandbox gateway.
pub struct Outbox {
    capacity: usize,
    messages: Mutex<VecDeque<OutboxMessage>>,
}

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            messages: Mutex::new(VecDeque::new()),
        }
    }

    /// Messages to `to` (all when `None`), newest first, at most `limit`.
    pub fn list(&self, to: Option<&str>, limit: usize) -> Vec<OutboxMessage> {
        let messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        messages
            .iter()
            .rev()
            .filter(|m| to.is_none_or(|to| m.to == to))
            .take(limit)
            .cloned()
            .collect()
    }
}

#[async_trait]
impl SmsGateway for Outbox {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let message = OutboxMessage {
            to: sms.to.clone(),
            text: sms.text.clone(),
            otp: sms.otp.clone(),
            sent_at: crate::error::timestamp_now(),
        };
        let mut messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        if messages.len() == self.capacity {
            messages.pop_front();
        }
        messages.push_back(message);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(to: &str, otp: &str) -> Sms {
        Sms {
            to: to.into(),
            text: format!("code {otp}"),
            otp: otp.into(),
        }
    }

    #[tokio::test]
    async fn newest_first_filtered_and_bounded() {
        let outbox = Outbox::new(2);
        for (to, otp) in [("a", "1"), ("b", "2"), ("a", "3")] {
            outbox.send(&sms(to, otp)).await.unwrap();
        }
        let otps = |to| {
            outbox
                .list(to, 10)
                .into_iter()
                .map(|m| m.otp)
                .collect::<Vec<_>>()
        };
        assert_eq!(otps(Some("a")), ["3"]);
        assert_eq!(otps(None), ["3", "2"]);
    }
}
