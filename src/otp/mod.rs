//! The OTP engine: the rules of both flows, over the store, SMS gateway and
//! MFA engine traits. Knows nothing of HTTP; its [`OtpError`] says what went
//! wrong in the domain's words and `src/impl` maps it to the spec's codes.

mod rao;
mod telemarketing;

pub use crate::phone::{Phone, PhoneError};
pub use telemarketing::{TelemarketingOtp, TelemarketingRequest, SMS_MAX_CHARS};

use crate::clock::Clock;
use crate::config::Policy;
use crate::crypto::{Digest, Keys, RandomError};
use crate::mfa::{MfaEngine, MfaError};
use crate::observe::{Metrics, Rejection};
use crate::sms::{SmsError, SmsGateway};
use crate::store::{
    ChallengeStore, CounterStore, SendDecision, SendLimits, Store, StoreError, Throttle,
};
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
    challenges: Arc<dyn ChallengeStore>,
    counters: Arc<dyn CounterStore>,
    sms: Arc<dyn SmsGateway>,
    mfa: Arc<dyn MfaEngine>,
    keys: Keys,
    clock: Arc<dyn Clock>,
    metrics: Metrics,
}

/// What the engine works with.
pub struct Backends {
    pub store: Arc<dyn Store>,
    pub sms: Arc<dyn SmsGateway>,
    pub mfa: Arc<dyn MfaEngine>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Metrics,
}

impl OtpEngine {
    pub fn new(backends: Backends, keys: Keys) -> Self {
        let Backends {
            store,
            sms,
            mfa,
            clock,
            metrics,
        } = backends;
        Self {
            challenges: store.clone(),
            counters: store,
            sms,
            mfa,
            keys,
            clock,
            metrics,
        }
    }

    /// The send limits of `policy`.
    fn limits(policy: &Policy) -> SendLimits {
        SendLimits {
            min_interval: Duration::from_secs(policy.min_send_interval_secs),
            max_sends: policy.max_sends_per_window,
            window: Duration::from_secs(policy.send_window_secs),
            max_failures: policy.max_failures_per_phone_hour,
            failure_window: FAILURE_WINDOW,
        }
    }

    /// Refuses the send when the phone is throttled, else counts it.
    async fn permit_send(&self, phone: &Digest, policy: &Policy, now: u64) -> Result<(), OtpError> {
        let limits = Self::limits(policy);
        match self.counters.permit_send(phone, &limits, now).await? {
            SendDecision::Allowed => Ok(()),
            SendDecision::Refused {
                reason,
                retry_after,
            } => Err(OtpError::Throttled {
                reason,
                retry_after,
            }),
        }
    }

    /// Raises the phone's failure count after a wrong attempt.
    async fn count_failure(&self, phone: &Digest, now: u64) -> Result<(), OtpError> {
        Ok(self
            .counters
            .count_failure(phone, FAILURE_WINDOW, now)
            .await?)
    }

    /// Counts what a generate of `api` came to.
    fn count_sent<T>(&self, api: &'static str, result: &Result<T, OtpError>) {
        match result {
            Ok(_) => self.metrics.generated(api),
            Err(OtpError::Throttled { reason, .. }) => {
                let reason = match reason {
                    Throttle::TooSoon => "too_soon",
                    Throttle::TooMany => "too_many",
                    Throttle::TooManyFailures => "too_many_failures",
                };
                self.metrics.throttled(api, reason);
            }
            Err(OtpError::Sms(_)) => self.metrics.sms_failed(),
            Err(_) => {}
        }
    }

    /// Counts what a validate of `api` came to.
    fn count_checked<T>(&self, api: &'static str, result: &Result<T, OtpError>) {
        let why = match result {
            Ok(_) => return self.metrics.validated(api),
            Err(OtpError::Invalid { attempts_left: 0 }) => Rejection::Burnt,
            Err(OtpError::Invalid { .. }) => Rejection::Invalid,
            Err(OtpError::Expired) => Rejection::Expired,
            Err(OtpError::NotFound) => Rejection::NotFound,
            Err(_) => return,
        };
        self.metrics.rejected(api, why);
    }
}

/// The window of `max_failures_per_phone_hour`.
const FAILURE_WINDOW: Duration = Duration::from_secs(3_600);

/// How long a challenge is kept past its expiry, so that a late attempt is
/// told "expired" rather than "not found": one more lifetime.
fn keep_for(policy: &Policy) -> Duration {
    policy.otp_lifetime() * 2
}
