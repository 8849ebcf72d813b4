//! A store decorator that times every call and counts failures, so
//! `/metrics` shows store latency and errors whatever the backend.

use super::{
    Attempt, Candidate, CertifiedPhone, Challenge, ChallengeStore, CounterStore, Digest, Health,
    Millis, OnMatch, OutboxMessage, OutboxStore, SecretStore, SendDecision, SendLimits, Store,
    StoreError,
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
        self.metrics
            .store_call(call, started.elapsed(), result.is_ok());
        result
    }
}

#[async_trait]
impl ChallengeStore for MeteredStore {
    async fn put_challenge(
        &self,
        key: &str,
        challenge: Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let work = self.inner.put_challenge(key, challenge, keep_for, now);
        self.timed("put_challenge", work).await
    }
    async fn remove_challenge(&self, key: &str) -> Result<(), StoreError> {
        self.timed("remove_challenge", self.inner.remove_challenge(key))
            .await
    }
    async fn attempt(
        &self,
        key: &str,
        candidate: &Candidate,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        let work = self.inner.attempt(key, candidate, on_match, now);
        self.timed("attempt", work).await
    }
    async fn fail_attempt(&self, key: &str, now: Millis) -> Result<Attempt, StoreError> {
        self.timed("fail_attempt", self.inner.fail_attempt(key, now))
            .await
    }
    async fn consume(&self, key: &str, now: Millis) -> Result<bool, StoreError> {
        self.timed("consume", self.inner.consume(key, now)).await
    }
    async fn certified_phone(
        &self,
        key: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        self.timed("certified_phone", self.inner.certified_phone(key, now))
            .await
    }
}

#[async_trait]
impl CounterStore for MeteredStore {
    async fn permit_send(
        &self,
        phone: &Digest,
        limits: &SendLimits,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        self.timed("permit_send", self.inner.permit_send(phone, limits, now))
            .await
    }
    async fn count_failure(
        &self,
        phone: &Digest,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let work = self.inner.count_failure(phone, window, now);
        self.timed("count_failure", work).await
    }
}

#[async_trait]
impl SecretStore for MeteredStore {
    async fn put_secret(
        &self,
        key: &str,
        digest: Digest,
        ttl: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let work = self.inner.put_secret(key, digest, ttl, now);
        self.timed("put_secret", work).await
    }
    async fn secret(&self, key: &str, now: Millis) -> Result<Option<Digest>, StoreError> {
        self.timed("secret", self.inner.secret(key, now)).await
    }
    async fn remove_secret(&self, key: &str) -> Result<(), StoreError> {
        self.timed("remove_secret", self.inner.remove_secret(key))
            .await
    }
}

#[async_trait]
impl OutboxStore for MeteredStore {
    async fn push_outbox(
        &self,
        message: &OutboxMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        self.timed("push_outbox", self.inner.push_outbox(message, capacity))
            .await
    }
    async fn outbox(
        &self,
        to: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.timed("outbox", self.inner.outbox(to, limit)).await
    }
}

#[async_trait]
impl Health for MeteredStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.timed("ping", self.inner.ping()).await
    }
}
