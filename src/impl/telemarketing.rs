//! `telemarketing_otp::Api`: generate and validate; and the telemarketing
//! API's one mapping from domain errors to its documented codes.

use super::{admitted, respond, RequestContext};
use crate::app::App;
use crate::error::{code, ApiError};
use crate::observe;
use crate::otp::{OtpError, TelemarketingOtp, TelemarketingRequest, SMS_MAX_CHARS};
use async_trait::async_trait;
use swagger::ApiError as RouterError;
use telemarketing_otp::models::{
    TelemarketingOtpRequest, TelemarketingOtpResponse, ValidateTelemarketingOtpRequest,
};
use telemarketing_otp::{Api, GenerateTelemarketingOtpResponse, ValidateTelemarketingOtpResponse};

#[derive(Clone)]
pub struct TelemarketingApi {
    app: App,
}

impl TelemarketingApi {
    pub fn new(app: &App) -> Self {
        Self { app: app.clone() }
    }
}

#[async_trait]
impl Api<RequestContext> for TelemarketingApi {
    async fn generate_telemarketing_otp(
        &self,
        _uuid: String,
        _content_type: String,
        _accept_language: String,
        country_code: String,
        _business_code: String,
        _channel_id: String,
        _client_id: String,
        _authorization: String,
        body: TelemarketingOtpRequest,
        context: &RequestContext,
    ) -> Result<GenerateTelemarketingOtpResponse, RouterError> {
        let outcome = self.generate(context, &country_code, &body).await;
        respond(
            context,
            outcome.map(|TelemarketingOtp { prefix, sid }| {
                let mut body = TelemarketingOtpResponse::new();
                body.one_time_password_token = Some(prefix);
                GenerateTelemarketingOtpResponse::Success {
                    body,
                    sid: Some(sid),
                }
            }),
        )
    }

    async fn validate_telemarketing_otp(
        &self,
        _uuid: String,
        sid: String,
        _content_type: String,
        _accept_language: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        _client_id: String,
        _authorization: String,
        body: ValidateTelemarketingOtpRequest,
        context: &RequestContext,
    ) -> Result<ValidateTelemarketingOtpResponse, RouterError> {
        let outcome = self.validate(context, &sid, &body).await;
        respond(
            context,
            outcome.map(|()| ValidateTelemarketingOtpResponse::Success),
        )
    }
}

impl TelemarketingApi {
    async fn generate(
        &self,
        context: &RequestContext,
        country: &str,
        body: &TelemarketingOtpRequest,
    ) -> Result<TelemarketingOtp, ApiError> {
        let client = admitted(context)?;
        let request = TelemarketingRequest {
            customer_id: &body.customer_id,
            phone_number: &body.phone_number,
            country,
            message_prefix: &body.message_prefix,
            message_suffix: body.message_suffix.as_deref(),
        };
        observe::note_phone(&body.phone_number);
        let otp = self.app.otp();
        otp.telemarketing_generate(client, &request)
            .await
            .map_err(error)
    }

    async fn validate(
        &self,
        context: &RequestContext,
        sid: &str,
        body: &ValidateTelemarketingOtpRequest,
    ) -> Result<(), ApiError> {
        let client = admitted(context)?;
        let (customer, otp) = (&body.customer_id, &body.one_time_password_token);
        let engine = self.app.otp();
        engine
            .telemarketing_validate(client, sid, customer, otp)
            .await
            .map_err(error)
    }
}

/// The telemarketing answer to a failed flow. Causes go to the log.
fn error(error: OtpError) -> ApiError {
    let otp = |code: &'static str, details: String| {
        ApiError::new(code, "oneTimePasswordToken").with_details(details)
    };
    match error {
        OtpError::NotFound => {
            ApiError::invalid("sid", "Unknown, used or burnt session: generate a new OTP")
        }
        OtpError::Expired => otp(code::OTP_TOKEN_EXPIRED, "OTP Token Expired".into()),
        OtpError::Invalid { attempts_left } => {
            otp(code::OTP_TOKEN_INVALID, super::invalid_otp(attempts_left))
        }
        OtpError::Throttled {
            reason,
            retry_after,
        } => ApiError::invalid("phoneNumber", super::throttled(reason, retry_after)),
        OtpError::Locked { retry_after } => {
            ApiError::invalid("oneTimePasswordToken", super::locked(retry_after))
        }
        OtpError::Phone(e) => ApiError::invalid("phoneNumber", format!("phoneNumber: {e}")),
        OtpError::MessageTooLong { chars } => ApiError::invalid(
            "messagePrefix",
            format!("messagePrefix, the 11-character OTP and messageSuffix make an SMS of {chars} characters; at most {SMS_MAX_CHARS} fit"),
        ),
        OtpError::Sms(e) => {
            tracing::warn!(cause = %e, "sms delivery failed");
            ApiError::new(code::SMS_DELIVERY_FAILED, "phoneNumber")
        }
        OtpError::Mfa(e) => {
            tracing::error!(cause = %e, "MFA engine failed");
            ApiError::new(code::BACKEND_ERROR, "server")
        }
        OtpError::Store(_) | OtpError::Random(_) => super::internal(&error),
    }
}

/// Where a real telemarketing error of `code` points (for forced errors).
pub(super) fn location(code: &str) -> Option<&'static str> {
    Some(match code {
        code::SMS_DELIVERY_FAILED => "phoneNumber",
        code::OTP_TOKEN_INVALID | code::OTP_TOKEN_EXPIRED => "oneTimePasswordToken",
        _ => return None,
    })
}
