//! The MFA engine: owner of the last 8 characters of a telemarketing OTP.
//!
//! In the bank this is "CitiMFA", a separate service; here it is a trait so
//! a real client can replace [`LocalMfa`], the built-in engine, and tests
//! can wire in one that fails (`500 backendError`).
//!
//! Where the engine's part is checked decides how attempts are reserved
//! ([`MfaCheck`]): the built-in engine keeps nothing, so the OTP engine
//! stores a keyed hash of all 11 characters and the store compares them in
//! the same atomic step that takes the attempt; a remote engine verifies
//! its part itself, after the store reserved the attempt against the
//! challenge and the phone.

use crate::crypto::Draw;
use async_trait::async_trait;
use std::time::Duration;

/// Length of the MFA engine's part of a telemarketing OTP.
pub(crate) const MFA_CODE_LENGTH: usize = 8;
/// Characters of a telemarketing OTP the caller keeps (generate returns
/// them), before the MFA engine's part.
pub(crate) const PREFIX_LENGTH: usize = 3;
/// Characters of a whole telemarketing OTP: the prefix, then the MFA
/// engine's part; the SMS carries all of them.
pub(crate) const OTP_LENGTH: usize = PREFIX_LENGTH + MFA_CODE_LENGTH;

/// The engine could not be reached or failed; the cause is for the log only.
#[derive(Debug, thiserror::Error)]
#[error("MFA engine failed: {0}")]
pub struct MfaError(pub String);

/// Where the engine's part of an OTP is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaCheck {
    /// By the store, with the rest of the OTP: the engine keeps nothing.
    InStore,
    /// By the engine's `verify`, once the store reserved the attempt.
    Remote,
}

/// Issues and verifies second-factor codes bound to a reference (the `sid`).
#[async_trait]
pub trait MfaEngine: Send + Sync {
    /// Where this engine's codes are checked.
    fn check(&self) -> MfaCheck;
    /// A new code for `reference`, valid for `lifetime`; an engine that
    /// makes its codes here may take them from the request's `random` draw.
    async fn issue(
        &self,
        reference: &str,
        lifetime: Duration,
        random: &mut Draw,
    ) -> Result<String, MfaError>;
    /// Whether `code` is the live code of `reference` (case as issued);
    /// asked only of [`MfaCheck::Remote`] engines.
    async fn verify(&self, reference: &str, code: &str) -> Result<bool, MfaError>;
    /// Forgets the code of `reference`.
    async fn revoke(&self, reference: &str) -> Result<(), MfaError>;
}

/// The built-in engine: codes from the OS CSPRNG, checked in the store
/// with the rest of the OTP (it keeps nothing itself).
pub(crate) struct LocalMfa {
    alphabet: &'static [u8],
}

impl LocalMfa {
    pub(crate) fn new(alphabet: &'static [u8]) -> Self {
        Self { alphabet }
    }
}

#[async_trait]
impl MfaEngine for LocalMfa {
    fn check(&self) -> MfaCheck {
        MfaCheck::InStore
    }

    async fn issue(
        &self,
        _reference: &str,
        _lifetime: Duration,
        random: &mut Draw,
    ) -> Result<String, MfaError> {
        random
            .code(self.alphabet, MFA_CODE_LENGTH)
            .map_err(|e| MfaError(e.to_string()))
    }

    async fn verify(&self, _reference: &str, _code: &str) -> Result<bool, MfaError> {
        Err(MfaError(
            "the built-in engine keeps no codes: the store checks them".into(),
        ))
    }

    async fn revoke(&self, _reference: &str) -> Result<(), MfaError> {
        Ok(())
    }
}
