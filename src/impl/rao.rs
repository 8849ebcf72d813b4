//! `rao_token_management::Api`: generate, validate, certified-phone.

use super::{admitted, respond, RequestContext};
use crate::app::App;
use crate::contract::Api as ApiName;
use crate::error::{self, ApiError};
use crate::otp::OtpError;
use async_trait::async_trait;
use rao_token_management::models::{CertifiedPhone, GenerateRaoOtpRequest, ValidateRaoOtpRequest};
use rao_token_management::{
    Api, GenerateRaoOtpResponse, GetCertifiedPhoneResponse, ValidateRaoOtpResponse,
};
use swagger::ApiError as RouterError;

#[derive(Clone)]
pub(crate) struct RaoApi {
    app: App,
}

impl RaoApi {
    pub(crate) fn new(app: &App) -> Self {
        Self { app: app.clone() }
    }
}

/// The RAO answer to a failed flow; `phone_at` is where the request's
/// phone fields are (`phone.` in validate).
fn failed(phone_at: &'static str) -> impl Fn(OtpError) -> ApiError {
    move |e| error::answer(ApiName::Rao, &e, phone_at)
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
        let outcome = async {
            let client = admitted(context)?;
            let (country_code, sealed) = (&body.phone_country_code, &body.encrypted_phone_number);
            let flow = self.app.rao();
            let id = context.request.id;
            let generated = flow
                .generate(client, &sid, country_code, &sealed.0, id)
                .await;
            generated.map_err(failed(""))
        };
        let outcome = outcome.await;
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
        let outcome = async {
            let client = admitted(context)?;
            let phone = self.app.rao().certified_phone(client, &sid).await;
            let phone = phone.map_err(failed(""))?;
            Ok(CertifiedPhone::new(phone.country_code, phone.number))
        };
        let outcome = outcome.await;
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
        let outcome = async {
            let client = admitted(context)?;
            let phone = &body.phone;
            let flow = self.app.rao();
            let validated = flow.validate(
                client,
                &sid,
                &phone.phone_country_code,
                &phone.encrypted_phone_number.0,
                &body.encrypted_otp_token.0,
                context.request.id,
            );
            validated.await.map_err(failed("phone."))
        };
        let outcome = outcome.await;
        respond(context, outcome.map(|()| ValidateRaoOtpResponse::Success))
    }
}
