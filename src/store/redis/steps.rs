//! The store's steps on Redis: each one script (two on a cluster when a
//! RAO session, on its own slot, is touched too).

use super::scripts::*;
use super::{Call, RedisStore};
use crate::crypto::{hex, unhex};
use crate::store::{
    Attempt, AuthAttempt, AuthStore, Candidate, CertifiedPhone, Challenge, ChallengeStore, Digest,
    Health, Lock, Millis, OnMatch, SendDecision, Sending, StoreError, Throttle,
};
use async_trait::async_trait;
use redis::Value;
use std::time::Duration;

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// The bytes of a phone's digest that name its record (96 bits: unique
/// among any number of phones a bank has), and that a RAO session keeps
/// to point at it.
const PHONE_BYTES: usize = 12;

/// The bytes of a session's digest in a challenge's id: the id only has
/// to be unique among one phone's live challenges.
const ID_BYTES: usize = 8;

/// The bytes of a request's digest a phone's mark keeps: it is only
/// compared with the phone's next request.
const MARK_BYTES: usize = 8;

/// The domain's challenge kinds, as `kind:{P}:S` names them, and the byte
/// that stands for each in an id.
const KINDS: [(&str, u8); 2] = [("rao", 1), ("tm", 2)];

/// `key` split around its hash tag when that tag is `{hex(phone)}`.
/// (Every challenge of a record is the same phone's, so the tag is
/// dropped from its id; `{}` stays in its place, so that a key written
/// without the tag is not taken for one written with it.)
fn around_tag<'k>(key: &'k str, phone: &Digest) -> Option<(&'k str, &'k str)> {
    let open = key.find('{')?;
    let tag = key.as_bytes().get(open + 1..open + 33)?;
    (key.as_bytes().get(open + 33) == Some(&b'}') && unhex(tag).as_ref() == Some(phone))
        .then(|| (&key[..open], &key[open + 34..]))
}

/// A challenge's id within its phone's record. The domain's keys,
/// `rao:{P}:S` and `tm:{P}:S` (P the phone's digest and S the session's,
/// in hex), become a byte for the kind and S's first 8 bytes; any other
/// key (one with a suffix after the session, or any caller's own) is its
/// own text with the phone's tag emptied to `{}`, as long as the record's
/// ids may be (longer ones are hashed).
fn challenge_id(key: &str, phone: &Digest) -> Vec<u8> {
    let tagged = around_tag(key, phone);
    let (kind, rest) = tagged.unwrap_or((key, ""));
    // The kind's name first: reading the session's hex is the dear part.
    let short = KINDS
        .iter()
        .find(|&&(name, _)| kind.strip_suffix(':') == Some(name))
        .and_then(|&(_, byte)| Some((byte, unhex(rest.strip_prefix(':')?.as_bytes())?)));
    if let Some((byte, session)) = short {
        let mut id = Vec::with_capacity(1 + ID_BYTES);
        id.push(byte);
        id.extend_from_slice(&session[..ID_BYTES]);
        return id;
    }
    let mut id = Vec::with_capacity(kind.len() + 2 + rest.len());
    id.extend_from_slice(kind.as_bytes());
    if tagged.is_some() {
        id.extend_from_slice(b"{}");
    }
    id.extend_from_slice(rest.as_bytes());
    if id.len() > 200 {
        id = crate::crypto::sha256(&[&id]).to_vec();
    }
    id
}

/// A RAO session's store name (after the prefix) and the challenge id its
/// key implies: `rao:{S}` is `S` and S's 16 bytes, and implies the id of
/// the challenges `rao:{P}:S` (so its value need not repeat it); any other
/// session key is `T` and its text, and implies none.
fn session_name(session: &str) -> (Vec<u8>, Vec<u8>) {
    let digest = session
        .strip_prefix("rao:{")
        .and_then(|s| s.strip_suffix('}'))
        .and_then(|s| unhex(s.as_bytes()));
    match digest {
        Some(digest) => {
            let mut name = vec![b'S'];
            name.extend_from_slice(&digest);
            let mut implied = vec![KINDS[0].1];
            implied.extend_from_slice(&digest[..ID_BYTES]);
            (name, implied)
        }
        None => {
            let mut name = vec![b'T'];
            name.extend_from_slice(session.as_bytes());
            (name, Vec::new())
        }
    }
}

/// A certified phone as a session keeps it: `v<until>:<cc>:<number>`.
fn certified_value(phone: &CertifiedPhone, until: Millis) -> String {
    format!("v{until}:{}:{}", phone.country_code, phone.number)
}

