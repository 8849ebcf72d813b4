//! The store conformance suite: the same cases, step by step, against every
//! backend — the memory store and a real Redis (a `redis-server` of the
//! test's own) — so both keep the same promises, not only the HTTP suite.

use crate::processes::{redis_server_or_skip, RedisProcess};
use crate::support::redis_store;
use otp_server::clock::{system_now, Millis};
use otp_server::store::memory::MemoryStore;
use otp_server::store::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

const LIMITS: SendLimits = SendLimits {
    min_interval: Duration::from_secs(30),
    max_sends: 2,
    window: Duration::from_secs(900),
    max_failures: 2,
    failure_window: Duration::from_secs(3600),
};

const KEEP: Duration = Duration::from_secs(60);

fn challenge(expires_at: Millis) -> Challenge {
    Challenge {
        code: [1; 16],
        binding: [2; 16],
        expires_at,
        attempts_left: 2,
        phone: [5; 16],
    }
}

fn candidate(code: u8) -> Candidate {
    Candidate {
        code: [code; 16],
        binding: [2; 16],
        mismatch_counts: false,
    }
}

fn certify(key: &str) -> OnMatch {
    OnMatch::ConsumeAndCertify {
        key: key.into(),
        phone: CertifiedPhone {
            country_code: "+52".into(),
            number: "5512345678".into(),
        },
        ttl: Duration::from_secs(1800),
    }
}

/// Runs `case` on the memory store and on Redis.
async fn on_every_store<F, Fut>(test: &str, case: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    case(Arc::new(MemoryStore::new())).await;
    if redis_server_or_skip(test) {
        let redis = RedisProcess::start(&[]);
        case(redis_store(&redis.url())).await;
    }
}

