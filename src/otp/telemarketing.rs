//! The telemarketing flow: server-issued `sid`, an 11-character OTP of
//! which the first 3 are returned to the caller and the last 8 belong to
//! the MFA engine; the SMS carries all 11.
//!
//! The `sid` starts with the phone's hash tag (the keyed hash of its
//! identity: it reveals nothing), so the session `tm:{P}:T` lives beside
//! the phone's counters and a validate is one store step.

use super::{
    again_if_stale, checked, keep_for, refused, Making, OtpEngine, OtpError, ALPHANUMERIC,
};
use crate::config::Client;
use crate::crypto::{hex, push_hex, Digest, Draw, RandomError};
use crate::mfa::{MfaCheck, MFA_CODE_LENGTH};
use crate::phone::PhoneId;
use crate::sms::Sms;
use crate::store::{Attempt, Candidate, Challenge, OnMatch, Sending};

/// The metrics' name of this API.
const API: &str = "telemarketing";

/// Characters of the OTP kept in the session and returned by generate.
pub const PREFIX_LENGTH: usize = 3;
/// Longest SMS: `messagePrefix`, the OTP and `messageSuffix`, space-separated.
pub const SMS_MAX_CHARS: usize = 140;

/// A generate request, as validated by the contract gate.
pub struct TelemarketingRequest<'a> {
    pub customer_id: &'a str,
    pub phone_number: &'a str,
    /// The request's `countryCode` header (ISO 3166): the phone's country.
    pub country: &'a str,
    pub message_prefix: &'a str,
    pub message_suffix: Option<&'a str>,
}

/// What generate answers: the first 3 characters and the new session.
pub struct TelemarketingOtp {
    pub prefix: String,
    pub sid: String,
}

fn sms_text(req: &TelemarketingRequest<'_>, otp: &str) -> String {
    match req.message_suffix {
        Some(suffix) => format!("{} {otp} {suffix}", req.message_prefix),
        None => format!("{} {otp}", req.message_prefix),
    }
}

