//! The sandbox's store: a decorator over the production store that puts
//! every key into the sandbox's current namespace, so that a reset is a
//! new namespace rather than a sweep of the store, and the production
//! store and its scripts know nothing of resets.
//!
//! - A phone's digest becomes a digest of (phone, generation, the phone's
//!   epoch): a reset of the whole sandbox (a new generation) or of one
//!   phone (a new epoch) leaves its counters and live OTPs out of reach.
//!   The challenge keys carry the phone's digest as their hash tag
//!   (`rao:{P}:…`, `tm:{P}:…`), so the tag is swapped for the new one and
//!   a challenge stays in its phone's Redis Cluster slot.
//! - RAO session keys and the token endpoint's client digests move with the
//!   generation.
//! - A client's challenge and session keys move with that client's reset
//!   epoch too (a tenant's reset, [`super::scope`] names the request's
//!   client): a suffix outside the hash tag, so the key stays in its
//!   phone's slot and the phone's counters stay the handset's.
//!
//! It also tells the rest of the sandbox what it saw: the challenge a
//! request issued (for its outbox message: the phone, the expiry) and the
//! phones that validated an OTP (the console's "used").
//!
//! What is out of reach expires on its own (Redis) or is emptied by the
//! reset (the memory store). Outside the sandbox this decorator does not
//! exist: production requests pay nothing for it.

use super::current::Current;
use super::scope::{self, Issued};
use crate::crypto::{hex, Digest};
use crate::store::{
    Attempt, AuthAttempt, AuthStore, Candidate, CertifiedPhone, Challenge, ChallengeStore, Health,
    Lock, Millis, OnMatch, SendDecision, Sending, Store, StoreError,
};
use async_trait::async_trait;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

/// The production store, in the sandbox's current namespace.
pub struct SandboxStore {
    inner: Arc<dyn Store>,
    current: Arc<Current>,
}

/// `digest` moved into the namespace of `generation` and `epoch`.
fn derive(digest: &Digest, generation: u64, epoch: u64) -> Digest {
    if generation == 0 && epoch == 0 {
        return *digest;
    }
    crate::crypto::truncated(&crate::crypto::sha256(&[
        b"otp-server sandbox namespace",
        digest,
        &generation.to_le_bytes(),
        &epoch.to_le_bytes(),
    ]))
}

/// `key` with its hash tag `{hex(from)}` replaced by `{hex(to)}`.
fn retag<'k>(key: &'k str, from: &Digest, to: &Digest) -> Cow<'k, str> {
    if from == to {
        return Cow::Borrowed(key);
    }
    let old = format!("{{{}}}", hex(from));
    let new = format!("{{{}}}", hex(to));
    Cow::Owned(key.replacen(&old, &new, 1))
}

impl SandboxStore {
    pub fn new(inner: Arc<dyn Store>, current: Arc<Current>) -> Self {
        Self { inner, current }
    }

    /// A phone's digest in the current namespace.
    async fn phone(&self, phone: &Digest) -> Result<Digest, StoreError> {
        let generation = self.current.view().generation;
        let epoch = self.current.phone_epoch(phone).await?;
        Ok(derive(phone, generation, epoch))
    }

    /// A RAO session's key in the current generation and the request's
    /// client's epoch.
    fn session<'s>(&self, session: &'s str) -> Cow<'s, str> {
        match (self.current.view().generation, scope::client_epoch()) {
            (0, 0) => Cow::Borrowed(session),
            (generation, 0) => Cow::Owned(format!("{session}~g{generation}")),
            (generation, epoch) => Cow::Owned(format!("{session}~g{generation}~c{epoch}")),
        }
    }

    /// Notes that the phone (namespaced) validated an OTP now.
    async fn validated(&self, phone: &Digest, now: Millis) {
        let generation = self.current.view().generation;
        let phone = hex(phone);
        let marked = self.current.state().mark_validated(generation, &phone, now);
        if let Err(e) = marked.await {
            tracing::warn!(error = %e, "sandbox: a validation was not noted for the console");
        }
    }
}