/// Reads [`certified_value`] back, if it is still valid at `now`. A value
/// of 12 bytes is a live challenge's phone, whatever its first byte.
fn certified_from(value: &[u8], now: Millis) -> Option<CertifiedPhone> {
    if value.len() == PHONE_BYTES {
        return None;
    }
    let text = std::str::from_utf8(value.strip_prefix(b"v")?).ok()?;
    let mut parts = text.splitn(3, ':');
    let until: Millis = parts.next()?.parse().ok()?;
    let (country_code, number) = (parts.next()?, parts.next()?);
    (until > now).then(|| CertifiedPhone {
        country_code: country_code.to_owned(),
        number: number.to_owned(),
    })
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

/// The part of a request's digest a phone's mark keeps ('' for none).
fn mark(request: Option<&Digest>) -> &[u8] {
    request.map_or(&[][..], |r| &r[..MARK_BYTES])
}

impl RedisStore {
    /// A name after the prefix, as a key.
    fn raw_key(&self, name: &[u8]) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.prefix.len() + name.len());
        key.extend_from_slice(self.prefix.as_bytes());
        key.extend_from_slice(name);
        key
    }

    /// The key of a phone's record: `P` and the digest's first 12 bytes.
    fn phone_key(&self, phone: &[u8]) -> Vec<u8> {
        [&self.phones[..], &phone[..PHONE_BYTES]].concat()
    }

    /// A RAO session's key ([`session_name`] after the prefix) and the
    /// challenge id it implies.
    fn session_key(&self, session: &str) -> (Vec<u8>, Vec<u8>) {
        let (name, implied) = session_name(session);
        (self.raw_key(&name), implied)
    }

    /// A call for `request` failed after it may have reached Redis (it
    /// timed out, or its connection dropped): marks the request on its
    /// phone (`UNCERTAIN`), on the same connection, without waiting, so a
    /// retry gets what the step did. Nothing is marked for a call that
    /// carries no request.
    fn answer_lost(&self, phone: Vec<u8>, request: Option<&Digest>, keep: u64) {
        let Some(request) = request else { return };
        let call = Call::new(&UNCERTAIN)
            .key(phone)
            .arg(mark(Some(request)))
            .arg(keep);
        self.spawn(call);
    }

    fn auth_key(&self, client: &Digest) -> String {
        self.key(&format!("auth:{{{}}}", hex(client)))
    }

    /// The cluster's second half of a RAO issue: the session, then the
    /// earlier challenge on its own slot.
    async fn swap_session(
        &self,
        session: &str,
        phone: &Digest,
        id: &[u8],
        keep: u64,
    ) -> Result<(), StoreError> {
        let (key, implied) = self.session_key(session);
        let call = Call::new(&SWAP_SESSION)
            .key(key)
            .arg(&phone[..PHONE_BYTES])
            .arg(id)
            .arg(implied)
            .arg(keep);
        let earlier: Vec<Vec<u8>> = self.run(call).await?;
        if let [phone, id] = &earlier[..] {
            let call = Call::new(&WITHDRAW).key(self.phone_key(phone)).arg(&id[..]);
            self.run::<i64>(call).await?;
        }
        Ok(())
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
        let record = self.phone_key(send.phone);
        let id = challenge_id(key, send.phone);
        let keep = ms(keep_for).max(1);
        let cluster = self.is_cluster();
        let (call, implied) = match send.session.filter(|_| !cluster) {
            Some(session) => {
                let (key, implied) = self.session_key(session);
                (Call::new(&ISSUE).key(record.clone()).key(key), implied)
            }
            None => (Call::new(&ISSUE).key(record.clone()), Vec::new()),
        };
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
            .arg(&id[..])
            .arg(&c.code[..])
            .arg(&c.binding[..MARK_BYTES])
            .arg(c.expires_at)
            .arg(c.attempts_left)
            .arg(keep)
            .arg(mark(send.request))
            .arg(&send.phone[..PHONE_BYTES])
            .arg(implied)
            .arg(&self.phones[..]);
        let reply: Vec<Value> = self
            .run(call)
            .await
            .inspect_err(|_| self.answer_lost(record, send.request, keep))?;
        let decision = decision_from(&reply)?;
        if cluster && decision == SendDecision::Allowed {
            if let Some(session) = send.session {
                self.swap_session(session, send.phone, &id, keep).await?;
            }
        }
        Ok(decision)
    }

    async fn withdraw(&self, phone: &Digest, key: &str) -> Result<(), StoreError> {
        let call = Call::new(&WITHDRAW)
            .key(self.phone_key(phone))
            .arg(challenge_id(key, phone));
        self.run::<i64>(call).await.map(drop)
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
        let record = self.phone_key(phone);
        let call = Call::new(&ATTEMPT).key(record.clone());
        let (mode, certified) = match &on_match {
            OnMatch::Consume => ("consume", None),
            OnMatch::Reserve => ("reserve", None),
            OnMatch::Certify {
                session,
                phone,
                ttl,
            } => {
                let ttl = ms(*ttl).max(1);
                let value = certified_value(phone, now + ttl);
                ("certify", Some((self.session_key(session).0, value, ttl)))
            }
        };
        let cluster = self.is_cluster();
        let call = match certified.as_ref().filter(|_| !cluster) {
            Some((session, _, _)) => call.key(session.clone()),
            None => call,
        };
        let call = call
            .arg(challenge_id(key, phone))
            .arg(&candidate.code[..])
            .arg(&candidate.binding[..MARK_BYTES])
            .arg(if candidate.mismatch_counts { 1 } else { 0 })
            .arg(mode)
            .arg(now)
            .arg(lock.max_failures)
            .arg(ms(lock.window));
        let call = match &certified {
            Some((_, value, ttl)) => call.arg(value.as_str()).arg(*ttl),
            None => call.arg("").arg(0),
        };
        let call = call.arg(mark(candidate.request.as_ref()));
        let reply: Vec<Value> = self.run(call).await.inspect_err(|_| {
            self.answer_lost(record, candidate.request.as_ref(), ms(lock.window))
        })?;
        let attempt = attempt_from(&reply)?;
        if let (Attempt::Matched, Some((session, value, ttl)), true) = (attempt, certified, cluster)
        {
            let set = redis::cmd("SET")
                .arg(session)
                .arg(value)
                .arg("PX")
                .arg(ttl)
                .clone();
            self.command::<()>(set).await?;
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
        let call = Call::new(&SETTLE)
            .key(self.phone_key(phone))
            .arg(challenge_id(key, phone))
            .arg(if verified { 1 } else { 0 });
        let reply: Vec<Value> = self.run(call).await?;
        attempt_from(&reply)
    }

    async fn certified_phone(
        &self,
        session: &str,
        now: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        let name = self.session_key(session).0;
        let value: Option<Vec<u8>> = self.command(redis::cmd("GET").arg(name).clone()).await?;
        Ok(value.and_then(|v| certified_from(&v, now)))
    }
}

