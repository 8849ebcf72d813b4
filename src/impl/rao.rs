//! `rao_token_management::Api`: generate, validate, certified-phone.

use super::{admitted, render, RequestContext};
use crate::app::App;
use crate::config::Client;
use crate::contract::OperationId;
use crate::error::{rao_error, ApiError};
use crate::observe;
use crate::otp::Phone;
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

/// The RAO response variant for an error's status.
macro_rules! rao_error_response {
    ($response:ident, $app:expr, $op:expr, $error:expr, $uuid:expr) => {{
        let (status, body) = render($app, $op, &$error, $uuid);
        let body = body.to_model();
        match status {
            400 => $response::InvalidRequest(body),
            401 => $response::UnAuthorized(body),
            403 => $response::AccessNotConfigured(body),
            404 => $response::ResourceNotFound(body),
            422 => $response::BusinessValidationFailed(body),
            _ => $response::ServerUnavailable(body),
        }
    }};
}

#[async_trait]
impl Api<RequestContext> for RaoApi {
    async fn generate_rao_otp(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        body: GenerateRaoOtpRequest,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<GenerateRaoOtpResponse, RouterError> {
        Ok(match self.generate(context, &sid, &body).await {
            Ok(()) => GenerateRaoOtpResponse::Success,
            Err(e) => rao_error_response!(
                GenerateRaoOtpResponse,
                &self.app,
                OperationId::GenerateRaoOtp,
                e,
                &uuid
            ),
        })
    }

    async fn get_certified_phone(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<GetCertifiedPhoneResponse, RouterError> {
        Ok(match self.certified_phone(context, &sid).await {
            Ok(phone) => GetCertifiedPhoneResponse::Success(phone),
            Err(e) => rao_error_response!(
                GetCertifiedPhoneResponse,
                &self.app,
                OperationId::GetCertifiedPhone,
                e,
                &uuid
            ),
        })
    }

    async fn validate_rao_otp(
        &self,
        _client_id: String,
        _authorization: String,
        _accept: String,
        uuid: String,
        _content_type: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        sid: String,
        body: ValidateRaoOtpRequest,
        _accept_language: Option<String>,
        context: &RequestContext,
    ) -> Result<ValidateRaoOtpResponse, RouterError> {
        Ok(match self.validate(context, &sid, &body).await {
            Ok(()) => ValidateRaoOtpResponse::Success,
            Err(e) => rao_error_response!(
                ValidateRaoOtpResponse,
                &self.app,
                OperationId::ValidateRaoOtp,
                e,
                &uuid
            ),
        })
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
        let phone = decrypt_phone(
            client,
            &body.phone_country_code,
            &body.encrypted_phone_number.0,
            "encryptedPhoneNumber",
        )?;
        let result = self.app.otp.rao_generate(client, sid, &phone).await;
        observe::otp_outcome("rao", true, &result);
        result.map_err(|e| rao_error(&e))
    }

    async fn validate(
        &self,
        context: &RequestContext,
        sid: &str,
        body: &ValidateRaoOtpRequest,
    ) -> Result<(), ApiError> {
        let client = admitted(context)?;
        let phone = &body.phone;
        let phone = decrypt_phone(
            client,
            &phone.phone_country_code,
            &phone.encrypted_phone_number.0,
            "phone.encryptedPhoneNumber",
        )?;
        let otp = client
            .cipher
            .open(&body.encrypted_otp_token.0)
            .map_err(|e| {
                ApiError::invalid(
                    "encryptedOtpToken",
                    format!(
                        "encryptedOtpToken cannot be decrypted with the client's {} cipher: {e}",
                        client.cipher.name()
                    ),
                )
            })?;
        let result = self.app.otp.rao_validate(client, sid, &phone, &otp).await;
        observe::otp_outcome("rao", false, &result);
        result.map_err(|e| rao_error(&e))
    }

    async fn certified_phone(
        &self,
        context: &RequestContext,
        sid: &str,
    ) -> Result<CertifiedPhone, ApiError> {
        let client = admitted(context)?;
        let phone = self
            .app
            .otp
            .rao_certified_phone(client, sid)
            .await
            .map_err(|e| match e {
                crate::otp::OtpError::NotFound => {
                    ApiError::new(crate::error::code::RESOURCE_NOT_FOUND, "sid")
                        .with_details("No certified phone for this sid")
                }
                other => rao_error(&other),
            })?;
        Ok(CertifiedPhone::new(phone.country_code, phone.number))
    }
}

/// Decrypts a phone number: 4 to 15 digits, or `400` naming `location`.
fn decrypt_phone(
    client: &Client,
    country_code: &str,
    sealed: &[u8],
    location: &str,
) -> Result<Phone, ApiError> {
    let number = client.cipher.open(sealed).map_err(|e| {
        ApiError::invalid(
            location,
            format!(
                "{location} cannot be decrypted with the client's {} cipher: {e}",
                client.cipher.name()
            ),
        )
    })?;
    if !(4..=15).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            location,
            format!("{location} must decrypt to a phone number of 4 to 15 digits"),
        ));
    }
    let phone = Phone {
        country_code: country_code.to_owned(),
        number,
    };
    observe::note_phone(&phone.full());
    Ok(phone)
}