/// The phone's hash tag a `sid` starts with.
fn phone_of(sid: &str) -> Option<Digest> {
    let tag = sid.get(..32)?;
    let mut digest = Digest::default();
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(tag.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(digest)
}

impl OtpEngine {
    /// The store key of a session: bound to the client, so another client's
    /// `sid` is simply unknown; under the phone's hash tag.
    fn telemarketing_key(&self, client: &Client, phone: &Digest, sid: &str) -> String {
        let session = hex(&self.keys.digest("tm-session", &client.id, sid));
        format!("tm:{{{}}}:{session}", hex(phone))
    }

    /// Creates a session and its OTP, and sends all 11 characters.
    pub async fn telemarketing_generate(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
    ) -> Result<TelemarketingOtp, OtpError> {
        let result = self
            .telemarketing_make(client, req, Making::default())
            .await;
        self.count_sent(API, &result);
        result.map(|(otp, _)| otp)
    }

    /// Makes (and sends) a session as `making` says; it and its whole OTP.
    pub async fn telemarketing_make(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
        making: Making,
    ) -> Result<(TelemarketingOtp, String), OtpError> {
        again_if_stale!(self.telemarketing_make_once(client, req, making).await)
    }

    async fn telemarketing_make_once(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
        making: Making,
    ) -> Result<(TelemarketingOtp, String), OtpError> {
        let chars = sms_text(req, &"0".repeat(PREFIX_LENGTH + MFA_CODE_LENGTH))
            .chars()
            .count();
        if chars > super::SMS_MAX_CHARS {
            return Err(OtpError::MessageTooLong { chars });
        }
        let policy = &client.policy;
        let now = self.clock.now();
        let id = PhoneId::telemarketing(req.country, req.phone_number)?;
        let phone = self.phone_digest(&id);
        let mut random = Draw::new()?;
        let sid = new_sid(&phone, &mut random)?;
        let key = self.telemarketing_key(client, &phone, &sid);
        let test_otp = self.test_phones.telemarketing(req.country, &id);
        let otp = match test_otp {
            Some(otp) => otp.to_owned(),
            None => {
                let prefix = random.code(ALPHANUMERIC, PREFIX_LENGTH)?;
                let lifetime = keep_for(policy);
                prefix + &self.mfa.issue(&sid, lifetime, &mut random).await?
            }
        };
        let compared = self.compared_part(&otp, test_otp.is_some());
        let challenge = Challenge {
            code: self.keys.digest("otp", &key, compared),
            binding: self.keys.digest("customer", &key, req.customer_id),
            expires_at: Self::expiry(policy, now, making),
            attempts_left: policy.max_attempts,
        };
        let limits = Self::limits(policy);
        let unthrottled = test_otp.is_some() || making.unthrottled;
        let sms = Sms {
            to: req.phone_number.to_owned(),
            text: sms_text(req, &otp),
            otp,
        };
        let message = self.outbox_message(&sms, now);
        let send = Sending {
            phone: &phone,
            limits: (!unthrottled).then_some(&limits),
            session: None,
            outbox: message.as_ref().map(|(m, capacity)| (m, *capacity)),
        };
        let keep = keep_for(policy);
        let issued = self
            .challenges
            .issue(send, &key, &challenge, keep, now)
            .await;
        if let Err(e) = issued.map_err(OtpError::from).and_then(refused) {
            self.revoke_quietly(&sid).await;
            return Err(e);
        }
        if message.is_none() {
            if let Err(e) = self.sms.send(&sms).await {
                self.challenges.withdraw(&phone, &key).await?;
                self.revoke_quietly(&sid).await;
                return Err(e.into());
            }
        }
        let prefix = sms.otp[..PREFIX_LENGTH].to_owned();
        Ok((TelemarketingOtp { prefix, sid }, sms.otp))
    }

    /// What the store compares: all 11 characters, unless a remote MFA
    /// engine checks its 8 itself (a test phone's OTP is always all ours).
    fn compared_part<'o>(&self, otp: &'o str, test_phone: bool) -> &'o str {
        match self.mfa.check() {
            MfaCheck::Remote if !test_phone => &otp[..PREFIX_LENGTH.min(otp.len())],
            _ => otp,
        }
    }

    /// Checks all 11 characters (case-insensitive) for the session and customer.
    pub async fn telemarketing_validate(
        &self,
        client: &Client,
        sid: &str,
        customer_id: &str,
        otp: &str,
    ) -> Result<(), OtpError> {
        let result = again_if_stale!(
            self.telemarketing_check(client, sid, customer_id, otp)
                .await
        );
        self.count_checked(API, &result);
        result
    }

    async fn telemarketing_check(
        &self,
        client: &Client,
        sid: &str,
        customer_id: &str,
        otp: &str,
    ) -> Result<(), OtpError> {
        let now = self.clock.now();
        let phone = phone_of(sid).ok_or(OtpError::NotFound)?;
        let key = self.telemarketing_key(client, &phone, sid);
        let otp = otp.to_ascii_uppercase();
        let remote = self.mfa.check() == MfaCheck::Remote;
        let compared = self.compared_part(&otp, false);
        let candidate = Candidate {
            code: self.keys.digest("otp", &key, compared),
            binding: self.keys.digest("customer", &key, customer_id),
            mismatch_counts: true,
        };
        let on_match = if remote {
            OnMatch::Reserve
        } else {
            OnMatch::Consume
        };
        let lock = Self::lock(&client.policy);
        let attempt = self
            .challenges
            .attempt(&phone, &key, &candidate, &lock, on_match, now);
        let attempt = attempt.await?;
        if !remote || attempt != Attempt::Matched {
            return checked(attempt);
        }
        let suffix = otp.get(PREFIX_LENGTH..).unwrap_or_default();
        let verified = self.mfa.verify(sid, suffix).await;
        let settled =
            self.challenges
                .settle(&phone, &key, *verified.as_ref().unwrap_or(&false), now);
        let settled = settled.await?;
        verified?;
        if settled == Attempt::Matched {
            self.revoke_quietly(sid).await;
        }
        checked(settled)
    }

    /// Revokes the MFA code; a failure only costs the engine an entry until it expires.
    async fn revoke_quietly(&self, sid: &str) {
        if let Err(e) = self.mfa.revoke(sid).await {
            tracing::warn!(error = %e, "could not revoke the MFA code");
        }
    }
}

/// A new `sid`: the phone's hash tag and 128 random bits, in hex.
fn new_sid(phone: &Digest, random: &mut Draw) -> Result<String, RandomError> {
    let mut sid = String::with_capacity(64);
    push_hex(&mut sid, phone);
    push_hex(&mut sid, &random.take::<16>()?);
    Ok(sid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sid_carries_its_phones_tag() {
        let phone = [0xab; 16];
        let sid = new_sid(&phone, &mut Draw::new().unwrap()).unwrap();
        assert_eq!(sid.len(), 64);
        assert_eq!(phone_of(&sid), Some(phone));
        assert_eq!(phone_of("not-a-sid"), None);
        assert_eq!(phone_of(&"zz".repeat(32)), None);
    }
}
