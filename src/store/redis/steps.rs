//! The store's steps on Redis: each one script (two on a cluster when a
//! RAO session, on its own slot, is touched too).

use super::scripts::*;
use super::{error, Call, RedisStore};
use crate::clock::parse_rfc3339;
use crate::crypto::hex;
use crate::store::{
    Attempt, AuthStore, Candidate, CertifiedPhone, Challenge, ChallengeStore, Digest, Health, Lock,
    Millis, OnMatch, OutboxMessage, OutboxStore, SandboxStore, SendDecision, Sending, StoreError,
    Throttle,
};
use async_trait::async_trait;
use redis::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Messages kept per recipient in the sandbox outbox.
const OUTBOX_PER_RECIPIENT: usize = 100;

/// How long the sandbox outbox outlives its last message.
const OUTBOX_KEEP: Duration = Duration::from_secs(24 * 3600);

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
        let call = self.call().key(self.key(session)).arg(challenge).arg(keep);
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
        let call = self.call().key(self.key(session));
        let call = call
            .arg(&phone.country_code)
            .arg(&phone.number)
            .arg(now)
            .arg(ttl);
        self.run::<i64>(&CERTIFY, call).await.map(drop)
    }

    /// The outbox's lists a message goes to: all, and its recipient's.
    fn outbox_push(
        &self,
        call: Call,
        message: &OutboxMessage,
        capacity: usize,
    ) -> Result<Call, StoreError> {
        let json = serde_json::to_string(message).map_err(error)?;
        Ok(call
            .key(self.outbox_all_key())
            .key(self.outbox_key(&message.to))
            .arg(json)
            .arg(capacity.max(1))
            .arg(capacity.clamp(1, OUTBOX_PER_RECIPIENT))
            .arg(ms(OUTBOX_KEEP)))
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
        let call = self.call();
        let (record, sends) = self.phone_keys(send.phone);
        let challenge = self.key(key);
        let keep = ms(keep_for).max(1);
        let cluster = self.is_cluster();
        let session = match send.session.filter(|_| !cluster) {
            Some(session) => self.key(session),
            None => challenge.clone(),
        };
        let call = call
            .key(record)
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
            .arg(keep);
        let call = match send.outbox.filter(|_| !cluster) {
            Some((message, capacity)) => self.outbox_push(call, message, capacity)?,
            None => call,
        };
        let reply: Vec<Value> = self.run(&ISSUE, call).await?;
        let decision = decision_from(&reply)?;
        if cluster && decision == SendDecision::Allowed {
            if let Some(session) = send.session {
                self.swap_session(session, &challenge, keep).await?;
            }
            if let Some((message, capacity)) = send.outbox {
                self.push_outbox(message, capacity).await?;
            }
        }
        Ok(decision)
    }

    async fn withdraw(&self, _phone: &Digest, key: &str) -> Result<(), StoreError> {
        self.del(key).await.map(drop)
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
        let call = self.call();
        let (record, _) = self.phone_keys(phone);
        let call = call.key(record).key(self.key(key));
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
        let reply: Vec<Value> = self.run(&ATTEMPT, call).await?;
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
        let call = self.call();
        let (record, _) = self.phone_keys(phone);
        let call = call
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
        let expected = self.call().expected;
        let fields = ["cc", "number", "until"];
        let cmd = redis::cmd("HMGET")
            .arg(self.key(session))
            .arg(&fields)
            .clone();
        let fields: Vec<Option<String>> = self.read(expected, cmd).await?;
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
        client: &Digest,
        max: u32,
        window: Duration,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        let call = self.call();
        let call = call
            .key(self.auth_key(client))
            .arg(now)
            .arg(max)
            .arg(ms(window));
        let wait: i64 = self.run(&RESERVE_AUTH, call).await?;
        Ok((wait >= 0).then(|| Duration::from_millis(wait as u64)))
    }

    async fn forgive(&self, client: &Digest) -> Result<(), StoreError> {
        let call = self.call();
        self.run::<i64>(&FORGIVE, call.key(self.auth_key(client)))
            .await
            .map(drop)
    }
}

