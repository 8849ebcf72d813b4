//! A [`Store`] decorator that times every call and counts failures, so
//! `/metrics` shows store latency and errors whatever the backend.

use super::{
    Attempt, Candidate, CertifiedPhone, Challenge, Digest, Millis, OnMatch, SendDecision,
    SendLimits, Store, StoreError,
};
use crate::observe;
use crate::sms::OutboxMessage;
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct MeteredStore(pub Arc<dyn Store>);

async fn timed<T>(
    call: &'static str,
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let started = Instant::now();
    let result = work.await;
    observe::store_call(call, started.elapsed(), result.is_ok());
    result
}

#[async_trait]
impl Store for MeteredStore {
    async fn permit_send(
        &self,
        phone: &Digest,
        limits: &SendLimits,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        timed("permit_send", self.0.permit_send(phone, limits, now)).await
    }
    async fn put_challenge(
        &self,
        key: &str,
        challenge: Challenge,
        keep_for: Duration,
    ) -> Result<(), StoreError> {
        timed(
            "put_challenge",
            self.0.put_challenge(key, challenge, keep_for),
        )
        .await
    }
    async fn remove_challenge(&self, key: &str) -> Result<(), StoreError> {
        timed("remove_challenge", self.0.remove_challenge(key)).await
    }
    async fn attempt(
        &self,
        key: &str,
        candidate: &Candidate,
        on_match: OnMatch,
        now: Millis,
    ) -> Result<Attempt, StoreError> {
        timed("attempt", self.0.attempt(key, candidate, on_match, now)).await
    }
    async fn fail_attempt(&self, key: &str) -> Result<Attempt, StoreError> {
        timed("fail_attempt", self.0.fail_attempt(key)).await
    }
    async fn consume(&self, key: &str) -> Result<bool, StoreError> {
        timed("consume", self.0.consume(key)).await
    }
    async fn count_failure(
        &self,
        phone: &Digest,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        timed("count_failure", self.0.count_failure(phone, window, now)).await
    }
    async fn certified_phone(&self, key: &str) -> Result<Option<CertifiedPhone>, StoreError> {
        timed("certified_phone", self.0.certified_phone(key)).await
    }
    async fn put_secret(&self, key: &str, digest: Digest, ttl: Duration) -> Result<(), StoreError> {
        timed("put_secret", self.0.put_secret(key, digest, ttl)).await
    }
    async fn secret(&self, key: &str) -> Result<Option<Digest>, StoreError> {
        timed("secret", self.0.secret(key)).await
    }
    async fn remove_secret(&self, key: &str) -> Result<(), StoreError> {
        timed("remove_secret", self.0.remove_secret(key)).await
    }
    async fn push_outbox(
        &self,
        message: &OutboxMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        timed("push_outbox", self.0.push_outbox(message, capacity)).await
    }
    async fn outbox(
        &self,
        to: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        timed("outbox", self.0.outbox(to, limit)).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        timed("ping", self.0.ping()).await
    }
}
