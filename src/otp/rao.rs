//! The RAO flow: consumer-owned `sid`, sealed (`format: byte`) phone and
//! OTP opened with the client's cipher, a numeric OTP bound to the phone,
//! and the certified phone a successful validation leaves behind.
//!
//! Keys: the challenge `rao:{P}:S` lives under its phone's hash tag `P`
//! (beside the phone's counters: lock, attempt and comparison are one
//! step); the session `rao:{S}` (its current challenge and certified
//! phone) under the session's `S`.
//!
//! During an OTP key rotation a validate or certified-phone that finds
//! nothing under the current key tries each previous one
//! (`crypto::KeyRing`).

use super::issuer::{checked, Issuer, NewChallenge};
use super::{Making, OtpError, Sealed};
use crate::config::Client;
use crate::contract::Api;
use crate::crypto::{hex, Digest, Keys as OtpKey};
use crate::observe;
use crate::phone::Phone;
use crate::sms::Sms;
use crate::store::{Attempt, Candidate, CertifiedPhone, OnMatch};
use std::sync::Arc;

/// The RAO account-opening flow.
pub(crate) struct RaoFlow {
    issuer: Arc<Issuer>,
}

/// Store keys of one RAO session and phone.
struct Keys {
    phone: crate::crypto::Digest,
    /// The session's keyed hash: the scope of its OTP's digest.
    session_digest: crate::crypto::Digest,
    challenge: String,
    session: String,
}

/// The store key of the RAO session whose digest, in hex, is `session`.
fn session_key_of(session: &str) -> String {
    format!("rao:{{{session}}}")
}

impl RaoFlow {
    pub(crate) fn new(issuer: Arc<Issuer>) -> Self {
        Self { issuer }
    }

    /// Opens a sealed value with the client's cipher.
    fn open(client: &Client, sealed: &[u8], what: Sealed) -> Result<String, OtpError> {
        client
            .cipher
            .open(sealed)
            .map_err(|cause| OtpError::Undecryptable {
                what,
                cipher: client.cipher.name(),
                cause,
            })
    }

    /// The phone a request names: its `phoneCountryCode` and sealed number.
    pub(crate) fn open_phone(
        client: &Client,
        country_code: &str,
        sealed: &[u8],
    ) -> Result<Phone, OtpError> {
        let number = Self::open(client, sealed, Sealed::Phone)?;
        let phone = Phone::new(country_code, &number)?;
        observe::note_phone(&phone.full());
        Ok(phone)
    }

    fn keys(&self, client: &Client, sid: &str, phone: &Phone) -> Keys {
        self.keys_under(self.issuer.keys().current(), client, sid, phone)
    }

    /// The store keys under one OTP key of a rotation (the phone's record
    /// is the same under all: `Issuer::phone_digest`).
    fn keys_under(&self, key: &OtpKey, client: &Client, sid: &str, phone: &Phone) -> Keys {
        let session_digest = self.session_digest_under(key, client, sid);
        let session = hex(&session_digest);
        let digest = self.issuer.phone_digest(&phone.id);
        Keys {
            challenge: format!("rao:{{{}}}:{session}", hex(&digest)),
            phone: digest,
            session: session_key_of(&session),
            session_digest,
        }
    }

    fn session_digest_under(&self, key: &OtpKey, client: &Client, sid: &str) -> Digest {
        let issuer = &self.issuer;
        issuer.session_digest_under(key, "rao-session", client, sid.as_bytes())
    }

    /// The store key of a RAO session.
    pub(crate) fn session_key(&self, client: &Client, sid: &str) -> String {
        self.session_key_under(self.issuer.keys().current(), client, sid)
    }

    /// [`Self::session_key`] under one OTP key of a rotation.
    fn session_key_under(&self, key: &OtpKey, client: &Client, sid: &str) -> String {
        session_key_of(&hex(&self.session_digest_under(key, client, sid)))
    }

    /// The keyed hash of a session's OTP: scoped to the session, so one
    /// OTP hashes apart in every session.
    fn code(key: &OtpKey, keys: &Keys, otp: &str) -> Digest {
        key.digest("otp", &[&keys.session_digest, otp.as_bytes()])
    }

    /// Generate: creates the session's OTP for the sealed phone (replacing
    /// any earlier one, for any phone, and clearing the session's certified
    /// phone) and sends it.
    pub(crate) async fn generate(
        &self,
        client: &Client,
        sid: &str,
        country_code: &str,
        sealed_number: &[u8],
        request: Option<Digest>,
    ) -> Result<(), OtpError> {
        let phone = Self::open_phone(client, country_code, sealed_number)?;
        let result = self
            .make(client, sid, &phone, Making::requested(request))
            .await;
        self.issuer.count_sent(Api::Rao, &result);
        result.map(drop)
    }

