//! The two OTP APIs as a consumer calls them: headers, bodies (RAO fields
//! encrypted with the client's cipher), and the start of each flow with
//! the OTP read back from the SMS (or a test phone's fixed OTP).

use super::exchange::{fail, skip, Exchange, Step};
use super::kit::{random_id, uuid, Kit};
use super::sms::{find_otp, Inbox};
use super::target::header_map;
use hyper::HeaderMap;
use serde_json::{json, Value as Json};

/// A RAO phone: `phoneCountryCode` and the national number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaoPhone {
    pub country_code: String,
    pub number: String,
    /// A test phone's fixed OTP.
    pub fixed_otp: Option<String>,
}

impl RaoPhone {
    /// The SMS recipient: `+52` and the number.
    pub fn recipient(&self) -> String {
        format!("{}{}", self.country_code, self.number)
    }
}

/// A RAO session with a live OTP.
pub struct RaoStart {
    pub sid: String,
    pub phone: RaoPhone,
    pub otp: String,
}

/// A telemarketing session with a live OTP.
pub struct TmStart {
    pub sid: String,
    pub customer: String,
    pub phone: String,
    /// All 11 characters, from the SMS.
    pub otp: String,
    /// What generate returned in `oneTimePasswordToken`.
    pub prefix: String,
}

impl Kit {
    /// The headers every RAO operation takes.
    pub async fn rao_headers(&self, sid: &str) -> Step<HeaderMap> {
        let bearer = format!("Bearer {}", self.token().await?);
        let id = &self.options.identity;
        Ok(header_map(&[
            ("client_id", &id.client_id),
            ("Authorization", &bearer),
            ("Accept", "application/json"),
            ("uuid", &uuid()),
            ("Content-Type", "application/json"),
            ("countryCode", &id.country),
            ("businessCode", &id.business),
            ("channelId", &id.channel),
            ("sid", sid),
        ]))
    }

    /// The headers of telemarketing generate, and of validate with `sid`.
    pub async fn tm_headers(&self, sid: Option<&str>) -> Step<HeaderMap> {
        let bearer = format!("Bearer {}", self.token().await?);
        let id = &self.options.identity;
        let mut pairs = vec![
            ("uuid", uuid()),
            ("Content-Type", "application/json".into()),
            ("Accept-Language", "en-US".into()),
            ("countryCode", id.country.clone()),
            ("businessCode", id.business.clone()),
            ("channelId", id.channel.clone()),
            ("client_id", id.client_id.clone()),
            ("Authorization", bearer),
        ];
        pairs.extend(sid.map(|sid| ("sid", sid.to_owned())));
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(header_map(&pairs))
    }

    /// `value` encrypted with the client's cipher.
    pub fn seal(&self, value: &str) -> Step<String> {
        self.options
            .identity
            .cipher
            .encrypt(value)
            .or_else(|e| fail("the client's cipher to encrypt", e.to_string()))
    }

    /// The `Phone` object of RAO bodies.
    pub fn rao_phone_json(&self, phone: &RaoPhone) -> Step<Json> {
        Ok(
            json!({"phoneCountryCode": phone.country_code, "encryptedPhoneNumber": self.seal(&phone.number)?}),
        )
    }

    /// A phone no other check uses.
    pub fn fresh_rao_phone(&self) -> RaoPhone {
        RaoPhone {
            country_code: self.options.country_code.clone(),
            number: self.fresh_number(),
            fixed_otp: None,
        }
    }

    /// A phone whose OTP the kit can learn: the RAO test phone, or a fresh
    /// one when SMS can be read.
    pub fn rao_phone_with_otp(&self) -> Step<RaoPhone> {
        if let Some((phone, otp)) = self.test_phone(true) {
            let cc = &self.options.country_code;
            let split = if phone.starts_with(cc.as_str()) {
                cc.len()
            } else {
                phone.len().saturating_sub(10)
            };
            let (country_code, number) = phone.split_at(split);
            return Ok(RaoPhone {
                country_code: country_code.into(),
                number: number.into(),
                fixed_otp: Some(otp),
            });
        }
        self.readable()?;
        Ok(self.fresh_rao_phone())
    }

    /// Skips unless SMS to fresh phones can be read.
    pub fn readable(&self) -> Step {
        match self.inbox {
            Inbox::None => {
                skip("needs the OTP of a fresh phone: give --otp-source outbox or webhook:ADDR")
            }
            _ => Ok(()),
        }
    }

