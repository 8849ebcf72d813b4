//! The store's steps on Redis: each one script (two on a cluster when a
//! RAO session, on its own slot, is touched too).

use super::scripts::*;
use super::{Call, RedisStore};
use crate::crypto::hex;
use crate::store::{
    Attempt, AuthAttempt, AuthStore, Candidate, CertifiedPhone, Challenge, ChallengeStore, Digest,
    Health, Lock, Millis, OnMatch, SendDecision, Sending, StoreError, Throttle,
};
use async_trait::async_trait;
use redis::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// A unique member of a phone's sends set: the time, this process's tag
/// (random, drawn once) and a counter — no random draw per send.
fn send_member(now: Millis) -> String {
    use std::sync::LazyLock;
    static PROCESS: LazyLock<u64> = LazyLock::new(|| {
        let mut tag = [0u8; 8];
        let _ = getrandom::fill(&mut tag);
        u64::from_le_bytes(tag)
    });
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{now}:{:x}:{}",
        *PROCESS,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn text(v: &Value) -> String {
    redis::from_redis_value_ref(v).unwrap_or_default()
}

fn int(v: &Value) -> Option<i64> {
    redis::from_redis_value_ref(v).ok()
}

fn unexpected(reply: &str) -> StoreError {
    StoreError::Unavailable(format!("redis: unexpected script reply {reply:?}"))
}

fn millis_at(reply: &[Value], index: usize) -> Duration {
    Duration::from_millis(reply.get(index).and_then(int).unwrap_or(0).max(0) as u64)
}

/// Reads a script's `{'wrong', left}` and friends.
fn attempt_from(reply: &[Value]) -> Result<Attempt, StoreError> {
    let tag = reply.first().map(text).unwrap_or_default();
    Ok(match tag.as_str() {
        "matched" => Attempt::Matched,
        "notfound" => Attempt::NotFound,
        "other" => Attempt::OtherBinding,
        "expired" => Attempt::Expired,
        "locked" => Attempt::Locked {
            retry_after: millis_at(reply, 1),
        },
        "wrong" => Attempt::Wrong {
            attempts_left: reply.get(1).and_then(int).unwrap_or(0).max(0) as u32,
        },
        other => return Err(unexpected(other)),
    })
}

fn decision_from(reply: &[Value]) -> Result<SendDecision, StoreError> {
    let refused = |reason| SendDecision::Refused {
        reason,
        retry_after: millis_at(reply, 1),
    };
    Ok(match reply.first().map(text).as_deref() {
        Some("ok") => SendDecision::Allowed,
        Some("soon") => refused(Throttle::TooSoon),
        Some("many") => refused(Throttle::TooMany),
        Some("fails") => refused(Throttle::TooManyFailures),
        other => return Err(unexpected(other.unwrap_or_default())),
    })
}

impl RedisStore {
    /// A phone's record and its sends; both under the phone's hash tag.
    fn phone_keys(&self, phone: &Digest) -> (String, String) {
        let tag = hex(phone);
        (
            self.key(&format!("ph:{{{tag}}}")),
            self.key(&format!("ph:{{{tag}}}:s")),
        )
    }

    /// A call for `request` failed after it may have reached Redis (it
    /// timed out, or its connection dropped): marks the request on its
    /// phone (`UNCERTAIN`), on the same connection, without waiting, so a
    /// retry gets what the step did. Nothing is marked for a call that
    /// carries no request.
    fn answer_lost(&self, phone: String, request: Option<&Digest>, keep: u64) {
        let Some(request) = request else { return };
        let mut invocation = UNCERTAIN.prepare_invoke();
        invocation.key(phone).arg(&request[..]).arg(keep);
        self.spawn(invocation);
    }

    fn auth_key(&self, client: &Digest) -> String {
        self.key(&format!("auth:{{{}}}", hex(client)))
    }

    /// The cluster's second half of a RAO issue: the session, then the
    /// earlier challenge on its own slot.
    async fn swap_session(
        &self,
        session: &str,
        challenge: &str,
        keep: u64,
    ) -> Result<(), StoreError> {
        let call = Call::default()
            .key(self.key(session))
            .arg(challenge)
            .arg(keep);
        let earlier: Option<String> = self.run(&SWAP_SESSION, call).await?;
        if let Some(earlier) = earlier {
            self.command::<i64>(redis::cmd("DEL").arg(earlier).clone())
                .await?;
        }
        Ok(())
    }

    async fn certify(
        &self,
        session: &str,
        phone: &CertifiedPhone,
        ttl: u64,
        now: Millis,
    ) -> Result<(), StoreError> {
        let call = Call::default().key(self.key(session));
        let call = call
            .arg(&phone.country_code)
            .arg(&phone.number)
            .arg(now)
            .arg(ttl);
        self.run::<i64>(&CERTIFY, call).await.map(drop)
    }
}

#[async_trait]
impl ChallengeStore for RedisStore {
    async fn issue(
        &self,
        send: Sending<'_>,
        key: &str,
        c: &Challenge,
        keep_for: Duration,
        now: Millis,
    ) -> Result<SendDecision, StoreError> {
        let (record, sends) = self.phone_keys(send.phone);
        let challenge = self.key(key);
        let keep = ms(keep_for).max(1);
        let cluster = self.is_cluster();
        let session = match send.session.filter(|_| !cluster) {
            Some(session) => self.key(session),
            None => challenge.clone(),
        };
        let call = Call::default()
            .key(record.clone())
            .key(sends)
            .key(challenge.clone())
            .key(session);
        let call = match send.limits {
            Some(l) => call
                .arg(now)
                .arg(1)
                .arg(ms(l.window))
                .arg(ms(l.min_interval))
                .arg(l.max_sends)
                .arg(l.lock.max_failures)
                .arg(ms(l.lock.window)),
            None => call.arg(now).arg(0).arg(0).arg(0).arg(0).arg(0).arg(0),
        };
        let call = call
            .arg(send_member(now))
            .arg(&c.code[..])
            .arg(&c.binding[..])
            .arg(c.expires_at)
            .arg(c.attempts_left)
            .arg(keep)
            .arg(send.request.map_or(&[][..], |r| &r[..]));
        let reply: Vec<Value> = self
            .run(&ISSUE, call)
            .await
            .inspect_err(|_| self.answer_lost(record, send.request, keep))?;
        let decision = decision_from(&reply)?;
        if cluster && decision == SendDecision::Allowed {
            if let Some(session) = send.session {
                self.swap_session(session, &challenge, keep).await?;
            }
        }
        Ok(decision)
    }

    async fn withdraw(&self, _phone: &Digest, key: &str) -> Result<(), StoreError> {
        let cmd = redis::cmd("DEL").arg(self.key(key)).clone();
        self.command::<i64>(cmd).await.map(drop)
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
        let (record, _) = self.phone_keys(phone);
        let call = Call::default().key(record.clone()).key(self.key(key));
        let (mode, certified) = match &on_match {
            OnMatch::Consume => ("consume", None),
            OnMatch::Reserve => ("reserve", None),
            OnMatch::Certify {
                session,
                phone,
                ttl,
            } => ("certify", Some((session, phone, ms(*ttl).max(1)))),
        };
        let inline = certified.filter(|_| !self.is_cluster());
        let call = match inline {
            Some((session, _, _)) => call.key(self.key(session)),
            None => call,
        };
        let call = call
            .arg(&candidate.code[..])
            .arg(&candidate.binding[..])
            .arg(if candidate.mismatch_counts { 1 } else { 0 })
            .arg(mode)
            .arg(now)
            .arg(lock.max_failures)
            .arg(ms(lock.window));
        let call = match certified {
            Some((_, p, ttl)) => call.arg(&p.country_code).arg(&p.number).arg(ttl),
            None => call.arg("").arg("").arg(0),
        };
        let call = call.arg(candidate.request.as_ref().map_or(&[][..], |r| &r[..]));
        let reply: Vec<Value> = self.run(&ATTEMPT, call).await.inspect_err(|_| {
            self.answer_lost(record, candidate.request.as_ref(), ms(lock.window))
        })?;
        let attempt = attempt_from(&reply)?;
        if let (Attempt::Matched, Some((session, phone, ttl)), true) =
            (attempt, certified, self.is_cluster())
        {
            self.certify(session, phone, ttl, now).await?;
        }
        Ok(attempt)
    }

    async fn settle(
        &self,
        phone: &Digest,
        key: &str,
        verified: bool,
        _now: Millis,
    ) -> Result<Attempt, StoreError> {
        let (record, _) = self.phone_keys(phone);
        let call = Call::default()
            .key(record)
            .key(self.key(key))
            .arg(if verified { 1 } else { 0 });
        let reply: Vec<Value> = self.run(&SETTLE, call).await?;
        attempt_from(&reply)
    }

    async fn certified_phone(
        &self,
        session: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        let fields = ["cc", "number", "until"];
        let cmd = redis::cmd("HMGET")
            .arg(self.key(session))
            .arg(&fields)
            .clone();
        let fields: Vec<Option<String>> = self.command(cmd).await?;
        Ok(match fields.as_slice() {
            [Some(country_code), Some(number), Some(until)]
                if until.parse::<Millis>().is_ok_and(|until| until > now) =>
            {
                Some(CertifiedPhone {
                    country_code: country_code.clone(),
                    number: number.clone(),
                })
            }
            _ => None,
        })
    }
}

#[async_trait]
impl AuthStore for RedisStore {
    async fn reserve_auth(
        &self,
        attempt: &AuthAttempt<'_>,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        let call = Call::default()
            .key(self.auth_key(attempt.client))
            .arg(now)
            .arg(ms(attempt.window))
            .arg(attempt.per_client)
            .arg(attempt.per_source)
            .arg(format!("s:{}", hex(attempt.source)));
        let wait: i64 = self.run(&RESERVE_AUTH, call).await?;
        Ok((wait >= 0).then(|| Duration::from_millis(wait as u64)))
    }

    async fn forgive(&self, attempt: &AuthAttempt<'_>) -> Result<(), StoreError> {
        let call = Call::default()
            .key(self.auth_key(attempt.client))
            .arg(format!("s:{}", hex(attempt.source)));
        self.run::<i64>(&FORGIVE, call).await.map(drop)
    }
}

#[async_trait]
impl Health for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.command::<String>(redis::cmd("PING")).await.map(drop)
    }
}