    /// Makes (and sends) a challenge as `making` says; its OTP.
    pub(crate) async fn make(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        making: Making,
    ) -> Result<String, OtpError> {
        let policy = &client.policy;
        let keys = self.keys(client, sid, phone);
        let fixed = self.issuer.fixed_otp(Api::Rao, &phone.id);
        let otp = match fixed {
            Some(otp) => otp.to_owned(),
            None => Issuer::digits(policy)?,
        };
        let new = NewChallenge {
            phone: &keys.phone,
            key: &keys.challenge,
            session: Some(&keys.session),
            code: Self::code(self.issuer.keys().current(), &keys, &otp),
            // The challenge's key names its phone already: the phone's own
            // digest is what it is bound to.
            binding: keys.phone,
            policy,
            unthrottled: fixed.is_some() || making.unthrottled,
            expired: making.expired,
            request: making.request,
        };
        let minutes = policy.otp_lifetime_secs.div_ceil(60);
        let text = format!(
            "Your account opening code is {otp}. It expires in {minutes} min. Never share it."
        );
        let sms = Sms {
            to: phone.full(),
            text,
            otp,
        };
        self.issuer.issue(new, &sms).await?;
        Ok(sms.otp)
    }

    /// Validate: checks the sealed OTP for the session and the sealed
    /// phone; on success the phone becomes the session's certified phone
    /// and the OTP is used up.
    pub(crate) async fn validate(
        &self,
        client: &Client,
        sid: &str,
        country_code: &str,
        sealed_number: &[u8],
        sealed_otp: &[u8],
        request: Option<Digest>,
    ) -> Result<(), OtpError> {
        let phone = Self::open_phone(client, country_code, sealed_number)?;
        let otp = Self::open(client, sealed_otp, Sealed::Otp)?;
        self.check(client, sid, &phone, &otp, request).await
    }

    /// Checks `otp` in clear for the session and phone.
    pub(crate) async fn check(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        otp: &str,
        request: Option<Digest>,
    ) -> Result<(), OtpError> {
        let result = self.compare(client, sid, phone, otp, request).await;
        self.issuer.count_checked(Api::Rao, &result);
        result
    }

    async fn compare(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
        otp: &str,
        request: Option<Digest>,
    ) -> Result<(), OtpError> {
        let ring = self.issuer.keys();
        let mut attempt = self
            .attempt_under(ring.current(), client, sid, phone, otp, request)
            .await?;
        // Nothing under the current key: what a previous key stored stays
        // valid until it expires.
        for key in ring.previous() {
            if !matches!(attempt, Attempt::NotFound | Attempt::OtherBinding) {
                break;
            }
            attempt = self
                .attempt_under(key, client, sid, phone, otp, request)
                .await?;
        }
        checked(attempt)
    }

    /// One attempt at the session's challenge as stored under `key`.
    async fn attempt_under(
        &self,
        key: &OtpKey,
        client: &Client,
        sid: &str,
        phone: &Phone,
        otp: &str,
        request: Option<Digest>,
    ) -> Result<Attempt, OtpError> {
        let keys = self.keys_under(key, client, sid, phone);
        let candidate = Candidate {
            code: Self::code(key, &keys, otp),
            binding: keys.phone,
            mismatch_counts: false,
            request,
        };
        let certify = OnMatch::Certify {
            session: keys.session,
            phone: CertifiedPhone {
                country_code: phone.country_code.clone(),
                number: phone.number.clone(),
            },
            ttl: client.policy.certified_phone_lifetime(),
        };
        let attempt = self.issuer.attempt(
            &keys.phone,
            &keys.challenge,
            &candidate,
            &client.policy,
            certify,
        );
        attempt.await
    }

    /// Certified-phone: the session's certified phone.
    pub(crate) async fn certified_phone(
        &self,
        client: &Client,
        sid: &str,
    ) -> Result<CertifiedPhone, OtpError> {
        let ring = self.issuer.keys();
        for key in std::iter::once(ring.current()).chain(ring.previous()) {
            let session = self.session_key_under(key, client, sid);
            if let Some(phone) = self.issuer.certified_phone(&session).await? {
                return Ok(phone);
            }
        }
        Err(OtpError::NoCertifiedPhone)
    }
}