/// A challenge key in the request's client's epoch: a suffix, outside the
/// hash tag.
fn tenant<'k>(key: Cow<'k, str>) -> Cow<'k, str> {
    match scope::client_epoch() {
        0 => key,
        epoch => Cow::Owned(format!("{key}~c{epoch}")),
    }
}

#[async_trait]
impl ChallengeStore for SandboxStore {
    async fn issue(
        &self,
        send: Sending<'_>,
        key: &str,
        challenge: &Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        let phone = self.phone(send.phone).await?;
        let key = tenant(retag(key, send.phone, &phone));
        let session = send.session.map(|s| self.session(s));
        let send = Sending {
            phone: &phone,
            limits: send.limits,
            session: session.as_deref(),
            request: send.request,
        };
        let decision = self
            .inner
            .issue(send, &key, challenge, keep_for, now)
            .await?;
        scope::note_issued(Issued {
            phone: hex(&phone),
            expires_at: challenge.expires_at,
        });
        Ok(decision)
    }

    async fn withdraw(&self, phone: &Digest, key: &str) -> Result<(), StoreError> {
        let mapped = self.phone(phone).await?;
        let key = tenant(retag(key, phone, &mapped));
        self.inner.withdraw(&mapped, &key).await
    }

    async fn attempt(
        &self,
        phone: &Digest,
        key: &str,
        candidate: &Candidate,
        lock: &Lock,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let mapped = self.phone(phone).await?;
        let key = tenant(retag(key, phone, &mapped));
        let on_match = match on_match {
            OnMatch::Certify {
                session,
                phone,
                ttl,
            } => OnMatch::Certify {
                session: self.session(&session).into_owned(),
                phone,
                ttl,
            },
            other => other,
        };
        let attempt = self
            .inner
            .attempt(&mapped, &key, candidate, lock, on_match, now);
        let attempt = attempt.await?;
        if attempt == Attempt::Matched {
            self.validated(&mapped, now).await;
        }
        Ok(attempt)
    }

    async fn settle(
        &self,
        phone: &Digest,
        key: &str,
        verified: bool,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let mapped = self.phone(phone).await?;
        let key = tenant(retag(key, phone, &mapped));
        let settled = self.inner.settle(&mapped, &key, verified, now).await?;
        if settled == Attempt::Matched {
            self.validated(&mapped, now).await;
        }
        Ok(settled)
    }

    async fn certified_phone(
        &self,
        session: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        let session = self.session(session);
        self.inner.certified_phone(&session, now).await
    }
}

#[async_trait]
impl AuthStore for SandboxStore {
    async fn reserve_auth(
        &self,
        attempt: &AuthAttempt<'_>,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        let client = derive(attempt.client, self.current.view().generation, 0);
        let attempt = AuthAttempt {
            client: &client,
            ..*attempt
        };
        self.inner.reserve_auth(&attempt, now).await
    }

    async fn forgive(&self, attempt: &AuthAttempt<'_>) -> Result<(), StoreError> {
        let client = derive(attempt.client, self.current.view().generation, 0);
        let attempt = AuthAttempt {
            client: &client,
            ..*attempt
        };
        self.inner.forgive(&attempt).await
    }
}

#[async_trait]
impl Health for SandboxStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_moves_the_digest_and_the_keys_tag_alike() {
        let phone = [0xab; 16];
        assert_eq!(derive(&phone, 0, 0), phone, "no reset yet: the key as is");
        let moved = derive(&phone, 1, 0);
        assert_ne!(moved, phone);
        assert_ne!(
            derive(&phone, 1, 1),
            moved,
            "a phone's epoch moves it again"
        );
        let key = format!("rao:{{{}}}:session", hex(&phone));
        assert_eq!(retag(&key, &phone, &phone), key);
        assert_eq!(
            retag(&key, &phone, &moved),
            format!("rao:{{{}}}:session", hex(&moved))
        );
    }
}
