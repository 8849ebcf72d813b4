//! A store decorator that times every call and counts failures, so
//! `/metrics` shows store latency and errors whatever the backend.

use super::{
    Attempt, AuthAttempt, AuthStore, Candidate, CertifiedPhone, Challenge, ChallengeStore, Digest,
    Health, Lock, Millis, OnMatch, SendDecision, Sending, Store, StoreError,
};
use crate::observe::Metrics;
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Any backend, with every call timed into `metrics`.
pub struct MeteredStore {
    inner: Arc<dyn Store>,
    metrics: Metrics,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn Store>, metrics: Metrics) -> Self {
        Self { inner, metrics }
    }

    async fn timed<T>(
        &self,
        call: &'static str,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let result = work.await;
        let full = matches!(result, Err(StoreError::Full(_)));
        self.metrics
            .store_call(call, started.elapsed(), result.is_ok(), full);
        result
    }
}

#[async_trait]
impl ChallengeStore for MeteredStore {
    async fn issue(
        &self,
        send: Sending<'_>,
        key: &str,
        challenge: &Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        let work = self.inner.issue(send, key, challenge, keep_for, now);
        self.timed("issue", work).await
    }
    async fn withdraw(&self, phone: &Digest, key: &str) -> Result<(), StoreError> {
        self.timed("withdraw", self.inner.withdraw(phone, key))
            .await
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
        let work = self
            .inner
            .attempt(phone, key, candidate, lock, on_match, now);
        self.timed("attempt", work).await
    }
    async fn settle(
        &self,
        phone: &Digest,
        key: &str,
        verified: bool,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let work = self.inner.settle(phone, key, verified, now);
        self.timed("settle", work).await
    }
    async fn certified_phone(
        &self,
        session: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        let work = self.inner.certified_phone(session, now);
        self.timed("certified_phone", work).await
    }
}

#[async_trait]
impl AuthStore for MeteredStore {
    async fn reserve_auth(
        &self,
        attempt: &AuthAttempt<'_>,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        let work = self.inner.reserve_auth(attempt, now);
        self.timed("reserve_auth", work).await
    }
    async fn forgive(&self, attempt: &AuthAttempt<'_>) -> Result<(), StoreError> {
        self.timed("forgive", self.inner.forgive(attempt)).await
    }
}

#[async_trait]
impl Health for MeteredStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.timed("ping", self.inner.ping()).await
    }
}
