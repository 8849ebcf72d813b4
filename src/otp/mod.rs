//! The OTP flows: the rules of both APIs, over the store, SMS gateway and
//! MFA engine traits. Knows nothing of HTTP: an [`OtpError`] says what went
//! wrong in the domain's words, its [`Failure`] names the kind, and each
//! API's error table (`crate::error`) turns the kind into the spec's code.
//!
//! Each flow is its own type ([`RaoFlow`], [`TelemarketingFlow`]) over one
//! shared [`Issuer`]: the limits, expiry, sending and phone identities both
//! flows use the same way. Every limit holds in one store step
//! (docs/ARCHITECTURE.md, "How the limits hold"): a send is permitted,
//! counted and its challenge stored together; a validate checks the phone
//! lock, takes an attempt and compares the whole OTP together (or reserves
//! the attempt before a remote MFA engine checks its part). Counters and
//! bindings use the phone's identity (`crate::phone`).

mod issuer;
mod rao;
mod telemarketing;

pub(crate) use issuer::{FixedOtps, Issuer, Making, FAILURE_WINDOW};
pub(crate) use rao::RaoFlow;
pub(crate) use telemarketing::{
    TelemarketingFlow, TelemarketingOtp, TelemarketingRequest, OTP_LENGTH, SMS_MAX_CHARS,
};

use crate::cipher::CipherError;
use crate::crypto::RandomError;
use crate::mfa::MfaError;
use crate::phone::PhoneError;
use crate::sms::SmsError;
use crate::store::{StoreError, Throttle};
use std::time::Duration;

/// Digits and upper-case letters: the telemarketing OTP alphabet.
pub(crate) const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The RAO OTP alphabet.
pub(crate) const DIGITS: &[u8] = b"0123456789";

/// Which sealed (`format: byte`) field of a RAO request could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sealed {
    Phone,
    Otp,
}

/// How a flow failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OtpError {
    #[error("no live OTP for this session")]
    NotFound,
    #[error("no certified phone for this session")]
    NoCertifiedPhone,
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
    #[error("the sealed {what:?} cannot be opened with the client's {cipher} cipher: {cause}")]
    Undecryptable {
        what: Sealed,
        cipher: &'static str,
        cause: CipherError,
    },
    #[error(transparent)]
    Sms(#[from] SmsError),
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// The kinds of [`OtpError`], as the APIs' error tables name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No live challenge (never made, used, burnt, reset, another phone).
    NoChallenge,
    NoCertifiedPhone,
    Expired,
    WrongOtp,
    /// The phone reached its hourly failure limit: nothing was compared.
    PhoneLocked,
    SendThrottled,
    BadNumber,
    /// A calling code that is no country's.
    BadCountryCode,
    /// An ISO country the numbering plan does not know.
    BadCountry,
    UndecryptablePhone,
    UndecryptableOtp,
    MessageTooLong,
    SmsFailed,
    MfaFailed,
    /// The store or the random source failed: the server's fault.
    Internal,
}

impl OtpError {
    pub(crate) fn failure(&self) -> Failure {
        match self {
            Self::NotFound => Failure::NoChallenge,
            Self::NoCertifiedPhone => Failure::NoCertifiedPhone,
            Self::Expired => Failure::Expired,
            Self::Invalid { .. } => Failure::WrongOtp,
            Self::Locked { .. } => Failure::PhoneLocked,
            Self::Throttled { .. } => Failure::SendThrottled,
            Self::MessageTooLong { .. } => Failure::MessageTooLong,
            Self::Phone(PhoneError::Digits | PhoneError::TooShort | PhoneError::TooLong) => {
                Failure::BadNumber
            }
            Self::Phone(PhoneError::CountryCode | PhoneError::Unassigned) => {
                Failure::BadCountryCode
            }
            Self::Phone(PhoneError::Country) => Failure::BadCountry,
            Self::Undecryptable {
                what: Sealed::Phone,
                ..
            } => Failure::UndecryptablePhone,
            Self::Undecryptable {
                what: Sealed::Otp, ..
            } => Failure::UndecryptableOtp,
            Self::Sms(_) => Failure::SmsFailed,
            Self::Mfa(_) => Failure::MfaFailed,
            Self::Store(_) | Self::Random(_) => Failure::Internal,
        }
    }
}