#[async_trait]
impl OutboxStore for RedisStore {
    /// Two capped lists, written by one script: every message (for `to`-less
    /// reads) and one per recipient, so that reading one recipient's SMS
    /// costs `limit` entries, not the whole outbox. Both share the
    /// `{sandbox}` hash tag (one cluster slot; the outbox is sandbox-only).
    async fn push_outbox(
        &self,
        message: &OutboxMessage,
        capacity: usize,
    ) -> Result<(), StoreError> {
        let call = self.call();
        let call = self.outbox_push(call, message, capacity)?;
        self.run::<i64>(&PUSH_OUTBOX, call).await.map(drop)
    }

    /// The lists are newest first, so the messages after `since` are the
    /// first ones: reading `limit` and filtering is enough.
    async fn outbox(
        &self,
        to: Option<&str>,
        since: Option<Millis>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let expected = self.call().expected;
        let key = to.map_or_else(|| self.outbox_all_key(), |to| self.outbox_key(to));
        let last = limit.max(1) as isize - 1;
        let cmd = redis::cmd("LRANGE").arg(key).arg(0).arg(last).clone();
        let messages: Vec<String> = self.read(expected, cmd).await?;
        let after = |m: &OutboxMessage| {
            since.is_none_or(|since| parse_rfc3339(&m.sent_at).is_some_and(|at| at > since))
        };
        Ok(messages
            .iter()
            .filter_map(|json| serde_json::from_str::<OutboxMessage>(json).ok())
            .filter(after)
            .collect())
    }
}

#[async_trait]
impl SandboxStore for RedisStore {
    /// Also learns the current generation (the app reads it once per
    /// request where the scripts cannot check it: on a cluster).
    async fn clock_offset(&self) -> Result<Millis, StoreError> {
        let cmd = redis::cmd("HMGET")
            .arg(self.sandbox_key())
            .arg("offset")
            .arg("gen")
            .clone();
        let fields: Vec<Option<u64>> = self.command(cmd).await?;
        let (offset, generation) = (
            fields.first().copied().flatten(),
            fields.get(1).copied().flatten(),
        );
        self.learn(&format!(
            "{}:{}",
            offset.unwrap_or(0),
            generation.unwrap_or(0)
        ));
        Ok(offset.unwrap_or(0))
    }

    fn follow_sandbox(&self) -> bool {
        let can = !self.is_cluster();
        self.checking.store(can, Ordering::Relaxed);
        can
    }

    async fn advance_clock(&self, by: Duration) -> Result<Millis, StoreError> {
        let cmd = redis::cmd("HINCRBY")
            .arg(self.sandbox_key())
            .arg("offset")
            .arg(ms(by))
            .clone();
        let offset: Millis = self.command(cmd).await?;
        let generation = self.generation.load(Ordering::SeqCst);
        self.learn(&format!("{offset}:{generation}"));
        Ok(offset)
    }

    async fn reset_all(&self) -> Result<(), StoreError> {
        let generation: u64 = self.script(RESET_ALL.key(self.sandbox_key())).await?;
        self.learn(&format!("0:{generation}"));
        Ok(())
    }

    async fn reset_phone(&self, phone: &Digest, recipients: &[String]) -> Result<(), StoreError> {
        let call = self.call();
        let (record, sends) = self.phone_keys(phone);
        self.run::<i64>(&RESET_PHONE, call.key(record).key(sends))
            .await?;
        let mut call = self.call().key(self.outbox_all_key());
        for to in recipients {
            call = call.key(self.outbox_key(to)).arg(to);
        }
        self.run::<i64>(&FORGET_RECIPIENTS, call).await.map(drop)
    }

    async fn forget_session(&self, session: &str) -> Result<(), StoreError> {
        self.del(session).await.map(drop)
    }

    async fn lock_phone(
        &self,
        phone: &Digest,
        failures: u32,
        window: Duration,
        now: Millis,
    ) -> Result<(), StoreError> {
        let call = self.call();
        let (record, _) = self.phone_keys(phone);
        let call = call.key(record).arg(failures).arg(now).arg(ms(window));
        self.run::<i64>(&LOCK_PHONE, call).await.map(drop)
    }

    fn offset_cell(&self) -> Arc<AtomicU64> {
        self.offset.clone()
    }
}

#[async_trait]
impl Health for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.command::<String>(redis::cmd("PING")).await.map(drop)
    }
}
