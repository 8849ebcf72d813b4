//! What both flows share: phones turned into identities and store keys the
//! same way, the client's policy turned into limits and an expiry, one
//! store step to permit, count and keep a challenge, the SMS sent after it
//! (and the challenge withdrawn if the SMS fails), and the attempts.

use super::{OtpError, DIGITS};
use crate::clock::{Clock, Millis};
use crate::config::{Client, Policy};
use crate::contract::Api;
use crate::crypto::{random_code, Digest, KeyRing, Keys};
use crate::observe::{Metrics, Rejection};
use crate::phone::PhoneId;
use crate::sms::{Sms, SmsGateway};
use crate::store::{
    Attempt, Candidate, CertifiedPhone, Challenge, ChallengeStore, Lock, OnMatch, SendDecision,
    SendLimits, Sending, Throttle,
};
use std::sync::Arc;
use std::time::Duration;

/// The window of `max_failures_per_phone_hour`.
pub(crate) const FAILURE_WINDOW: Duration = Duration::from_secs(3_600);

/// How a challenge comes to be: by a consumer's request (throttled, live;
/// with its request id, see `store::Sending::request`), or made on purpose
/// by a testing tool (unthrottled, maybe already expired: a Pact provider
/// state, set up by a layer above this one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Making {
    pub unthrottled: bool,
    pub expired: bool,
    pub request: Option<Digest>,
}

impl Making {
    /// A consumer's request, identified by `request`.
    pub(crate) fn requested(request: Option<Digest>) -> Self {
        Self {
            request,
            ..Self::default()
        }
    }
}

/// Phones whose OTP is fixed rather than drawn; their sends are never
/// throttled (attempt limits still apply). Only the sandbox has any (its
/// test phones): production refuses them at startup.
pub(crate) trait FixedOtps: Send + Sync {
    /// The fixed OTP of `phone` for `api`, if it has one.
    fn fixed(&self, api: Api, phone: &PhoneId) -> Option<&str>;
}

/// A challenge to make: where it lives, what it holds, under whose policy.
pub(crate) struct NewChallenge<'a> {
    pub phone: &'a Digest,
    pub key: &'a str,
    /// The RAO session whose earlier challenge and certified phone it replaces.
    pub session: Option<&'a str>,
    pub code: Digest,
    pub binding: Digest,
    pub policy: &'a Policy,
    /// Never throttled (a fixed-OTP phone, or made on purpose).
    pub unthrottled: bool,
    pub expired: bool,
    /// The request it answers.
    pub request: Option<Digest>,
}

/// The shared part of both flows.
pub(crate) struct Issuer {
    store: Arc<dyn ChallengeStore>,
    sms: Arc<dyn SmsGateway>,
    keys: KeyRing,
    clock: Arc<dyn Clock>,
    metrics: Metrics,
    fixed: Option<Arc<dyn FixedOtps>>,
}

impl Issuer {
    pub(crate) fn new(
        store: Arc<dyn ChallengeStore>,
        sms: Arc<dyn SmsGateway>,
        keys: KeyRing,
        clock: Arc<dyn Clock>,
        metrics: Metrics,
        fixed: Option<Arc<dyn FixedOtps>>,
    ) -> Self {
        Self {
            store,
            sms,
            keys,
            clock,
            metrics,
            fixed,
        }
    }

    pub(crate) fn now(&self) -> Millis {
        self.clock.now()
    }

    /// The keyed hash of `parts` for `domain` (see `crypto::Keys`), under
    /// the current key.
    pub(crate) fn digest(&self, domain: &str, parts: &[&[u8]]) -> Digest {
        self.keys.current().digest(domain, parts)
    }

    /// The keyed hash under which a phone's counters are kept: one per
    /// handset, whichever API or form the number came in (during a key
    /// rotation, under the oldest key: `crypto::KeyRing::phones`).
    pub(crate) fn phone_digest(&self, phone: &PhoneId) -> Digest {
        self.keys
            .phones()
            .digest("phone", &[phone.as_e164().as_bytes()])
    }

    /// The keyed hash of a client's session `sid` of one kind
    /// (`rao-session`, `tm-session`) under `key`, one of the rotation's
    /// ([`Self::keys`]): another client's `sid` is another session.
    pub(crate) fn session_digest_under(
        &self,
        key: &Keys,
        kind: &str,
        client: &Client,
        sid: &[u8],
    ) -> Digest {
        key.digest(kind, &[client.id.as_bytes(), sid])
    }

    /// The current OTP key and, during a rotation, the previous ones.
    pub(crate) fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The fixed OTP of `phone` for `api`, if it is one of those phones.
    pub(crate) fn fixed_otp(&self, api: Api, phone: &PhoneId) -> Option<&str> {
        self.fixed.as_deref()?.fixed(api, phone)
    }

    /// A RAO OTP of the policy's length.
    pub(crate) fn digits(policy: &Policy) -> Result<String, OtpError> {
        Ok(random_code(DIGITS, policy.rao_otp_length)?)
    }

