//! The telemarketing flow: server-issued `sid`, an 11-character OTP of
//! which the first 3 are returned to the caller and the last 8 belong to
//! the MFA engine; the SMS carries all 11.
//!
//! The `sid` starts with the phone's hash tag (the keyed hash of its
//! identity: it reveals nothing), so the session `tm:{P}:T` lives beside
//! the phone's counters and a validate is one store step.
//!
//! During an OTP key rotation a validate that finds nothing under the
//! current key tries each previous one (`crypto::KeyRing`); the `sid`'s
//! phone tag is the phone's record, the same under every key.

use super::issuer::{checked, keep_for, Issuer, NewChallenge};
use super::{Making, OtpError, ALPHANUMERIC};
use crate::config::Client;
use crate::contract::Api;
use crate::crypto::{push_hex, unhex, Digest, Draw, Keys as OtpKey, RandomError};
use crate::mfa::{MfaCheck, MfaEngine};
pub(crate) use crate::mfa::{OTP_LENGTH, PREFIX_LENGTH};
use crate::observe;
use crate::phone::PhoneId;
use crate::sms::Sms;
use crate::store::{Attempt, Candidate, OnMatch};
use std::sync::Arc;

/// What a telemarketing challenge is bound to in the store: nothing apart,
/// since its code's digest covers the customer id too (see
/// [`TelemarketingFlow::code`]).
const UNBOUND: Digest = [0; 16];

/// Longest SMS: `messagePrefix`, the OTP and `messageSuffix`, space-separated.
pub(crate) const SMS_MAX_CHARS: usize = 140;

/// A generate request, as validated by the contract gate.
pub(crate) struct TelemarketingRequest<'a> {
    pub customer_id: &'a str,
    pub phone_number: &'a str,
    /// The request's `countryCode` header (ISO 3166): the phone's country.
    pub country: &'a str,
    pub message_prefix: &'a str,
    pub message_suffix: Option<&'a str>,
    /// The request's id (see `store::Sending::request`).
    pub request: Option<Digest>,
}

/// What generate answers: the first 3 characters and the new session.
pub(crate) struct TelemarketingOtp {
    pub prefix: String,
    pub sid: String,
}

/// The telemarketing flow.
pub(crate) struct TelemarketingFlow {
    issuer: Arc<Issuer>,
    mfa: Arc<dyn MfaEngine>,
}

fn sms_text(req: &TelemarketingRequest<'_>, otp: &str) -> String {
    let suffix = req.message_suffix.unwrap_or_default();
    let mut text = String::with_capacity(req.message_prefix.len() + otp.len() + suffix.len() + 2);
    text.push_str(req.message_prefix);
    text.push(' ');
    text.push_str(otp);
    if let Some(suffix) = req.message_suffix {
        text.push(' ');
        text.push_str(suffix);
    }
    text
}

/// The characters of the SMS `req` asks for, whatever its OTP.
fn sms_chars(req: &TelemarketingRequest<'_>) -> usize {
    let suffix = req.message_suffix.map_or(0, |s| 1 + s.chars().count());
    req.message_prefix.chars().count() + 1 + OTP_LENGTH + suffix
}

/// A `sid`'s phone hash tag and its bytes (the tag, then 128 random bits):
/// only a `sid` as [`new_sid`] writes it, 64 lower-case hex digits.
fn parse_sid(sid: &str) -> Option<(Digest, [u8; 32])> {
    let text = sid.as_bytes();
    if text.len() != 64 {
        return None;
    }
    let (phone, random) = (unhex(&text[..32])?, unhex(&text[32..])?);
    Some((phone, sid_bytes(&phone, &random)))
}

fn sid_bytes(phone: &Digest, random: &Digest) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(phone);
    bytes[16..].copy_from_slice(random);
    bytes
}

impl TelemarketingFlow {
    pub(crate) fn new(issuer: Arc<Issuer>, mfa: Arc<dyn MfaEngine>) -> Self {
        Self { issuer, mfa }
    }

