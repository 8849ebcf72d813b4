//! The RAO flow: consumer-owned `sid`, numeric OTP bound to the phone, and
//! the certified phone a successful validation leaves behind.

use super::{keep_for, OtpEngine, OtpError, DIGITS};
use crate::config::Client;
use crate::crypto::random_code;
use crate::phone::Phone;
use crate::sms::Sms;
use crate::store::{Attempt, Candidate, CertifiedPhone, Challenge, OnMatch};

/// The metrics' name of this API.
const API: &str = "rao";

/// Store keys of one RAO session; both share a hash tag (one Redis slot).
struct SessionKeys {
    challenge: String,
    certified: String,
}

impl OtpEngine {
    fn rao_keys(&self, client: &Client, sid: &str) -> SessionKeys {
        let session = hex(&self.keys.digest("rao-session", &client.id, sid));
        SessionKeys {
            challenge: format!("rao:{{{session}}}:otp"),
            certified: format!("rao:{{{session}}}:phone"),
        }
    }

    /// Creates the session's OTP (replacing any earlier one) and sends it.
    pub async fn rao_generate(
        &self,
        client: &Client,
        sid: &str,
        phone: &Phone,
    ) -> Result<(), OtpError> {
        let result = self.rao_send(client, sid, phone).await;
        self.count_sent(API, &result);
        result
    }

    async fn rao_send(&self, client: &Client, sid: &str, phone: &Phone) -> Result<(), OtpError> {
        let policy = &client.policy;
        let now = self.clock.now();
        let to = phone.full();
        let phone_digest = self.keys.digest("phone", "", &to);
        self.permit_send(&phone_digest, policy, now).await?;
        let keys = self.rao_keys(client, sid);
        let code = random_code(DIGITS, policy.rao_otp_length)?;
        let challenge = Challenge {
            code: self.keys.digest("otp", &keys.challenge, &code),
            binding: self.keys.digest("binding", &keys.challenge, &to),
            expires_at: now + policy.otp_lifetime().as_millis() as u64,
            attempts_left: policy.max_attempts,
            phone: phone_digest,
        };
        self.challenges
            .put_challenge(&keys.challenge, challenge, keep_for(policy), now)
            .await?;
        let minutes = policy.otp_lifetime_secs.div_ceil(60);
        let text = format!(
            "Your account opening code is {code}. It expires in {minutes} min. Never share it."
        );
        if let Err(e) = self
            .sms
            .send(&Sms {
                to,
                text,
                otp: code,
            })
            .await
        {
            self.challenges.remove_challenge(&keys.challenge).await?;
            return Err(e.into());
        }
        Ok(())
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
        let result = self.rao_check(client, sid, phone, otp).await;
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
        let keys = self.rao_keys(client, sid);
        let to = phone.full();
        let candidate = Candidate {
            code: self.keys.digest("otp", &keys.challenge, otp),
            binding: self.keys.digest("binding", &keys.challenge, &to),
            mismatch_counts: false,
        };
        let certify = OnMatch::ConsumeAndCertify {
            key: keys.certified,
            phone: CertifiedPhone {
                country_code: phone.country_code.clone(),
                number: phone.number.clone(),
            },
            ttl: client.policy.certified_phone_lifetime(),
        };
        match self
            .challenges
            .attempt(&keys.challenge, &candidate, certify, now)
            .await?
        {
            Attempt::Matched => Ok(()),
            Attempt::NotFound | Attempt::OtherBinding => Err(OtpError::NotFound),
            Attempt::Expired => Err(OtpError::Expired),
            Attempt::Wrong {
                attempts_left,
                phone,
            } => {
                self.count_failure(&phone, now).await?;
                Err(OtpError::Invalid { attempts_left })
            }
        }
    }

    /// The session's certified phone.
    pub async fn rao_certified_phone(
        &self,
        client: &Client,
        sid: &str,
    ) -> Result<CertifiedPhone, OtpError> {
        let keys = self.rao_keys(client, sid);
        self.challenges
            .certified_phone(&keys.certified, self.clock.now())
            .await?
            .ok_or(OtpError::NotFound)
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
