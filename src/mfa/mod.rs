//! The MFA engine: owner of the last 8 characters of a telemarketing OTP.
//!
//! In the bank this is "CitiMFA", a separate service; here it is a trait so
//! a real client can replace [`LocalMfa`], the built-in engine, and tests
//! can wire in one that fails (`500 backendError`).

use crate::clock::Clock;
use crate::crypto::{random_code, Keys};
use crate::store::SecretStore;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Length of the MFA engine's part of a telemarketing OTP.
pub const MFA_CODE_LENGTH: usize = 8;

/// The engine could not be reached or failed; the cause is for the log only.
#[derive(Debug, thiserror::Error)]
#[error("MFA engine failed: {0}")]
pub struct MfaError(pub String);

/// Issues and verifies second-factor codes bound to a reference (the `sid`).
#[async_trait]
pub trait MfaEngine: Send + Sync {
    /// A new code for `reference`, valid for `lifetime`.
    async fn issue(&self, reference: &str, lifetime: Duration) -> Result<String, MfaError>;
    /// Whether `code` is the live code of `reference` (case as issued).
    async fn verify(&self, reference: &str, code: &str) -> Result<bool, MfaError>;
    /// Forgets the code of `reference`.
    async fn revoke(&self, reference: &str) -> Result<(), MfaError>;
}

/// The built-in engine: codes from the OS CSPRNG, kept as keyed hashes in
/// the shared store, so any instance can verify what another issued.
pub struct LocalMfa {
    store: Arc<dyn SecretStore>,
    keys: Keys,
    alphabet: &'static [u8],
    clock: Arc<dyn Clock>,
}

impl LocalMfa {
    pub fn new(
        store: Arc<dyn SecretStore>,
        keys: Keys,
        alphabet: &'static [u8],
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            keys,
            alphabet,
            clock,
        }
    }

    fn key(reference: &str) -> String {
        format!("mfa:{{{reference}}}")
    }
}

#[async_trait]
impl MfaEngine for LocalMfa {
    async fn issue(&self, reference: &str, lifetime: Duration) -> Result<String, MfaError> {
        let code =
            random_code(self.alphabet, MFA_CODE_LENGTH).map_err(|e| MfaError(e.to_string()))?;
        let digest = self.keys.digest("mfa", reference, &code);
        self.store
            .put_secret(&Self::key(reference), digest, lifetime, self.clock.now())
            .await
            .map_err(|e| MfaError(e.to_string()))?;
        Ok(code)
    }

    async fn verify(&self, reference: &str, code: &str) -> Result<bool, MfaError> {
        let stored = self
            .store
            .secret(&Self::key(reference), self.clock.now())
            .await
            .map_err(|e| MfaError(e.to_string()))?;
        let candidate = self.keys.digest("mfa", reference, code);
        Ok(stored.is_some_and(|d| bool::from(d.ct_eq(&candidate))))
    }

    async fn revoke(&self, reference: &str) -> Result<(), MfaError> {
        self.store
            .remove_secret(&Self::key(reference))
            .await
            .map_err(|e| MfaError(e.to_string()))
    }
}
