//! The OTP engine: the rules of both flows, over the store, SMS gateway and
//! MFA engine traits. Knows nothing of HTTP; its [`OtpError`] says what went
//! wrong in the domain's words and `src/impl` maps it to the spec's codes.
//!
//! Every limit holds in one store step (PRODUCT.md, "How the limits hold"):
//! a send is permitted, counted and its challenge stored together; a
//! validate checks the phone lock, takes an attempt and compares the whole
//! OTP together (or reserves the attempt before a remote MFA engine checks
//! its part). Counters and bindings use the phone's normalized identity.

mod rao;
mod telemarketing;

pub use crate::phone::{Phone, PhoneError};
pub use telemarketing::{TelemarketingOtp, TelemarketingRequest, SMS_MAX_CHARS};

use crate::clock::{rfc3339, Clock, Millis};
use crate::config::{Policy, TestPhones};
use crate::crypto::{Digest, Keys, RandomError};
use crate::mfa::{MfaEngine, MfaError};
use crate::observe::{Metrics, Rejection};
use crate::phone::PhoneId;
use crate::sms::{Sms, SmsError, SmsGateway};
use crate::store::{
    Attempt, ChallengeStore, Lock, OutboxMessage, SendDecision, SendLimits, Store, StoreError,
    Throttle,
};
use std::sync::Arc;
use std::time::Duration;

/// Digits and upper-case letters: the telemarketing OTP alphabet.
pub const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The RAO OTP alphabet.
pub const DIGITS: &[u8] = b"0123456789";

pub(crate) use crate::store::again_if_stale;

/// How a flow failed.
#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    #[error("no live OTP for this session")]
    NotFound,
    #[error("the OTP has expired")]
    Expired,
    #[error("the OTP is wrong ({attempts_left} attempts left)")]
    Invalid { attempts_left: u32 },
    #[error("the phone is locked for {retry_after:?} after too many wrong OTPs")]
    Locked { retry_after: Duration },
    #[error("sends to this phone are throttled ({reason:?}) for {retry_after:?}")]
    Throttled {
        reason: Throttle,
        retry_after: Duration,
    },
    #[error("the SMS would be {chars} characters long")]
    MessageTooLong { chars: usize },
    #[error("not a phone number: {0}")]
    Phone(#[from] PhoneError),
    #[error(transparent)]
    Sms(#[from] SmsError),
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Random(#[from] RandomError),
}

impl OtpError {
    /// Whether the store asked for the step again (see [`again_if_stale`]).
    pub fn is_stale(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_stale())
    }
}

/// How a challenge comes to be: by a consumer's request (throttled, live),
/// or by a sandbox provider state (unthrottled, maybe already expired).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Making {
    pub unthrottled: bool,
    pub expired: bool,
}

/// The engine shared by all requests.
pub struct OtpEngine {
    challenges: Arc<dyn ChallengeStore>,
    sms: Arc<dyn SmsGateway>,
    mfa: Arc<dyn MfaEngine>,
    keys: Keys,
    clock: Arc<dyn Clock>,
    metrics: Metrics,
    test_phones: TestPhones,
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
    pub fn new(backends: Backends, keys: Keys, test_phones: TestPhones) -> Self {
        Self {
            challenges: backends.store,
            sms: backends.sms,
            mfa: backends.mfa,
            keys,
            clock: backends.clock,
            metrics: backends.metrics,
            test_phones,
        }
    }

    /// The keyed hash under which a phone's counters are kept.
    pub fn phone_digest(&self, phone: &PhoneId) -> Digest {
        self.keys.digest("phone", "", &phone.to_string())
    }

    /// The outbox message of `sms` when the gateway is the store's outbox
    /// (kept with the challenge, in one step), and the outbox's capacity.
    fn outbox_message(&self, sms: &Sms, now: Millis) -> Option<(OutboxMessage, usize)> {
        let capacity = self.sms.store_outbox()?;
        let message = OutboxMessage {
            to: sms.to.clone(),
            text: sms.text.clone(),
            otp: sms.otp.clone(),
            sent_at: rfc3339(now),
        };
        Some((message, capacity))
    }

    /// The send limits of `policy`; none for a test phone or a provider state.
    fn limits(policy: &Policy) -> SendLimits {
        SendLimits {
            min_interval: Duration::from_secs(policy.min_send_interval_secs),
            max_sends: policy.max_sends_per_window,
            window: Duration::from_secs(policy.send_window_secs),
            lock: Self::lock(policy),
        }
    }

    /// The phone lock of `policy`.
    pub fn lock(policy: &Policy) -> Lock {
        Lock {
            max_failures: policy.max_failures_per_phone_hour,
            window: FAILURE_WINDOW,
        }
    }

    /// When a challenge made now stops validating.
    fn expiry(policy: &Policy, now: Millis, making: Making) -> Millis {
        if making.expired {
            now.saturating_sub(1)
        } else {
            now + policy.otp_lifetime().as_millis() as u64
        }
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
            Err(OtpError::Locked { .. }) => Rejection::Locked,
            Err(_) => return,
        };
        self.metrics.rejected(api, why);
    }
}

/// A refused send, as the flows answer it.
fn refused(decision: SendDecision) -> Result<(), OtpError> {
    match decision {
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

/// An attempt's outcome, as the flows answer it.
fn checked(attempt: Attempt) -> Result<(), OtpError> {
    match attempt {
        Attempt::Matched => Ok(()),
        Attempt::NotFound | Attempt::OtherBinding => Err(OtpError::NotFound),
        Attempt::Expired => Err(OtpError::Expired),
        Attempt::Locked { retry_after } => Err(OtpError::Locked { retry_after }),
        Attempt::Wrong { attempts_left } => Err(OtpError::Invalid { attempts_left }),
    }
}

/// The window of `max_failures_per_phone_hour`.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(3_600);

/// How long a challenge is kept past its expiry, so that a late attempt is
/// told "expired" rather than "not found": one more lifetime.
fn keep_for(policy: &Policy) -> Duration {
    policy.otp_lifetime() * 2
}
