//! The store conformance suite: the same cases, step by step, against every
//! backend — the memory store and a real Redis (a `redis-server` of the
//! test's own) — so both keep the same promises, not only the HTTP suite.
//! The limits are checked under a burst of parallel calls, since a limit
//! that holds only one call at a time does not hold.

use crate::processes::{redis_server_or_skip, RedisCluster, RedisProcess};
use crate::support::{memory_backend, redis_backend};
use otp_server::clock::{system_now, Millis};
use otp_server::sandbox::current::Current;
use otp_server::sandbox::state::{OutboxMessage, StoredMessage};
use otp_server::sandbox::store::SandboxStore;
use otp_server::store::*;
use otp_server::Backend;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

const LOCK: Lock = Lock {
    max_failures: 10,
    window: Duration::from_secs(3600),
};

const LIMITS: SendLimits = SendLimits {
    min_interval: Duration::from_secs(30),
    max_sends: 2,
    window: Duration::from_secs(900),
    lock: Lock {
        max_failures: 2,
        window: Duration::from_secs(3600),
    },
};

const KEEP: Duration = Duration::from_secs(600);

fn challenge(expires_at: Millis, attempts: u32) -> Challenge {
    Challenge {
        code: [1; 16],
        binding: [2; 16],
        expires_at,
        attempts_left: attempts,
    }
}

/// A candidate that lives as long as the test (held across `.await`s).
fn candidate(code: u8) -> &'static Candidate {
    Box::leak(Box::new(Candidate {
        code: [code; 16],
        binding: [2; 16],
        mismatch_counts: false,
        request: None,
    }))
}

fn certify(session: &str) -> OnMatch {
    OnMatch::Certify {
        session: session.into(),
        phone: CertifiedPhone {
            country_code: "+52".into(),
            number: "5512345678".into(),
        },
        ttl: Duration::from_secs(1800),
    }
}

fn unthrottled(phone: &Digest) -> Sending<'_> {
    Sending {
        phone,
        limits: None,
        session: None,
        request: None,
    }
}

/// Makes a challenge at `key` for `phone`, never throttled.
async fn make(store: &dyn Store, phone: &Digest, key: &str, attempts: u32, now: Millis) {
    let fresh = challenge(now + 300_000, attempts);
    let made = store.issue(unthrottled(phone), key, &fresh, KEEP, now);
    assert_eq!(made.await.unwrap(), SendDecision::Allowed);
}

/// Runs `case` on the memory store and on Redis.
async fn on_every_store<F, Fut>(test: &str, case: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    on_every_backend(test, |backend| case(backend.store().clone())).await;
}

/// Runs `case` on both backends: the store and the sandbox's shared state.
async fn on_every_backend<F, Fut>(test: &str, case: F)
where
    F: Fn(Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    case(memory_backend()).await;
    if redis_server_or_skip(test) {
        let redis = RedisProcess::start(&[]);
        case(redis_backend(&redis.url())).await;
    }
}

#[tokio::test]
async fn wrong_attempts_count_down_then_a_match_consumes_and_certifies() {
    on_every_store("store::certify", |store| async move {
        let (phone, now) = ([1; 16], system_now());
        make(&*store, &phone, "c:{p1}:s1", 2, now).await;
        let wrong = store.attempt(
            &phone,
            "c:{p1}:s1",
            candidate(9),
            &LOCK,
            certify("s:{s1}"),
            now,
        );
        assert_eq!(wrong.await.unwrap(), Attempt::Wrong { attempts_left: 1 });
        assert_eq!(store.certified_phone("s:{s1}", now).await.unwrap(), None);
        let right = candidate(1);
        let matched = store.attempt(&phone, "c:{p1}:s1", right, &LOCK, certify("s:{s1}"), now);
        assert_eq!(matched.await.unwrap(), Attempt::Matched);
        let replay = store.attempt(&phone, "c:{p1}:s1", right, &LOCK, OnMatch::Consume, now);
        assert_eq!(
            replay.await.unwrap(),
            Attempt::NotFound,
            "an OTP works once"
        );
        let certified = store.certified_phone("s:{s1}", now).await.unwrap();
        assert_eq!(certified.unwrap().number, "5512345678");
        let later = store.certified_phone("s:{s1}", now + 1_800_000);
        assert_eq!(
            later.await.unwrap(),
            None,
            "its lifetime is read from the caller's clock"
        );
    })
    .await;
}

