//! The RAO flow: consumer-owned `sid`, numeric OTP bound to the phone, and
//! the certified phone a successful validation leaves behind.
//!
//! Keys: the challenge `rao:{P}:S` lives under its phone's hash tag `P`
//! (beside the phone's counters: lock, attempt and comparison are one
//! step); the session `rao:{S}` (its current challenge and certified
//! phone) under the session's `S`.

use super::{again_if_stale, checked, keep_for, refused, Making, OtpEngine, OtpError, DIGITS};
use crate::config::Client;
use crate::crypto::{hex, random_code, Digest};
use crate::phone::Phone;
use crate::sms::Sms;
use crate::store::{Candidate, CertifiedPhone, Challenge, OnMatch, Sending};

/// The metrics' name of this API.
const API: &str = "rao";

/// Store keys of one RAO session and phone.
struct Keys {
    phone: Digest,
    challenge: String,
    session: String,
}

impl OtpEngine {
    fn rao_keys(&self, client: &Client, sid: &str, phone: &Phone) -> Keys {
        let session = hex(&self.keys.digest("rao-session", &client.id, sid));
        let digest = self.phone_digest(&phone.id);
        Keys {
            challenge: format!("rao:{{{}}}:{session}", hex(&digest)),
            phone: digest,
            session: format!("rao:{{{session}}}"),
        }
    }

    /// The store key of a RAO session.
    pub fn rao_session(&self, client: &Client, sid: &str) -> String {
        let session = hex(&self.keys.digest("rao-session", &client.id, sid));
        format!("rao:{{{session}}}")
    }

    /// Creates the session's OTP (replacing any earlier one, for any phone,
    /// and clearing the session's certified phone) and sends it.
    pub async fn rao_generate(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
    ) -> Result<(), OtpError> {
        let result = self.rao_make(client, sid, phone, Making::default()).await;
        self.count_sent(API, &result);
        result.map(drop)
    }

    /// Makes (and sends) a challenge as `making` says; its OTP.
    pub async fn rao_make(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        making: Making,
    ) -> Result<String, OtpError> {
        again_if_stale!(self.rao_make_once(client, sid, phone, making).await)
    }

    async fn rao_make_once(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        making: Making,
    ) -> Result<String, OtpError> {
        let policy = &client.policy;
        let now = self.clock.now();
        let keys = self.rao_keys(client, sid, phone);
        let test_otp = self.test_phones.rao(&phone.id);
        let otp = match test_otp {
            Some(otp) => otp.to_owned(),
            None => random_code(DIGITS, policy.rao_otp_length)?,
        };
        let challenge = Challenge {
            code: self.keys.digest("otp", &keys.challenge, &otp),
            binding: self
                .keys
                .digest("binding", &keys.challenge, &phone.id.to_string()),
            expires_at: Self::expiry(policy, now, making),
            attempts_left: policy.max_attempts,
        };
        let limits = Self::limits(policy);
        let unthrottled = test_otp.is_some() || making.unthrottled;
        let minutes = policy.otp_lifetime_secs.div_ceil(60);
        let text = format!(
            "Your account opening code is {otp}. It expires in {minutes} min. Never share it."
        );
        let sms = Sms {
            to: phone.full(),
            text,
            otp,
        };
        let message = self.outbox_message(&sms, now);
        let send = Sending {
            phone: &keys.phone,
            limits: (!unthrottled).then_some(&limits),
            session: Some(&keys.session),
            outbox: message.as_ref().map(|(m, capacity)| (m, *capacity)),
        };
        let keep = keep_for(policy);
        let decision = self
            .challenges
            .issue(send, &keys.challenge, &challenge, keep, now);
        refused(decision.await?)?;
        if message.is_none() {
            if let Err(e) = self.sms.send(&sms).await {
                self.challenges
                    .withdraw(&keys.phone, &keys.challenge)
                    .await?;
                return Err(e.into());
            }
        }
        Ok(sms.otp)
    }

    /// Checks `otp` for the session and phone; on success the phone becomes
    /// the session's certified phone and the OTP is used up.
    pub async fn rao_validate(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        otp: &str,
    ) -> Result<(), OtpError> {
        let result = again_if_stale!(self.rao_check(client, sid, phone, otp).await);
        self.count_checked(API, &result);
        result
    }

    async fn rao_check(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        otp: &str,
    ) -> Result<(), OtpError> {
        let now = self.clock.now();
        let keys = self.rao_keys(client, sid, phone);
        let candidate = Candidate {
            code: self.keys.digest("otp", &keys.challenge, otp),
            binding: self
                .keys
                .digest("binding", &keys.challenge, &phone.id.to_string()),
            mismatch_counts: false,
        };
        let certify = OnMatch::Certify {
            session: keys.session,
            phone: CertifiedPhone {
                country_code: phone.country_code.clone(),
                number: phone.number.clone(),
            },
            ttl: client.policy.certified_phone_lifetime(),
        };
        let lock = Self::lock(&client.policy);
        let attempt = self.challenges.attempt(
            &keys.phone,
            &keys.challenge,
            &candidate,
            &lock,
            certify,
            now,
        );
        checked(attempt.await?)
    }

    /// The session's certified phone.
    pub async fn rao_certified_phone(
        &self,
        client: &Client,
        sid: &str,
    ) -> Result<CertifiedPhone, OtpError> {
        let session = self.rao_session(client, sid);
        let phone = again_if_stale!(self
            .challenges
            .certified_phone(&session, self.clock.now())
            .await
            .map_err(OtpError::from));
        phone?.ok_or(OtpError::NotFound)
    }
}
