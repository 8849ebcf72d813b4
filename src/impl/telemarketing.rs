//! `telemarketing_otp::Api`: generate and validate.

use super::{admitted, render, RequestContext};
use crate::app::App;
use crate::contract::OperationId;
use crate::error::{telemarketing_error, ApiError};
use crate::observe;
use crate::otp::{TelemarketingOtp, TelemarketingRequest};
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

/// The telemarketing response variant for an error's status.
macro_rules! telemarketing_error_response {
    ($response:ident, $app:expr, $op:expr, $error:expr, $uuid:expr) => {{
        let (status, body) = render($app, $op, &$error, $uuid);
        let body = body.to_model();
        match status {
            400 => $response::BadRequest(body),
            401 => $response::Unauthorized(body),
            403 => $response::Forbidden(body),
            _ => $response::InternalServerError(body),
        }
    }};
}

#[async_trait]
impl Api<RequestContext> for TelemarketingApi {
    async fn generate_telemarketing_otp(
        &self,
        uuid: String,
        _content_type: String,
        _accept_language: String,
        _country_code: String,
        _business_code: String,
        _channel_id: String,
        _client_id: String,
        _authorization: String,
        body: TelemarketingOtpRequest,
        context: &RequestContext,
    ) -> Result<GenerateTelemarketingOtpResponse, RouterError> {
        Ok(match self.generate(context, &body).await {
            Ok(TelemarketingOtp { prefix, sid }) => {
                let mut response = TelemarketingOtpResponse::new();
                response.one_time_password_token = Some(prefix);
                GenerateTelemarketingOtpResponse::Success {
                    body: response,
                    sid: Some(sid),
                }
            }
            Err(e) => telemarketing_error_response!(
                GenerateTelemarketingOtpResponse,
                &self.app,
                OperationId::GenerateTelemarketingOtp,
                e,
                &uuid
            ),
        })
    }

    async fn validate_telemarketing_otp(
        &self,
        uuid: String,
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
        Ok(match self.validate(context, &sid, &body).await {
            Ok(()) => ValidateTelemarketingOtpResponse::Success,
            Err(e) => telemarketing_error_response!(
                ValidateTelemarketingOtpResponse,
                &self.app,
                OperationId::ValidateTelemarketingOtp,
                e,
                &uuid
            ),
        })
    }
}

impl TelemarketingApi {
    async fn generate(
        &self,
        context: &RequestContext,
        body: &TelemarketingOtpRequest,
    ) -> Result<TelemarketingOtp, ApiError> {
        let client = admitted(context)?;
        let request = TelemarketingRequest {
            customer_id: &body.customer_id,
            phone_number: &body.phone_number,
            message_prefix: &body.message_prefix,
            message_suffix: body.message_suffix.as_deref(),
        };
        observe::note_phone(&body.phone_number);
        let result = self.app.otp.telemarketing_generate(client, &request).await;
        observe::otp_outcome("telemarketing", true, &result);
        result.map_err(|e| telemarketing_error(&e))
    }

    async fn validate(
        &self,
        context: &RequestContext,
        sid: &str,
        body: &ValidateTelemarketingOtpRequest,
    ) -> Result<(), ApiError> {
        let client = admitted(context)?;
        let result = self
            .app
            .otp
            .telemarketing_validate(
                client,
                sid,
                &body.customer_id,
                &body.one_time_password_token,
            )
            .await;
        observe::otp_outcome("telemarketing", false, &result);
        result.map_err(|e| telemarketing_error(&e))
    }
}
