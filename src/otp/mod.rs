//! The OTP engine: the rules of both flows, over the store, SMS gateway and
//! MFA engine traits. Knows nothing of HTTP; its [`OtpError`] says what went
//! wrong in the domain's words and `src/impl` maps it to the spec's codes.

pub mod keys;
pub mod random;
mod rao;
mod telemarketing;

pub use rao::Phone;
pub use telemarketing::{TelemarketingOtp, TelemarketingRequest, SMS_MAX_CHARS};

use crate::config::Policy;
use crate::mfa::{MfaEngine, MfaError};
use crate::sms::{SmsError, SmsGateway};
use crate::store::{Store, StoreError, Throttle};
use keys::Keys;
use random::RandomError;
use std::sync::Arc;
use std::time::Duration;

/// Digits and upper-case letters: the telemarketing OTP alphabet.
pub const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The RAO OTP alphabet.
pub const DIGITS: &[u8] = b"0123456789";

/// How a flow failed.
#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    #[error("no live OTP for this session")]
    NotFound,
    #[error("the OTP has expired")]
    Expired,
    #[error("the OTP is wrong ({attempts_left} attempts left)")]
    Invalid { attempts_left: u32 },
    #[error("sends to this phone are throttled ({reason:?}) for {retry_after:?}")]
    Throttled {
        reason: Throttle,
        retry_after: Duration,
    },
    #[error("the SMS would be {chars} characters long")]
    MessageTooLong { chars: usize },
    #[error(transparent)]
    Sms(#[from] SmsError),
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// The engine shared by all requests.
pub struct OtpEngine {
    store: Arc<dyn Store>,
    sms: Arc<dyn SmsGateway>,
    mfa: Arc<dyn MfaEngine>,
    keys: Keys,
}

impl OtpEngine {
    pub fn new(
        store: Arc<dyn Store>,
        sms: Arc<dyn SmsGateway>,
        mfa: Arc<dyn MfaEngine>,
        keys: Keys,
    ) -> Self {
        Self {
            store,
            sms,
            mfa,
            keys,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The send limits of `policy`.
    fn limits(policy: &Policy) -> crate::store::SendLimits {
        crate::store::SendLimits {
            min_interval: Duration::from_secs(policy.min_send_interval_secs),
            max_sends: policy.max_sends_per_window,
            window: Duration::from_secs(policy.send_window_secs),
            max_failures: policy.max_failures_per_phone_hour,
            failure_window: FAILURE_WINDOW,
        }
    }

    /// Refuses the send when the phone is throttled, else counts it.
    async fn permit_send(
        &self,
        phone: &crate::store::Digest,
        policy: &Policy,
        now: u64,
    ) -> Result<(), OtpError> {
        match self
            .store
            .permit_send(phone, &Self::limits(policy), now)
            .await?
        {
            crate::store::SendDecision::Allowed => Ok(()),
            crate::store::SendDecision::Refused {
                reason,
                retry_after,
            } => Err(OtpError::Throttled {
                reason,
                retry_after,
            }),
        }
    }

    /// Raises the phone's failure count after a wrong attempt.
    async fn count_failure(&self, phone: &crate::store::Digest, now: u64) -> Result<(), OtpError> {
        Ok(self.store.count_failure(phone, FAILURE_WINDOW, now).await?)
    }
}

/// The window of `max_failures_per_phone_hour`.
const FAILURE_WINDOW: Duration = Duration::from_secs(3_600);

/// How long a challenge is kept past its expiry, so that a late attempt is
/// told "expired" rather than "not found": one more lifetime.
fn keep_for(policy: &Policy) -> Duration {
    policy.otp_lifetime() * 2
}

fn now_millis() -> u64 {
    crate::store::memory::now_millis()
}