#[tokio::test]
async fn expiry_other_bindings_and_the_last_attempt() {
    on_every_store("store::expiry", |store| async move {
        let (phone, now) = ([2; 16], system_now());
        make(&*store, &phone, "c:{p2}:s", 2, now).await;
        let other = Candidate {
            binding: [3; 16],
            ..candidate(1).clone()
        };
        let attempt = store.attempt(&phone, "c:{p2}:s", &other, &LOCK, OnMatch::Consume, now);
        assert_eq!(attempt.await.unwrap(), Attempt::OtherBinding);
        let late = now + 300_000;
        let expired = store.attempt(
            &phone,
            "c:{p2}:s",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            late,
        );
        assert_eq!(expired.await.unwrap(), Attempt::Expired);
        let counting = Candidate {
            mismatch_counts: true,
            ..other
        };
        for left in [1, 0] {
            let wrong = store.attempt(&phone, "c:{p2}:s", &counting, &LOCK, OnMatch::Consume, now);
            assert_eq!(
                wrong.await.unwrap(),
                Attempt::Wrong {
                    attempts_left: left
                }
            );
        }
        let burnt = store.attempt(
            &phone,
            "c:{p2}:s",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        assert_eq!(burnt.await.unwrap(), Attempt::NotFound);
    })
    .await;
}

#[tokio::test]
async fn parallel_wrong_attempts_compare_a_challenge_at_most_its_attempts() {
    on_every_store("store::parallel_attempts", |store| async move {
        let (phone, now) = ([3; 16], system_now());
        make(&*store, &phone, "c:{p3}:s", 3, now).await;
        let burst = (0..200).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let guess = candidate(100 + (i % 100) as u8);
                store
                    .attempt(&phone, "c:{p3}:s", guess, &LOCK, OnMatch::Consume, now)
                    .await
            })
        });
        let outcomes = futures::future::join_all(burst).await;
        let compared = outcomes
            .iter()
            .filter(|o| matches!(o.as_ref().unwrap().as_ref().unwrap(), Attempt::Wrong { .. }))
            .count();
        assert_eq!(compared, 3, "exactly max_attempts comparisons");
        let right = store.attempt(
            &phone,
            "c:{p3}:s",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        assert_eq!(right.await.unwrap(), Attempt::NotFound, "burnt");
    })
    .await;
}

#[tokio::test]
async fn a_locked_phone_is_locked_for_guesses_and_sends() {
    on_every_store("store::phone_lock", |store| async move {
        let (phone, now) = ([4; 16], system_now());
        for i in 0..10 {
            make(&*store, &phone, &format!("c:{{p4}}:{i}"), 3, now).await;
        }
        let burst = (0..30).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let key = format!("c:{{p4}}:{}", i % 10);
                store
                    .attempt(&phone, &key, candidate(9), &LOCK, OnMatch::Consume, now)
                    .await
            })
        });
        let outcomes = futures::future::join_all(burst).await;
        let compared = outcomes
            .iter()
            .filter(|o| matches!(o.as_ref().unwrap().as_ref().unwrap(), Attempt::Wrong { .. }))
            .count();
        assert_eq!(compared, 10, "exactly max_failures comparisons per phone");
        make(&*store, &phone, "c:{p4}:fresh", 3, now).await;
        let right = store.attempt(
            &phone,
            "c:{p4}:fresh",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        let right = right.await.unwrap();
        assert!(
            matches!(right, Attempt::Locked { .. }),
            "the right OTP is refused too: {right:?}"
        );
        let limits = SendLimits {
            lock: LOCK,
            ..LIMITS
        };
        let send = Sending {
            phone: &phone,
            limits: Some(&limits),
            session: None,
            request: None,
        };
        let fresh = challenge(now + 1, 3);
        let refused = store
            .issue(send, "c:{p4}:x", &fresh, KEEP, now)
            .await
            .unwrap();
        assert!(matches!(
            refused,
            SendDecision::Refused {
                reason: Throttle::TooManyFailures,
                ..
            }
        ));
        let hour_later = now + 3_600_000;
        make(&*store, &phone, "c:{p4}:late", 3, hour_later - 1).await;
        let late = store.attempt(
            &phone,
            "c:{p4}:late",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            hour_later - 1,
        );
        assert!(matches!(late.await.unwrap(), Attempt::Locked { .. }));
        make(&*store, &phone, "c:{p4}:next", 3, hour_later).await;
        let after = store.attempt(
            &phone,
            "c:{p4}:next",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            hour_later,
        );
        assert_eq!(
            after.await.unwrap(),
            Attempt::Matched,
            "the lock ends with its hour"
        );
    })
    .await;
}

