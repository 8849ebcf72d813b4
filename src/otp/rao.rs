//! The RAO flow: consumer-owned `sid`, sealed (`format: byte`) phone and
//! OTP opened with the client's cipher, a numeric OTP bound to the phone,
//! and the certified phone a successful validation leaves behind.
//!
//! Keys: the challenge `rao:{P}:S` lives under its phone's hash tag `P`
//! (beside the phone's counters: lock, attempt and comparison are one
//! step); the session `rao:{S}` (its current challenge and certified
//! phone) under the session's `S`.

use super::issuer::{checked, Issuer, NewChallenge};
use super::{Making, OtpError, Sealed};
use crate::config::Client;
use crate::contract::Api;
use crate::crypto::{hex, Digest};
use crate::observe;
use crate::phone::Phone;
use crate::sms::Sms;
use crate::store::{Candidate, CertifiedPhone, OnMatch};
use std::sync::Arc;

/// The RAO account-opening flow.
pub(crate) struct RaoFlow {
    issuer: Arc<Issuer>,
}

/// Store keys of one RAO session and phone.
struct Keys {
    phone: crate::crypto::Digest,
    challenge: String,
    session: String,
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
        let session = hex(&self.issuer.session_digest("rao-session", client, sid));
        let digest = self.issuer.phone_digest(&phone.id);
        Keys {
            challenge: format!("rao:{{{}}}:{session}", hex(&digest)),
            phone: digest,
            session: format!("rao:{{{session}}}"),
        }
    }

    /// The store key of a RAO session.
    pub(crate) fn session_key(&self, client: &Client, sid: &str) -> String {
        let session = hex(&self.issuer.session_digest("rao-session", client, sid));
        format!("rao:{{{session}}}")
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
            code: self.issuer.digest("otp", &keys.challenge, &otp),
            binding: self.binding(&keys, phone),
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

    fn binding(&self, keys: &Keys, phone: &Phone) -> crate::crypto::Digest {
        self.issuer
            .digest("binding", &keys.challenge, &phone.id.to_string())
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
        let keys = self.keys(client, sid, phone);
        let candidate = Candidate {
            code: self.issuer.digest("otp", &keys.challenge, otp),
            binding: self.binding(&keys, phone),
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
        checked(attempt.await?)
    }

    /// Certified-phone: the session's certified phone.
    pub(crate) async fn certified_phone(
        &self,
        client: &Client,
        sid: &str,
    ) -> Result<CertifiedPhone, OtpError> {
        let session = self.session_key(client, sid);
        let phone = self.issuer.certified_phone(&session).await?;
        phone.ok_or(OtpError::NoCertifiedPhone)
    }
}