    /// Permits the send, counts it and keeps the challenge (one store
    /// step), then hands `sms` to the gateway; if the gateway fails, the
    /// challenge is withdrawn.
    pub(crate) async fn issue(&self, new: NewChallenge<'_>, sms: &Sms) -> Result<(), OtpError> {
        let now = self.now();
        let policy = new.policy;
        let challenge = Challenge {
            code: new.code,
            binding: new.binding,
            expires_at: match new.expired {
                true => now.saturating_sub(1),
                false => now + policy.otp_lifetime().as_millis() as u64,
            },
            attempts_left: policy.max_attempts,
        };
        let limits = limits(policy);
        let send = Sending {
            phone: new.phone,
            limits: (!new.unthrottled).then_some(&limits),
            session: new.session,
            request: new.request.as_ref(),
        };
        let decision = self
            .store
            .issue(send, new.key, &challenge, keep_for(policy), now);
        refused(decision.await?)?;
        if let Err(e) = self.sms.send(sms).await {
            self.store.withdraw(new.phone, new.key).await?;
            return Err(e.into());
        }
        Ok(())
    }

    /// One attempt at the challenge `key` of `phone`, under the policy's
    /// phone lock.
    pub(crate) async fn attempt(
        &self,
        phone: &Digest,
        key: &str,
        candidate: &Candidate,
        policy: &Policy,
        on_match: OnMatch,
    ) -> Result<Attempt, OtpError> {
        let lock = lock(policy);
        let attempt = self
            .store
            .attempt(phone, key, candidate, &lock, on_match, self.now());
        Ok(attempt.await?)
    }

    /// Ends an attempt reserved for a remote MFA engine's check.
    pub(crate) async fn settle(
        &self,
        phone: &Digest,
        key: &str,
        verified: bool,
    ) -> Result<Attempt, OtpError> {
        let settled = self.store.settle(phone, key, verified, self.now());
        Ok(settled.await?)
    }

    /// The certified phone of a RAO session, if still live.
    pub(crate) async fn certified_phone(
        &self,
        session: &str,
    ) -> Result<Option<CertifiedPhone>, OtpError> {
        let phone = self.store.certified_phone(session, self.now());
        Ok(phone.await?)
    }

    /// Counts what a generate of `api` came to.
    pub(crate) fn count_sent<T>(&self, api: Api, result: &Result<T, OtpError>) {
        let api = api.label();
        match result {
            Ok(_) => self.metrics.generated(api),
            Err(OtpError::Throttled { reason, .. }) => {
                let reason = match reason {
                    Throttle::TooSoon => "too_soon",
                    Throttle::TooMany => "too_many",
                    Throttle::TooManyFailures => "too_many_failures",
                };
                self.metrics.throttled(api, reason);
            }
            Err(OtpError::Sms(_)) => self.metrics.sms_failed(),
            Err(_) => {}
        }
    }

    /// Counts what a validate of `api` came to.
    pub(crate) fn count_checked<T>(&self, api: Api, result: &Result<T, OtpError>) {
        let why = match result {
            Ok(_) => return self.metrics.validated(api.label()),
            Err(OtpError::Invalid { attempts_left: 0 }) => Rejection::Burnt,
            Err(OtpError::Invalid { .. }) => Rejection::Invalid,
            Err(OtpError::Expired) => Rejection::Expired,
            Err(OtpError::NotFound) => Rejection::NotFound,
            Err(OtpError::Locked { .. }) => Rejection::Locked,
            Err(_) => return,
        };
        self.metrics.rejected(api.label(), why);
    }
}

/// The send limits of `policy`.
fn limits(policy: &Policy) -> SendLimits {
    SendLimits {
        min_interval: Duration::from_secs(policy.min_send_interval_secs),
        max_sends: policy.max_sends_per_window,
        window: Duration::from_secs(policy.send_window_secs),
        lock: lock(policy),
    }
}

/// The phone lock of `policy`.
pub(crate) fn lock(policy: &Policy) -> Lock {
    Lock {
        max_failures: policy.max_failures_per_phone_hour,
        window: FAILURE_WINDOW,
    }
}

/// How long a challenge is kept past its expiry, so that a late attempt is
/// told "expired" rather than "not found": one more lifetime.
pub(crate) fn keep_for(policy: &Policy) -> Duration {
    policy.otp_lifetime() * 2
}

/// A refused send, as the flows answer it.
fn refused(decision: SendDecision) -> Result<(), OtpError> {
    match decision {
        SendDecision::Allowed => Ok(()),
        SendDecision::Refused {
            reason,
            retry_after,
        } => Err(OtpError::Throttled {
            reason,
            retry_after,
        }),
    }
}

/// An attempt's outcome, as the flows answer it.
pub(crate) fn checked(attempt: Attempt) -> Result<(), OtpError> {
    match attempt {
        Attempt::Matched => Ok(()),
        Attempt::NotFound | Attempt::OtherBinding => Err(OtpError::NotFound),
        Attempt::Expired => Err(OtpError::Expired),
        Attempt::Locked { retry_after } => Err(OtpError::Locked { retry_after }),
        Attempt::Wrong { attempts_left } => Err(OtpError::Invalid { attempts_left }),
    }
}