#[tokio::test]
async fn reserved_attempts_are_settled_by_the_remote_check() {
    on_every_store("store::reserve", |store| async move {
        let (phone, now) = ([5; 16], system_now());
        make(&*store, &phone, "c:{p5}:s", 3, now).await;
        let reserve = |store: Arc<dyn Store>| async move {
            store
                .attempt(
                    &phone,
                    "c:{p5}:s",
                    candidate(1),
                    &LOCK,
                    OnMatch::Reserve,
                    now,
                )
                .await
                .unwrap()
        };
        assert_eq!(reserve(store.clone()).await, Attempt::Matched);
        let denied = store.settle(&phone, "c:{p5}:s", false, now).await.unwrap();
        assert_eq!(denied, Attempt::Wrong { attempts_left: 2 });
        assert_eq!(reserve(store.clone()).await, Attempt::Matched);
        assert_eq!(
            store.settle(&phone, "c:{p5}:s", true, now).await.unwrap(),
            Attempt::Matched
        );
        assert_eq!(
            store.settle(&phone, "c:{p5}:s", true, now).await.unwrap(),
            Attempt::NotFound
        );
        assert_eq!(reserve(store.clone()).await, Attempt::NotFound, "consumed");
    })
    .await;
}

#[tokio::test]
async fn sends_are_throttled_by_interval_and_count_but_test_phones_never() {
    on_every_store("store::throttles", |store| async move {
        let (phone, t0) = ([6; 16], system_now());
        let send = Sending {
            phone: &phone,
            limits: Some(&LIMITS),
            session: None,
            request: None,
        };
        let at = |ms: u64| {
            let store = store.clone();
            let fresh = challenge(t0 + ms + 1, 3);
            async move {
                store
                    .issue(send, "c:{p6}:s", &fresh, KEEP, t0 + ms)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(at(0).await, SendDecision::Allowed);
        let too_soon = SendDecision::Refused {
            reason: Throttle::TooSoon,
            retry_after: Duration::from_secs(29),
        };
        assert_eq!(at(1_000).await, too_soon);
        assert_eq!(at(30_000).await, SendDecision::Allowed);
        assert!(matches!(
            at(60_000).await,
            SendDecision::Refused {
                reason: Throttle::TooMany,
                ..
            }
        ));
        assert_eq!(at(900_000).await, SendDecision::Allowed);
        for _ in 0..5 {
            make(&*store, &phone, "c:{p6}:t", 3, t0 + 900_001).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_new_rao_challenge_replaces_the_sessions_earlier_one_and_certified_phone() {
    on_every_store("store::sessions", |store| async move {
        let (a, b, now) = ([7; 16], [8; 16], system_now());
        let send = |phone| Sending {
            phone,
            limits: None,
            session: Some("s:{s7}"),
            request: None,
        };
        let fresh = challenge(now + 300_000, 3);
        store
            .issue(send(&a), "c:{p7}:s7", &fresh, KEEP, now)
            .await
            .unwrap();
        let certified = store.attempt(&a, "c:{p7}:s7", candidate(1), &LOCK, certify("s:{s7}"), now);
        assert_eq!(certified.await.unwrap(), Attempt::Matched);
        store
            .issue(send(&a), "c:{p7}:s7", &fresh, KEEP, now)
            .await
            .unwrap();
        assert_eq!(
            store.certified_phone("s:{s7}", now).await.unwrap(),
            None,
            "cleared by a new generate"
        );
        store
            .issue(send(&b), "c:{p8}:s7", &fresh, KEEP, now)
            .await
            .unwrap();
        let old = store.attempt(&a, "c:{p7}:s7", candidate(1), &LOCK, OnMatch::Consume, now);
        assert_eq!(
            old.await.unwrap(),
            Attempt::NotFound,
            "the other phone's OTP stopped working"
        );
        let new = store.attempt(&b, "c:{p8}:s7", candidate(1), &LOCK, OnMatch::Consume, now);
        assert_eq!(new.await.unwrap(), Attempt::Matched);
    })
    .await;
}

/// The keys the domain makes (a RAO challenge `rao:{P}:S`, its session
/// `rao:{S}`), which Redis packs short, on every store and on a Redis
/// Cluster, where the session and the two phones' records sit on their own
/// slots: a session that moves to another phone takes its challenge with
/// it, and leaves the phone's challenge of another session alone.
#[tokio::test]
async fn a_session_that_moves_phones_takes_its_challenge_on_every_layout() {
    let case = |store: Arc<dyn Store>| async move {
        let (a, b, now) = ([0x7d; 16], [0x7b; 16], system_now());
        let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let (s1, s2) = (hex(&[0x11; 16]), hex(&[0x7d; 16]));
        let key = |phone: &Digest, s: &str| format!("rao:{{{}}}:{s}", hex(phone));
        let (a1, a2, b1) = (key(&a, &s1), key(&a, &s2), key(&b, &s1));
        let (first, other) = (format!("rao:{{{s1}}}"), format!("rao:{{{s2}}}"));
        let send = |phone, session| Sending {
            phone,
            limits: None,
            session: Some(session),
            request: None,
        };
        let fresh = challenge(now + 300_000, 3);
        let issue = |phone, key, session| store.issue(send(phone, session), key, &fresh, KEEP, now);
        assert_eq!(issue(&a, &a1, &first).await.unwrap(), SendDecision::Allowed);
        assert_eq!(issue(&a, &a2, &other).await.unwrap(), SendDecision::Allowed);
        let matched = store.attempt(&a, &a1, candidate(1), &LOCK, certify(&first), now);
        assert_eq!(matched.await.unwrap(), Attempt::Matched);
        assert!(store.certified_phone(&first, now).await.unwrap().is_some());
        assert_eq!(issue(&a, &a1, &first).await.unwrap(), SendDecision::Allowed);
        assert_eq!(issue(&b, &b1, &first).await.unwrap(), SendDecision::Allowed);
        assert_eq!(store.certified_phone(&first, now).await.unwrap(), None);
        let moved = store.attempt(&a, &a1, candidate(1), &LOCK, OnMatch::Consume, now);
        assert_eq!(moved.await.unwrap(), Attempt::NotFound, "moved to b");
        let kept = store.attempt(&a, &a2, candidate(1), &LOCK, OnMatch::Consume, now);
        assert_eq!(kept.await.unwrap(), Attempt::Matched, "another session");
        let new = store.attempt(&b, &b1, candidate(1), &LOCK, certify(&first), now);
        assert_eq!(new.await.unwrap(), Attempt::Matched);
        assert!(store.certified_phone(&first, now).await.unwrap().is_some());
    };
    on_every_store("store::moves", case).await;
    if redis_server_or_skip("store::moves (cluster)") {
        let cluster = RedisCluster::start();
        case(redis_backend(&cluster.url()).store().clone()).await;
    }
}

/// On Redis a phone's record holds at most 256 live challenges (each step
/// reads and writes it whole): an unthrottled test phone's 257th
/// challenge makes the one kept the shortest go, and every other still
/// validates.
#[tokio::test]
async fn a_redis_phone_keeps_its_256_newest_challenges() {
    if !redis_server_or_skip("store::bounded_record") {
        return;
    }
    let redis = RedisProcess::start(&[]);
    let store = redis_backend(&redis.url()).store().clone();
    let (phone, now) = ([5; 16], system_now());
    let key = |i: usize| format!("c:{{p9}}:{i}");
    let fresh = challenge(now + 300_000, 3);
    for i in 0..257 {
        let (key, keep) = (key(i), KEEP + Duration::from_millis(i as u64));
        let made = store.issue(unthrottled(&phone), &key, &fresh, keep, now);
        assert_eq!(made.await.unwrap(), SendDecision::Allowed);
    }
    let oldest = key(0);
    let first = store.attempt(&phone, &oldest, candidate(1), &LOCK, OnMatch::Consume, now);
    assert_eq!(first.await.unwrap(), Attempt::NotFound, "kept the shortest");
    for i in [1, 128, 256] {
        let other = key(i);
        let live = store.attempt(&phone, &other, candidate(1), &LOCK, OnMatch::Consume, now);
        assert_eq!(live.await.unwrap(), Attempt::Matched, "challenge {i}");
    }
}

/// Counts `failures` wrong attempts against `phone` through a throwaway
/// challenge at `key`, as the sandbox's `the phone is locked` does.
async fn fail(store: &dyn Store, phone: &Digest, key: &str, failures: u32, now: Millis) {
    make(store, phone, key, failures + 1, now).await;
    for _ in 0..failures {
        let wrong = store.attempt(phone, key, candidate(9), &LOCK, OnMatch::Consume, now);
        assert!(matches!(wrong.await.unwrap(), Attempt::Wrong { .. }));
    }
}

#[tokio::test]
async fn resets_forget_a_phone_or_everything_and_the_clock_moves_forward() {
    on_every_backend("store::resets", |backend| async move {
        let current = Arc::new(Current::new(backend.state().clone()));
        let store: Arc<dyn Store> =
            Arc::new(SandboxStore::new(backend.store().clone(), current.clone()));
        let state = backend.state().clone();
        let (phone, now) = ([9; 16], system_now());
        make(
            &*store,
            &phone,
            "c:{09090909090909090909090909090909}:s",
            3,
            now,
        )
        .await;
        fail(
            &*store,
            &phone,
            "lock:{09090909090909090909090909090909}:x",
            10,
            now,
        )
        .await;
        let locked = store.attempt(
            &phone,
            "c:{09090909090909090909090909090909}:s",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        assert!(matches!(locked.await.unwrap(), Attempt::Locked { .. }));
        let generation = current.view().generation;
        let push = |to, otp, second| {
            let state = state.clone();
            async move {
                let message = message(to, otp, second);
                state.push_message(generation, &message, 10).await.unwrap()
            }
        };
        push("+52559", "1", 0).await;
        push("other", "2", 0).await;
        state
            .reset_phone(generation, &phone, &["+52559".to_owned()])
            .await
            .unwrap();
        current.refresh().await;
        let gone = store.attempt(
            &phone,
            "c:{09090909090909090909090909090909}:s",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        assert_eq!(
            gone.await.unwrap(),
            Attempt::NotFound,
            "its challenges went with it"
        );
        make(
            &*store,
            &phone,
            "c:{09090909090909090909090909090909}:t",
            3,
            now,
        )
        .await;
        let unlocked = store.attempt(
            &phone,
            "c:{09090909090909090909090909090909}:t",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        assert_eq!(unlocked.await.unwrap(), Attempt::Matched);
        let left: Vec<_> = state
            .messages(generation, None, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.message.to)
            .collect();
        assert_eq!(left, ["other"]);

        assert_eq!(state.advance_clock(301_000).await.unwrap(), Some(301_000));
        assert_eq!(state.advance_clock(1_000).await.unwrap(), Some(302_000));
        make(
            &*store,
            &phone,
            "c:{09090909090909090909090909090909}:u",
            3,
            now,
        )
        .await;
        current.learn(state.reset_all().await.unwrap());
        assert_eq!(current.refresh().await.offset, 0);
        let all_gone = store.attempt(
            &phone,
            "c:{09090909090909090909090909090909}:u",
            candidate(1),
            &LOCK,
            OnMatch::Consume,
            now,
        );
        assert_eq!(all_gone.await.unwrap(), Attempt::NotFound);
        let generation = current.view().generation;
        let outbox = state.messages(generation, None, None, 10).await.unwrap();
        assert!(outbox.is_empty());
    })
    .await;
}

/// A token-endpoint attempt of `client` from `source`: 10 failures per
/// source, 15 per client, in a minute.
fn auth<'a>(client: &'a Digest, source: &'a Digest) -> AuthAttempt<'a> {
    AuthAttempt {
        client,
        source,
        per_source: 10,
        per_client: 15,
        window: Duration::from_secs(60),
    }
}

#[tokio::test]
async fn token_failures_are_reserved_before_the_secret_is_compared() {
    on_every_store("store::auth", |store| async move {
        let (client, attacker, real, now) = ([10; 16], [1; 16], [2; 16], system_now());
        let burst = (0..50).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let attempt = auth(&client, &attacker);
                store.reserve_auth(&attempt, now).await.unwrap()
            })
        });
        let allowed = futures::future::join_all(burst)
            .await
            .into_iter()
            .filter(|r| r.as_ref().unwrap().is_none())
            .count();
        assert_eq!(allowed, 10);
        let refused = store
            .reserve_auth(&auth(&client, &attacker), now + 1_000)
            .await
            .unwrap();
        assert_eq!(refused, Some(Duration::from_secs(59)));
        let elsewhere = store
            .reserve_auth(&auth(&client, &real), now)
            .await
            .unwrap();
        assert_eq!(elsewhere, None, "another source is not locked out");
        store.forgive(&auth(&client, &real)).await.unwrap();
        store.forgive(&auth(&client, &attacker)).await.unwrap();
        assert_eq!(
            store
                .reserve_auth(&auth(&client, &attacker), now)
                .await
                .unwrap(),
            None
        );
        let sources: Vec<Digest> = (0..10u8).map(|i| [100 + i; 16]).collect();
        let mut spread = Vec::new();
        for source in &sources {
            spread.push(
                store
                    .reserve_auth(&auth(&client, source), now)
                    .await
                    .unwrap(),
            );
        }
        let allowed = spread.iter().filter(|r| r.is_none()).count();
        assert_eq!(allowed, 5, "15 a client in all, wherever they come from");
        assert_eq!(
            store
                .reserve_auth(&auth(&client, &attacker), now + 60_000)
                .await
                .unwrap(),
            None,
            "a new window forgets every count"
        );
    })
    .await;
}

fn message(to: &str, otp: &str, second: u32) -> StoredMessage {
    let sent_at = format!("2026-11-25T12:00:{second:02}.000Z");
    StoredMessage {
        visible_at: otp_server::clock::parse_rfc3339(&sent_at).unwrap(),
        message: OutboxMessage {
            to: to.into(),
            text: format!("code {otp}"),
            otp: otp.into(),
            sent_at,
            status: "delivered".into(),
            delivered_at: None,
            expires_at: None,
            used_at: None,
            client_id: None,
        },
        phone: None,
        client_epoch: 0,
        seq: 0,
    }
}

#[tokio::test]
async fn the_outbox_is_newest_first_filtered_and_bounded() {
    on_every_backend("store::outbox", |backend| async move {
        let state = backend.state().clone();
        let at = otp_server::clock::parse_rfc3339;
        for (second, (to, otp)) in [("a", "1"), ("b", "2"), ("a", "3")].into_iter().enumerate() {
            let message = message(to, otp, second as u32);
            state.push_message(0, &message, 2).await.unwrap();
        }
        let otps =
            |list: Vec<StoredMessage>| list.into_iter().map(|m| m.message.otp).collect::<Vec<_>>();
        assert_eq!(
            otps(state.messages(0, None, None, 10).await.unwrap()),
            ["3", "2"]
        );
        assert_eq!(
            otps(state.messages(0, Some("a"), None, 10).await.unwrap())[0],
            "3"
        );
        assert_eq!(
            otps(state.messages(0, Some("b"), None, 1).await.unwrap()),
            ["2"]
        );
        let since = at("2026-11-25T12:00:01.000Z");
        assert_eq!(
            otps(state.messages(0, None, since, 10).await.unwrap()),
            ["3"]
        );
        backend.store().ping().await.unwrap();
    })
    .await;
}