#[async_trait]
impl AuthStore for RedisStore {
    async fn reserve_auth(
        &self,
        attempt: &AuthAttempt<'_>,
        now: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        let call = Call::new(&RESERVE_AUTH)
            .key(self.auth_key(attempt.client))
            .arg(now)
            .arg(ms(attempt.window))
            .arg(attempt.per_client)
            .arg(attempt.per_source)
            .arg(format!("s:{}", hex(attempt.source)));
        let wait: i64 = self.run(call).await?;
        Ok((wait >= 0).then(|| Duration::from_millis(wait as u64)))
    }

    async fn forgive(&self, attempt: &AuthAttempt<'_>) -> Result<(), StoreError> {
        let call = Call::new(&FORGIVE)
            .key(self.auth_key(attempt.client))
            .arg(format!("s:{}", hex(attempt.source)));
        self.run::<i64>(call).await.map(drop)
    }
}

#[async_trait]
impl Health for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.command::<String>(redis::cmd("PING")).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domains_keys_pack_short_and_any_other_key_stays_itself() {
        let (phone, session) = ([0x7d; 16], [0xab; 16]);
        let rao = format!("rao:{{{}}}:{}", hex(&phone), hex(&session));
        let id = challenge_id(&rao, &phone);
        assert_eq!(id, [&[1u8][..], &[0xab; 8]].concat());
        let tm = format!("tm:{{{}}}:{}", hex(&phone), hex(&session));
        assert_eq!(challenge_id(&tm, &phone)[0], 2, "another kind, another id");
        let (name, implied) = session_name(&format!("rao:{{{}}}", hex(&session)));
        assert_eq!(name, [&b"S"[..], &session].concat());
        assert_eq!(implied, id, "the session's key implies its challenge's id");
        // A suffix after the session, a tag that is not the phone's, a
        // look-alike in upper case: each its own text.
        let tenant = format!("{rao}~c2");
        assert_eq!(
            challenge_id(&tenant, &phone),
            format!("rao:{{}}:{}~c2", hex(&session)).as_bytes()
        );
        let other = format!("rao:{{{}}}:{}", hex(&[1; 16]), hex(&session));
        assert_eq!(challenge_id(&other, &phone), other.as_bytes());
        let untagged = format!("rao::{}", hex(&session));
        assert_ne!(challenge_id(&untagged, &phone), challenge_id(&rao, &phone));
        assert_ne!(
            challenge_id(&format!("x{{{}}}y", hex(&phone)), &phone),
            challenge_id("xy", &phone),
            "a tag dropped is not a tag never written"
        );
        let upper = rao.to_uppercase();
        assert_ne!(challenge_id(&upper, &phone), id);
        assert_eq!(
            session_name("rao:{S}~g1"),
            (b"Trao:{S}~g1".to_vec(), Vec::new())
        );
    }

    #[test]
    fn a_certified_phone_reads_back_until_it_lapses() {
        let phone = CertifiedPhone {
            country_code: "+52".into(),
            number: "5512345678".into(),
        };
        let value = certified_value(&phone, 2_000);
        assert_eq!(certified_from(value.as_bytes(), 1_999), Some(phone));
        assert_eq!(certified_from(value.as_bytes(), 2_000), None);
        assert_eq!(
            certified_from(&[7; 12], 0),
            None,
            "a live challenge's phone"
        );
        assert_eq!(
            certified_from(b"v9999:1:2345", 0),
            None,
            "12 bytes: a phone"
        );
    }
}
