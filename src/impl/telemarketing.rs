//! `telemarketing_otp::Api`: generate and validate.

use super::{admitted, respond, RequestContext};
use crate::app::App;
use crate::contract::Api as ApiName;
use crate::error::{self, ApiError};
use crate::otp::{OtpError, TelemarketingOtp, TelemarketingRequest};
use async_trait::async_trait;
use swagger::ApiError as RouterError;
use telemarketing_otp::models::{
    TelemarketingOtpRequest, TelemarketingOtpResponse, ValidateTelemarketingOtpRequest,
};
use telemarketing_otp::{Api, GenerateTelemarketingOtpResponse, ValidateTelemarketingOtpResponse};

#[derive(Clone)]
pub(crate) struct TelemarketingApi {
    app: App,
}

impl TelemarketingApi {
    pub(crate) fn new(app: &App) -> Self {
        Self { app: app.clone() }
    }
}

/// The telemarketing answer to a failed flow.
fn failed(e: OtpError) -> ApiError {
    error::answer(ApiName::Telemarketing, &e, "")
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
        let outcome = async {
            let client = admitted(context)?;
            let request = TelemarketingRequest {
                customer_id: &body.customer_id,
                phone_number: &body.phone_number,
                country: &country_code,
                message_prefix: &body.message_prefix,
                message_suffix: body.message_suffix.as_deref(),
                request: context.request.id,
            };
            let generated = self.app.telemarketing().generate(client, &request).await;
            generated.map_err(failed)
        };
        let outcome = outcome.await;
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
        let outcome = async {
            let client = admitted(context)?;
            let (customer, otp) = (&body.customer_id, &body.one_time_password_token);
            let flow = self.app.telemarketing();
            let validated = flow
                .validate(client, &sid, customer, otp, context.request.id)
                .await;
            validated.map_err(failed)
        };
        let outcome = outcome.await;
        respond(
            context,
            outcome.map(|()| ValidateTelemarketingOtpResponse::Success),
        )
    }
}
