//! The telemarketing flow: server-issued `sid`, an 11-character OTP of
//! which the first 3 are kept in the session (and returned to the caller)
//! and the last 8 belong to the MFA engine; the SMS carries all 11.

use super::rao::hex;
use super::{keep_for, OtpEngine, OtpError, ALPHANUMERIC};
use crate::config::Client;
use crate::crypto::{random_code, Digest, RandomError};
use crate::mfa::MFA_CODE_LENGTH;
use crate::sms::Sms;
use crate::store::{Attempt, Candidate, Challenge, OnMatch};

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

impl OtpEngine {
    /// The store key of a session: bound to the client, so another client's
    /// `sid` is simply unknown.
    fn telemarketing_key(&self, client: &Client, sid: &str) -> String {
        format!(
            "tm:{{{}}}",
            hex(&self.keys.digest("tm-session", &client.id, sid))
        )
    }

    /// Creates a session and its OTP, and sends all 11 characters.
    pub async fn telemarketing_generate(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
    ) -> Result<TelemarketingOtp, OtpError> {
        let result = self.telemarketing_send(client, req).await;
        self.count_sent(API, &result);
        result
    }

    async fn telemarketing_send(
        &self,
        client: &Client,
        req: &TelemarketingRequest<'_>,
    ) -> Result<TelemarketingOtp, OtpError> {
        let otp_len = PREFIX_LENGTH + MFA_CODE_LENGTH;
        let chars = sms_text(req, &"0".repeat(otp_len)).chars().count();
        if chars > SMS_MAX_CHARS {
            return Err(OtpError::MessageTooLong { chars });
        }
        let policy = &client.policy;
        let now = self.clock.now();
        let phone = self.keys.digest("phone", "", req.phone_number);
        self.permit_send(&phone, policy, now).await?;

        let mut sid_bytes = [0u8; 16];
        getrandom::fill(&mut sid_bytes).map_err(|_| RandomError)?;
        let sid = hex(&sid_bytes);
        let key = self.telemarketing_key(client, &sid);
        let prefix = random_code(ALPHANUMERIC, PREFIX_LENGTH)?;
        let suffix = self.mfa.issue(&sid, keep_for(policy)).await?;
        let challenge = Challenge {
            code: self.keys.digest("otp", &key, &prefix),
            binding: self.keys.digest("customer", &key, req.customer_id),
            expires_at: now + policy.otp_lifetime().as_millis() as u64,
            attempts_left: policy.max_attempts,
            phone,
        };
        if let Err(e) = self
            .challenges
            .put_challenge(&key, challenge, keep_for(policy), now)
            .await
        {
            self.revoke_quietly(&sid).await;
            return Err(e.into());
        }
        let otp = format!("{prefix}{suffix}");
        let sms = Sms {
            to: req.phone_number.to_owned(),
            text: sms_text(req, &otp),
            otp,
        };
        if let Err(e) = self.sms.send(&sms).await {
            self.challenges.remove_challenge(&key).await?;
            self.revoke_quietly(&sid).await;
            return Err(e.into());
        }
        Ok(TelemarketingOtp { prefix, sid })
    }

    /// Checks all 11 characters (case-insensitive) for the session and customer.
    pub async fn telemarketing_validate(
        &self,
        client: &Client,
        sid: &str,
        customer_id: &str,
        otp: &str,
    ) -> Result<(), OtpError> {
        let result = self
            .telemarketing_check(client, sid, customer_id, otp)
            .await;
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
        let key = self.telemarketing_key(client, sid);
        let otp = otp.to_ascii_uppercase();
        let (prefix, suffix) = otp.split_at(PREFIX_LENGTH.min(otp.len()));
        let candidate = Candidate {
            code: self.keys.digest("otp", &key, prefix),
            binding: self.keys.digest("customer", &key, customer_id),
            mismatch_counts: true,
        };
        match self
            .challenges
            .attempt(&key, &candidate, OnMatch::Keep, now)
            .await?
        {
            Attempt::Matched => {}
            Attempt::NotFound | Attempt::OtherBinding => return Err(OtpError::NotFound),
            Attempt::Expired => return Err(OtpError::Expired),
            Attempt::Wrong {
                attempts_left,
                phone,
            } => return self.wrong(&phone, attempts_left, now).await,
        }
        if !self.mfa.verify(sid, suffix).await? {
            return match self.challenges.fail_attempt(&key, now).await? {
                Attempt::Wrong {
                    attempts_left,
                    phone,
                } => self.wrong(&phone, attempts_left, now).await,
                _ => Err(OtpError::Invalid { attempts_left: 0 }),
            };
        }
        if !self.challenges.consume(&key, now).await? {
            // Another request with the same OTP won the race: it is used up.
            return Err(OtpError::Invalid { attempts_left: 0 });
        }
        self.revoke_quietly(sid).await;
        Ok(())
    }

    async fn wrong(&self, phone: &Digest, attempts_left: u32, now: u64) -> Result<(), OtpError> {
        self.count_failure(phone, now).await?;
        Err(OtpError::Invalid { attempts_left })
    }

    /// Revokes the MFA code; a failure only costs the engine an entry until it expires.
    async fn revoke_quietly(&self, sid: &str) {
        if let Err(e) = self.mfa.revoke(sid).await {
            tracing::warn!(error = %e, "could not revoke the MFA code");
        }
    }
}