    /// RAO generate on `sid` for `phone`.
    pub async fn rao_generate(&self, sid: &str, phone: &RaoPhone) -> Step<Exchange> {
        let body = self.rao_phone_json(phone)?;
        self.call(
            self.op("generateRaoOtp"),
            &self.rao_headers(sid).await?,
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    /// RAO validate of `otp` on `sid` for `phone`.
    pub async fn rao_validate(&self, sid: &str, phone: &RaoPhone, otp: &str) -> Step<Exchange> {
        let body =
            json!({"encryptedOtpToken": self.seal(otp)?, "phone": self.rao_phone_json(phone)?});
        self.call(
            self.op("validateRaoOtp"),
            &self.rao_headers(sid).await?,
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    /// RAO certified-phone on `sid`.
    pub async fn rao_certified(&self, sid: &str) -> Step<Exchange> {
        self.call(
            self.op("getCertifiedPhone"),
            &self.rao_headers(sid).await?,
            None,
        )
        .await
    }

    /// How many SMS `to` has had (0 for a test phone: its OTP is fixed).
    pub async fn sms_count(&self, to: &str, fixed: bool) -> Step<usize> {
        if fixed {
            return Ok(0);
        }
        Ok(self.inbox.messages(&self.target, to).await?.len())
    }

    /// Generates on a fresh `sid` for `phone`; returns the session and its OTP.
    pub async fn rao_send(&self, phone: &RaoPhone) -> Step<RaoStart> {
        let sid = random_id("conform-");
        let before = self
            .sms_count(&phone.recipient(), phone.fixed_otp.is_some())
            .await?;
        self.rao_generate(&sid, phone)
            .await?
            .expect_status(&[204], "RAO generate for a fresh phone and sid")?;
        let otp = self.rao_otp(phone, before).await?;
        Ok(RaoStart {
            sid,
            phone: phone.clone(),
            otp,
        })
    }

    /// A RAO session with a live OTP, on a phone whose OTP the kit can learn.
    pub async fn rao_start(&self) -> Step<RaoStart> {
        let phone = self.rao_phone_with_otp()?;
        self.rao_send(&phone).await
    }

    /// The OTP of the SMS after the first `seen` ones to `phone`.
    pub async fn rao_otp(&self, phone: &RaoPhone, seen: usize) -> Step<String> {
        if let Some(otp) = &phone.fixed_otp {
            return Ok(otp.clone());
        }
        let length = self.options.policy.otp.rao_otp_length;
        let message = self
            .inbox
            .next(
                &self.target,
                &phone.recipient(),
                seen,
                self.options.sms_wait,
            )
            .await?;
        let otp = message
            .otp
            .or_else(|| find_otp(&message.text, length, |c| c.is_ascii_digit(), ""));
        match otp {
            Some(otp) => Ok(otp),
            None => fail(
                format!("an SMS carrying a {length}-digit OTP"),
                "an SMS without one",
            ),
        }
    }

    /// The body of telemarketing generate.
    pub fn tm_body(&self, customer: &str, phone: &str) -> Json {
        json!({
            "customerId": customer,
            "phoneNumber": phone,
            "messagePrefix": "Citi Identification Code Service",
            "messageSuffix": "Reply HELP for help STOP to cancel"
        })
    }

    /// Telemarketing generate for `customer` and `phone`.
    pub async fn tm_generate(&self, customer: &str, phone: &str) -> Step<Exchange> {
        self.tm_generate_raw(self.tm_body(customer, phone)).await
    }

    /// Telemarketing generate with any body.
    pub async fn tm_generate_raw(&self, body: Json) -> Step<Exchange> {
        let body = body.to_string().into_bytes();
        self.call(
            self.op("generateTelemarketingOtp"),
            &self.tm_headers(None).await?,
            Some(body),
        )
        .await
    }

    /// Telemarketing validate of `otp` for `customer` on `sid`.
    pub async fn tm_validate(&self, sid: &str, customer: &str, otp: &str) -> Step<Exchange> {
        let body = json!({"customerId": customer, "oneTimePasswordToken": otp})
            .to_string()
            .into_bytes();
        self.call(
            self.op("validateTelemarketingOtp"),
            &self.tm_headers(Some(sid)).await?,
            Some(body),
        )
        .await
    }

    /// A telemarketing phone whose OTP the kit can learn, and its fixed OTP if any.
    pub fn tm_phone_with_otp(&self) -> Step<(String, Option<String>)> {
        if let Some((phone, otp)) = self.test_phone(false) {
            return Ok((phone, Some(otp)));
        }
        self.readable()?;
        Ok((self.fresh_number(), None))
    }

    /// Generates for a phone whose OTP the kit can learn.
    pub async fn tm_start(&self) -> Step<TmStart> {
        let (phone, fixed) = self.tm_phone_with_otp()?;
        self.tm_send(&phone, fixed).await
    }

    /// Generates for `phone` (with a fresh customer) and reads its OTP.
    pub async fn tm_send(&self, phone: &str, fixed: Option<String>) -> Step<TmStart> {
        let customer = random_id("cust");
        let before = self.sms_count(phone, fixed.is_some()).await?;
        let answer = self.tm_generate(&customer, phone).await?;
        answer.expect_status(&[200], "telemarketing generate for a fresh phone")?;
        let Some(sid) = answer
            .header("sid")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
        else {
            return fail("telemarketing generate: 200 with a sid response header (docs/BEHAVIOUR.md#telemarketing-flow: the session id is returned in the sid header)", format!("{}; no sid header", answer.describe()));
        };
        let prefix = answer.field("oneTimePasswordToken").unwrap_or_default();
        let otp = match fixed {
            Some(otp) => otp,
            None => self.tm_otp(phone, before, &prefix).await?,
        };
        Ok(TmStart {
            sid,
            customer,
            phone: phone.to_owned(),
            otp,
            prefix,
        })
    }

    async fn tm_otp(&self, phone: &str, seen: usize, prefix: &str) -> Step<String> {
        // The SMS goes to the whole E.164 number: the calling code of the
        // request's countryCode, then phoneNumber.
        let country = &self.options.identity.country;
        let to = crate::phone::PhoneId::in_country(country, phone)
            .map(|id| id.e164())
            .unwrap_or_else(|_| phone.to_owned());
        let message = self
            .inbox
            .next(&self.target, &to, seen, self.options.sms_wait)
            .await?;
        let upper = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase();
        match message
            .otp
            .or_else(|| find_otp(&message.text, 11, upper, prefix))
        {
            Some(otp) => Ok(otp),
            None => fail("an SMS carrying the 11-character OTP", "an SMS without one"),
        }
    }
}