    /// The identity of a request's phone: `phoneNumber` under `countryCode`.
    pub(crate) fn phone(req: &TelemarketingRequest<'_>) -> Result<PhoneId, OtpError> {
        Ok(PhoneId::in_country(req.country, req.phone_number)?)
    }

    /// A session under one OTP key of a rotation: its keyed hash (bound to
    /// the client, so another client's `sid` is simply unknown) and its
    /// store key `tm:{P}:S`, under the phone's hash tag.
    fn session_under(
        &self,
        key: &OtpKey,
        client: &Client,
        phone: &Digest,
        sid: &[u8; 32],
    ) -> (Digest, String) {
        let session = self
            .issuer
            .session_digest_under(key, "tm-session", client, sid);
        let mut store_key = String::with_capacity(70);
        store_key.push_str("tm:{");
        push_hex(&mut store_key, phone);
        store_key.push_str("}:");
        push_hex(&mut store_key, &session);
        (session, store_key)
    }

    /// The keyed hash of what a validate must bring: the compared part of
    /// the OTP and the customer id, scoped to the session. One digest for
    /// both, since a wrong customer counts as a wrong OTP.
    fn code(key: &OtpKey, session: &Digest, otp: &str, customer_id: &str) -> Digest {
        key.digest("otp", &[session, otp.as_bytes(), customer_id.as_bytes()])
    }

    /// Generate: creates a session and its OTP, and sends all 11 characters.
    pub(crate) async fn generate(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
    ) -> Result<TelemarketingOtp, OtpError> {
        observe::note_phone(req.phone_number);
        let result = self.make(client, req, Making::requested(req.request)).await;
        self.issuer.count_sent(Api::Telemarketing, &result);
        result.map(|(otp, _)| otp)
    }

    /// Makes (and sends) a session as `making` says; it and its whole OTP.
    pub(crate) async fn make(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
        making: Making,
    ) -> Result<(TelemarketingOtp, String), OtpError> {
        let chars = sms_chars(req);
        if chars > SMS_MAX_CHARS {
            return Err(OtpError::MessageTooLong { chars });
        }
        let policy = &client.policy;
        let id = Self::phone(req)?;
        let phone = self.issuer.phone_digest(&id);
        let mut random = Draw::new();
        let (sid, sid_bytes) = new_sid(&phone, &mut random)?;
        let current = self.issuer.keys().current();
        let (session, key) = self.session_under(current, client, &phone, &sid_bytes);
        let fixed = self.issuer.fixed_otp(Api::Telemarketing, &id);
        let otp = match fixed {
            Some(otp) => otp.to_owned(),
            None => {
                let prefix = random.code(ALPHANUMERIC, PREFIX_LENGTH)?;
                prefix + &self.mfa.issue(&sid, keep_for(policy), &mut random).await?
            }
        };
        let new = NewChallenge {
            phone: &phone,
            key: &key,
            session: None,
            code: Self::code(
                current,
                &session,
                self.compared_part(&otp, fixed.is_some()),
                req.customer_id,
            ),
            binding: UNBOUND,
            policy,
            unthrottled: fixed.is_some() || making.unthrottled,
            expired: making.expired,
            request: making.request,
        };
        let sms = Sms {
            to: id.e164(),
            text: sms_text(req, &otp),
            otp,
        };
        if let Err(e) = self.issuer.issue(new, &sms).await {
            self.revoke_quietly(&sid).await;
            return Err(e);
        }
        let prefix = sms.otp[..PREFIX_LENGTH].to_owned();
        Ok((TelemarketingOtp { prefix, sid }, sms.otp))
    }

