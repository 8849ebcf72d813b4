//! `rao_token_management::Api`: generate, validate, certified-phone; and
//! the RAO API's one mapping from domain errors to its documented codes.

use super::{admitted, respond, RequestContext};
use crate::app::App;
use crate::config::Client;
use crate::error::{code, ApiError};
use crate::observe;
use crate::otp::{OtpError, Phone, PhoneError, SMS_MAX_CHARS};
use async_trait::async_trait;
use rao_token_management::models::{CertifiedPhone, GenerateRaoOtpRequest, ValidateRaoOtpRequest};
use rao_token_management::{
    Api, GenerateRaoOtpResponse, GetCertifiedPhoneResponse, ValidateRaoOtpResponse,
};
use swagger::ApiError as RouterError;

#[derive(Clone)]
pub struct RaoApi {
    app: App,
}

impl RaoApi {
    pub fn new(app: &App) -> Self {
        Self { app: app.clone() }
    }
}

#[async_trait]
impl Api<RequestContext> for RaoApi {
    async fn generate_rao_otp(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        _uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        body: GenerateRaoOtpRequest,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<GenerateRaoOtpResponse, RouterError> {
        let outcome = self.generate(context, &sid, &body).await;
        respond(context, outcome.map(|()| GenerateRaoOtpResponse::Success))
    }

    async fn get_certified_phone(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        _uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<GetCertifiedPhoneResponse, RouterError> {
        let outcome = self.certified_phone(context, &sid).await;
        respond(context, outcome.map(GetCertifiedPhoneResponse::Success))
    }

    async fn validate_rao_otp(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        _uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        body: ValidateRaoOtpRequest,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<ValidateRaoOtpResponse, RouterError> {
        let outcome = self.validate(context, &sid, &body).await;
        respond(context, outcome.map(|()| ValidateRaoOtpResponse::Success))
    }
}

impl RaoApi {
    async fn generate(
        &self,
        context: &RequestContext,
        sid: &str,
        body: &GenerateRaoOtpRequest,
    ) -> Result<(), ApiError> {
        let client = admitted(context)?;
        let sealed = &body.encrypted_phone_number.0;
        let phone = open_phone(
            client,
            &body.phone_country_code,
            sealed,
            "encryptedPhoneNumber",
        )?;
        let otp = self.app.otp();
        otp.rao_generate(client, sid, &phone).await.map_err(error)
    }

    async fn validate(
        &self,
        context: &RequestContext,
        sid: &str,
        body: &ValidateRaoOtpRequest,
    ) -> Result<(), ApiError> {
        let client = admitted(context)?;
        let (country_code, sealed) = (
            &body.phone.phone_country_code,
            &body.phone.encrypted_phone_number.0,
        );
        let phone = open_phone(client, country_code, sealed, "phone.encryptedPhoneNumber")?;
        let otp = open(client, &body.encrypted_otp_token.0, "encryptedOtpToken")?;
        let engine = self.app.otp();
        engine
            .rao_validate(client, sid, &phone, &otp)
            .await
            .map_err(error)
    }

    async fn certified_phone(
        &self,
        context: &RequestContext,
        sid: &str,
    ) -> Result<CertifiedPhone, ApiError> {
        let client = admitted(context)?;
        let phone = match self.app.otp().rao_certified_phone(client, sid).await {
            Ok(phone) => phone,
            Err(OtpError::NotFound) => {
                return Err(ApiError::new(code::RESOURCE_NOT_FOUND, "sid")
                    .with_details("No certified phone for this sid"))
            }
            Err(other) => return Err(error(other)),
        };
        Ok(CertifiedPhone::new(phone.country_code, phone.number))
    }
}

/// Decrypts a `format: byte` field with the client's cipher, or `400` naming it.
fn open(client: &Client, sealed: &[u8], location: &str) -> Result<String, ApiError> {
    client.cipher.open(sealed).map_err(|e| {
        let cipher = client.cipher.name();
        let details =
            format!("{location} cannot be decrypted with the client's {cipher} cipher: {e}");
        ApiError::invalid(location, details)
    })
}

/// Decrypts a phone number and checks it is one, or `400` naming `location`.
fn open_phone(
    client: &Client,
    country_code: &str,
    sealed: &[u8],
    location: &str,
) -> Result<Phone, ApiError> {
    let number = open(client, sealed, location)?;
    let phone = Phone::new(country_code, &number).map_err(|e| match e {
        PhoneError::Number => ApiError::invalid(
            location,
            format!("{location} must decrypt to a phone number of 4 to 15 digits"),
        ),
        PhoneError::CountryCode => ApiError::invalid(
            location.replace("encryptedPhoneNumber", "phoneCountryCode"),
            "phoneCountryCode must be + and 1 to 4 digits",
        ),
    })?;
    observe::note_phone(&phone.full());
    Ok(phone)
}

/// The RAO answer to a failed flow. Causes of 500s go to the log.
fn error(error: OtpError) -> ApiError {
    let business = |location: &str, details: String| {
        ApiError::new(code::BUSINESS_VALIDATION_FAILED, location).with_details(details)
    };
    match error {
        OtpError::NotFound => ApiError::new(code::RESOURCE_NOT_FOUND, "sid")
            .with_details("No live OTP for this sid and phone"),
        OtpError::Expired => business(
            "encryptedOtpToken",
            "The OTP has expired; generate a new one".into(),
        ),
        OtpError::Invalid { attempts_left } => {
            business("encryptedOtpToken", super::invalid_otp(attempts_left))
        }
        OtpError::Throttled {
            reason,
            retry_after,
        } => business(
            "encryptedPhoneNumber",
            super::throttled(reason, retry_after),
        ),
        OtpError::Locked { retry_after } => {
            business("phone.encryptedPhoneNumber", super::locked(retry_after))
        }
        OtpError::Phone(e) => ApiError::invalid("encryptedPhoneNumber", e.to_string()),
        OtpError::MessageTooLong { chars } => ApiError::invalid(
            "body",
            format!("The SMS would be {chars} characters; at most {SMS_MAX_CHARS} fit"),
        ),
        OtpError::Sms(_) | OtpError::Mfa(_) | OtpError::Store(_) | OtpError::Random(_) => {
            super::internal(&error)
        }
    }
}

/// Where a real RAO error of `code` points (for forced errors).
pub(super) fn location(code: &str) -> Option<&'static str> {
    Some(match code {
        code::RESOURCE_NOT_FOUND => "sid",
        code::BUSINESS_VALIDATION_FAILED => "encryptedOtpToken",
        _ => return None,
    })
}
