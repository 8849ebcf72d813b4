//! Delivering OTPs by SMS.
//!
//! An external service, so a small trait behind `Arc<dyn SmsGateway>`:
//! [`WebhookGateway`] posts to the bank's SMS relay, [`LogGateway`] only
//! logs (phone masked) for runs without a real gateway. The sandbox's
//! outbox (`crate::sandbox`) is one more gateway, and the only one a
//! sandbox has.

mod webhook;

pub use webhook::WebhookGateway;

use crate::phone::mask;
use async_trait::async_trait;

/// One message to deliver.
#[derive(Clone)]
pub struct Sms {
    /// The recipient exactly as the flow addresses it.
    pub to: String,
    /// The whole text, OTP included.
    pub text: String,
    /// The OTP alone; only the sandbox outbox keeps it.
    pub otp: String,
}

impl std::fmt::Debug for Sms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sms")
            .field("to", &mask(&self.to))
            .finish_non_exhaustive()
    }
}

/// The gateway could not deliver; the cause is for the log only.
#[derive(Debug, thiserror::Error)]
#[error("SMS delivery failed: {0}")]
pub struct SmsError(pub String);

/// Something that delivers SMS.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError>;
}

/// Logs each message, phone masked and text withheld, and delivers nothing.
pub(crate) struct LogGateway;

#[async_trait]
impl SmsGateway for LogGateway {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        tracing::info!(to = %mask(&sms.to), chars = sms.text.chars().count(), "sms not delivered (log-only gateway)");
        Ok(())
    }
}