    /// What the store compares: all 11 characters, unless a remote MFA
    /// engine checks its 8 itself (a fixed OTP is always all ours).
    fn compared_part<'o>(&self, otp: &'o str, fixed: bool) -> &'o str {
        match self.mfa.check() {
            MfaCheck::Remote if !fixed => &otp[..PREFIX_LENGTH.min(otp.len())],
            _ => otp,
        }
    }

    /// Validate: checks all 11 characters (case-insensitive) for the
    /// session and customer.
    pub(crate) async fn validate(
        &self,
        client: &Client,
        sid: &str,
        customer_id: &str,
        otp: &str,
        request: Option<Digest>,
    ) -> Result<(), OtpError> {
        let result = self.check(client, sid, customer_id, otp, request).await;
        self.issuer.count_checked(Api::Telemarketing, &result);
        result
    }

    async fn check(
        &self,
        client: &Client,
        sid: &str,
        customer_id: &str,
        otp: &str,
        request: Option<Digest>,
    ) -> Result<(), OtpError> {
        let (phone, sid_bytes) = parse_sid(sid).ok_or(OtpError::NotFound)?;
        let otp = otp.to_ascii_uppercase();
        let remote = self.mfa.check() == MfaCheck::Remote;
        let try_under = |hashing: &OtpKey| {
            let (session, key) = self.session_under(hashing, client, &phone, &sid_bytes);
            let part = self.compared_part(&otp, false);
            let candidate = Candidate {
                code: Self::code(hashing, &session, part, customer_id),
                binding: UNBOUND,
                mismatch_counts: true,
                request,
            };
            let on_match = match remote {
                true => OnMatch::Reserve,
                false => OnMatch::Consume,
            };
            async move {
                let attempt = self
                    .issuer
                    .attempt(&phone, &key, &candidate, &client.policy, on_match)
                    .await?;
                Ok::<_, OtpError>((key, attempt))
            }
        };
        let ring = self.issuer.keys();
        let (mut key, mut attempt) = try_under(ring.current()).await?;
        // Nothing under the current key: what a previous key stored stays
        // valid until it expires.
        for hashing in ring.previous() {
            if !matches!(attempt, Attempt::NotFound | Attempt::OtherBinding) {
                break;
            }
            (key, attempt) = try_under(hashing).await?;
        }
        if !remote || attempt != Attempt::Matched {
            return checked(attempt);
        }
        let suffix = otp.get(PREFIX_LENGTH..).unwrap_or_default();
        let verified = self.mfa.verify(sid, suffix).await;
        let right = *verified.as_ref().unwrap_or(&false);
        let settled = self.issuer.settle(&phone, &key, right).await?;
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

/// A new `sid`: the phone's hash tag and 128 random bits, in hex, and its
/// bytes.
fn new_sid(phone: &Digest, random: &mut Draw) -> Result<(String, [u8; 32]), RandomError> {
    let bytes = sid_bytes(phone, &random.take::<16>()?);
    let mut sid = String::with_capacity(64);
    push_hex(&mut sid, &bytes);
    Ok((sid, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counted_characters_are_those_of_the_text() {
        let mut req = TelemarketingRequest {
            customer_id: "c",
            phone_number: "5500000001",
            country: "MX",
            message_prefix: "Tu código",
            message_suffix: Some("no lo compartas ñ"),
            request: None,
        };
        let otp = "ABC12345678";
        assert_eq!(sms_chars(&req), sms_text(&req, otp).chars().count());
        assert_eq!(
            sms_text(&req, otp),
            "Tu código ABC12345678 no lo compartas ñ"
        );
        req.message_suffix = None;
        assert_eq!(sms_chars(&req), sms_text(&req, otp).chars().count());
        assert_eq!(sms_text(&req, otp), "Tu código ABC12345678");
    }

    #[test]
    fn a_sid_carries_its_phones_tag() {
        let phone = [0xab; 16];
        let (sid, bytes) = new_sid(&phone, &mut Draw::new()).unwrap();
        assert_eq!(sid.len(), 64);
        assert_eq!(parse_sid(&sid), Some((phone, bytes)));
        assert_eq!(parse_sid("not-a-sid"), None);
        assert_eq!(parse_sid(&"zz".repeat(32)), None);
        assert_eq!(parse_sid(&sid.to_uppercase()), None, "a look-alike");
        assert_eq!(parse_sid(&format!("{sid}0")), None);
    }
}