#[tokio::test]
async fn wrong_attempts_count_down_then_a_match_consumes_and_certifies() {
    on_every_store("store::wrong_attempts", |store| async move {
        let now = system_now();
        store
            .put_challenge("{s1}:otp", challenge(now + 10_000), KEEP, now)
            .await
            .unwrap();
        let wrong = store
            .attempt("{s1}:otp", &candidate(9), certify("{s1}:phone"), now)
            .await
            .unwrap();
        assert_eq!(
            wrong,
            Attempt::Wrong {
                attempts_left: 1,
                phone: [5; 16]
            }
        );
        assert_eq!(
            store.certified_phone("{s1}:phone", now).await.unwrap(),
            None
        );
        let matched = store
            .attempt("{s1}:otp", &candidate(1), certify("{s1}:phone"), now)
            .await
            .unwrap();
        assert_eq!(matched, Attempt::Matched);
        let replay = store
            .attempt("{s1}:otp", &candidate(1), certify("{s1}:phone"), now)
            .await
            .unwrap();
        assert_eq!(replay, Attempt::NotFound, "an OTP works once");
        let phone = store.certified_phone("{s1}:phone", now).await.unwrap();
        assert_eq!(phone.unwrap().number, "5512345678");
        let later = now + 1_800_000;
        assert_eq!(
            store.certified_phone("{s1}:phone", later).await.unwrap(),
            None,
            "the certified phone's lifetime is read from the caller's clock"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_wrong_attempt_burns_the_challenge() {
    on_every_store("store::burns", |store| async move {
        let now = system_now();
        store
            .put_challenge("{s2}:otp", challenge(now + 10_000), KEEP, now)
            .await
            .unwrap();
        for left in [1, 0] {
            let wrong = store
                .attempt("{s2}:otp", &candidate(9), OnMatch::Keep, now)
                .await
                .unwrap();
            assert!(matches!(wrong, Attempt::Wrong { attempts_left, .. } if attempts_left == left));
        }
        let after = store
            .attempt("{s2}:otp", &candidate(1), OnMatch::Keep, now)
            .await
            .unwrap();
        assert_eq!(after, Attempt::NotFound);
    })
    .await;
}

#[tokio::test]
async fn expiry_other_bindings_and_kept_matches() {
    on_every_store("store::expiry", |store| async move {
        let now = system_now();
        store
            .put_challenge("{s3}:otp", challenge(now + 10_000), KEEP, now)
            .await
            .unwrap();
        let other = Candidate {
            binding: [3; 16],
            ..candidate(1)
        };
        let attempt = store.attempt("{s3}:otp", &other, OnMatch::Keep, now);
        assert_eq!(attempt.await.unwrap(), Attempt::OtherBinding);
        let right = candidate(1);
        let kept = store.attempt("{s3}:otp", &right, OnMatch::Keep, now);
        assert_eq!(kept.await.unwrap(), Attempt::Matched);
        let expired = store.attempt("{s3}:otp", &right, OnMatch::Keep, now + 10_000);
        assert_eq!(expired.await.unwrap(), Attempt::Expired);
        let counting = Candidate {
            mismatch_counts: true,
            ..other
        };
        let wrong = store.attempt("{s3}:otp", &counting, OnMatch::Keep, now);
        assert!(matches!(
            wrong.await.unwrap(),
            Attempt::Wrong {
                attempts_left: 1,
                ..
            }
        ));
        let failed = store.fail_attempt("{s3}:otp", now).await.unwrap();
        assert!(matches!(
            failed,
            Attempt::Wrong {
                attempts_left: 0,
                ..
            }
        ));
        assert_eq!(
            store.fail_attempt("{s3}:otp", now).await.unwrap(),
            Attempt::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn consume_is_true_for_exactly_one_of_many_callers() {
    on_every_store("store::consume", |store| async move {
        let now = system_now();
        store
            .put_challenge("{s4}:otp", challenge(now + 10_000), KEEP, now)
            .await
            .unwrap();
        let racers = (0..32).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.consume("{s4}:otp", now).await.unwrap() })
        });
        let won = futures::future::join_all(racers)
            .await
            .into_iter()
            .filter(|r| *r.as_ref().unwrap())
            .count();
        assert_eq!(won, 1);
        store
            .put_challenge("{s4}:otp", challenge(now + 10_000), KEEP, now)
            .await
            .unwrap();
        store.remove_challenge("{s4}:otp").await.unwrap();
        assert!(!store.consume("{s4}:otp", now).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn sends_are_throttled_by_interval_count_and_failures() {
    on_every_store("store::throttles", |store| async move {
        let phone = [7; 16];
        let t0 = system_now();
        let at = |ms: u64| store.permit_send(&phone, &LIMITS, t0 + ms);
        assert_eq!(at(0).await.unwrap(), SendDecision::Allowed);
        assert_eq!(
            at(1_000).await.unwrap(),
            SendDecision::Refused {
                reason: Throttle::TooSoon,
                retry_after: Duration::from_secs(29)
            }
        );
        assert_eq!(at(30_000).await.unwrap(), SendDecision::Allowed);
        let too_many = at(60_000).await.unwrap();
        assert!(matches!(
            too_many,
            SendDecision::Refused {
                reason: Throttle::TooMany,
                ..
            }
        ));
        assert_eq!(at(900_000).await.unwrap(), SendDecision::Allowed);

        let other = [8; 16];
        for _ in 0..2 {
            let failure = store.count_failure(&other, LIMITS.failure_window, t0);
            failure.await.unwrap();
        }
        let locked = store.permit_send(&other, &LIMITS, t0 + 1).await.unwrap();
        assert!(matches!(
            locked,
            SendDecision::Refused {
                reason: Throttle::TooManyFailures,
                ..
            }
        ));
        let hour_later = store.permit_send(&other, &LIMITS, t0 + 3_600_000);
        assert_eq!(hour_later.await.unwrap(), SendDecision::Allowed);
    })
    .await;
}

#[tokio::test]
async fn secrets_live_for_their_time_by_the_callers_clock() {
    on_every_store("store::secrets", |store| async move {
        let now = system_now();
        let ttl = Duration::from_secs(60);
        store
            .put_secret("mfa:{x}", [4; 16], ttl, now)
            .await
            .unwrap();
        assert_eq!(store.secret("mfa:{x}", now).await.unwrap(), Some([4; 16]));
        assert_eq!(store.secret("mfa:{x}", now + 60_000).await.unwrap(), None);
        store.remove_secret("mfa:{x}").await.unwrap();
        assert_eq!(store.secret("mfa:{x}", now).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn the_outbox_is_newest_first_filtered_and_bounded() {
    on_every_store("store::outbox", |store| async move {
        for (to, otp) in [("a", "1"), ("b", "2"), ("a", "3")] {
            let message = OutboxMessage {
                to: to.into(),
                text: format!("code {otp}"),
                otp: otp.into(),
                sent_at: "2026-11-25T12:00:00.000Z".into(),
            };
            store.push_outbox(&message, 2).await.unwrap();
        }
        let otps = |list: Vec<OutboxMessage>| list.into_iter().map(|m| m.otp).collect::<Vec<_>>();
        assert_eq!(otps(store.outbox(None, 10).await.unwrap()), ["3", "2"]);
        assert_eq!(otps(store.outbox(Some("a"), 10).await.unwrap())[0], "3");
        assert_eq!(otps(store.outbox(Some("b"), 1).await.unwrap()), ["2"]);
        store.ping().await.unwrap();
    })
    .await;
}
