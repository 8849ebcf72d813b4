#![allow(missing_docs, trivial_casts, unused_variables, unused_mut, unused_imports, unused_extern_crates, unused_attributes, non_camel_case_types)]
#![allow(clippy::derive_partial_eq_without_eq, clippy::disallowed_names)]

use async_trait::async_trait;
use futures::Stream;
#[cfg(feature = "mock")]
use mockall::automock;
use std::error::Error;
use std::collections::BTreeSet;
use std::task::{Poll, Context};
use swagger::{ApiError, ContextWrapper, auth::Authorization};
use serde::{Serialize, Deserialize};

#[cfg(any(feature = "client", feature = "server"))]
type ServiceError = Box<dyn Error + Send + Sync + 'static>;

pub const BASE_PATH: &str = "/api";
pub const API_VERSION: &str = "1.0";

mod auth;
pub use auth::{AuthenticationApi, Claims};


#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[must_use]
pub enum GenerateTelemarketingOtpResponse {
    /// OTP sent successfully
    Success
    {
        body: models::TelemarketingOtpResponse,
        sid:
        Option<
        String
        >
    }
    ,
    /// (BAD REQUEST) - Request was not processed Type | Code | Details | invalid | invalidRequest | Missing or invalid Parameters | error | smsDeliveryFailed | SMS delivery failed |
    BadRequest
    (models::ErrorResponse)
    ,
    /// (UNAUTHORIZED) - Request was not processed Type | Code | Details | error | unAuthorized | Unauthorized access to this resource |
    Unauthorized
    (models::ErrorResponse)
    ,
    /// (FORBIDDEN) - Unauthorized to perform the requested operation on resource Type | Code | Details | More Info | invalid | accessNotConfigured | The request operation is not configured to access this resource | Channel/Country/Business provided in the request is not supported currently |
    Forbidden
    (models::ErrorResponse)
    ,
    /// (INTERNAL SERVER ERROR) - API Server Error Type | Code | Details | error | backendError | Failed during a call to backend service | | fatal | serverUnavailable | The request failed due to an internal error/server unavailability |
    InternalServerError
    (models::ErrorResponse)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[must_use]
pub enum ValidateTelemarketingOtpResponse {
    /// OTP Successfully validated
    Success
    ,
    /// (BAD REQUEST) - Request was not processed Type | Code | Details | invalid | invalidRequest | Missing or invalid Parameters | error | OTP Token Invalid | OTP Token Invalid | error | OTP Token Expired | OTP Token Expired |
    BadRequest
    (models::ErrorResponse)
    ,
    /// (UNAUTHORIZED) - Request was not processed Type | Code | Details | error | unAuthorized | Unauthorized access to this resource |
    Unauthorized
    (models::ErrorResponse)
    ,
    /// (FORBIDDEN) - Unauthorized to perform the requested operation on resource Type | Code | Details | More Info | invalid | accessNotConfigured | The request operation is not configured to access this resource | Channel/Country/Business provided in the request is not supported currently |
    Forbidden
    (models::ErrorResponse)
    ,
    /// (INTERNAL SERVER ERROR) - API Server Error Type | Code | Details | error | backendError | Failed during a call to backend service | fatal | serverUnavailable | The request failed due to an internal error/server unavailability |
    InternalServerError
    (models::ErrorResponse)
}

/// API
#[cfg_attr(feature = "mock", automock)]
#[async_trait]
#[allow(clippy::too_many_arguments, clippy::ptr_arg)]
pub trait Api<C: Send + Sync> {
    /// Generate and send Telemarketing OTP to Customer's phone number via SMS to complete or authorize a transaction.
    async fn generate_telemarketing_otp(
        &self,
        uuid: String,
        content_type: String,
        accept_language: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        client_id: String,
        authorization: String,
        telemarketing_otp_request: models::TelemarketingOtpRequest,
        context: &C) -> Result<GenerateTelemarketingOtpResponse, ApiError>;

    /// This API validates telemarketing OTP token submitted by Customer.
    async fn validate_telemarketing_otp(
        &self,
        uuid: String,
        sid: String,
        content_type: String,
        accept_language: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        client_id: String,
        authorization: String,
        validate_otp_request: models::ValidateTelemarketingOtpRequest,
        context: &C) -> Result<ValidateTelemarketingOtpResponse, ApiError>;

}

/// API where `Context` isn't passed on every API call
#[cfg_attr(feature = "mock", automock)]
#[async_trait]
#[allow(clippy::too_many_arguments, clippy::ptr_arg)]
pub trait ApiNoContext<C: Send + Sync> {
    // The std::task::Context struct houses a reference to std::task::Waker with the lifetime <'a>.
    // Adding an anonymous lifetime `'a` to allow mockall to create a mock object with the right lifetimes.
    // This is needed because the compiler is unable to determine the lifetimes on F's trait bound
    // where F is the closure created by mockall. We use higher-rank trait bounds here to get around this.

    fn context(&self) -> &C;

    /// Generate and send Telemarketing OTP to Customer's phone number via SMS to complete or authorize a transaction.
    async fn generate_telemarketing_otp(
        &self,
        uuid: String,
        content_type: String,
        accept_language: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        client_id: String,
        authorization: String,
        telemarketing_otp_request: models::TelemarketingOtpRequest,
        ) -> Result<GenerateTelemarketingOtpResponse, ApiError>;

    /// This API validates telemarketing OTP token submitted by Customer.
    async fn validate_telemarketing_otp(
        &self,
        uuid: String,
        sid: String,
        content_type: String,
        accept_language: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        client_id: String,
        authorization: String,
        validate_otp_request: models::ValidateTelemarketingOtpRequest,
        ) -> Result<ValidateTelemarketingOtpResponse, ApiError>;

}

/// Trait to extend an API to make it easy to bind it to a context.
pub trait ContextWrapperExt<C: Send + Sync> where Self: Sized
{
    /// Binds this API to a context.
    fn with_context(self, context: C) -> ContextWrapper<Self, C>;
}

impl<T: Api<C> + Send + Sync, C: Clone + Send + Sync> ContextWrapperExt<C> for T {
    fn with_context(self: T, context: C) -> ContextWrapper<T, C> {
         ContextWrapper::<T, C>::new(self, context)
    }
}

#[async_trait]
impl<T: Api<C> + Send + Sync, C: Clone + Send + Sync> ApiNoContext<C> for ContextWrapper<T, C> {
    fn context(&self) -> &C {
        ContextWrapper::context(self)
    }

    /// Generate and send Telemarketing OTP to Customer's phone number via SMS to complete or authorize a transaction.
    async fn generate_telemarketing_otp(
        &self,
        uuid: String,
        content_type: String,
        accept_language: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        client_id: String,
        authorization: String,
        telemarketing_otp_request: models::TelemarketingOtpRequest,
        ) -> Result<GenerateTelemarketingOtpResponse, ApiError>
    {
        let context = self.context().clone();
        self.api().generate_telemarketing_otp(uuid, content_type, accept_language, country_code, business_code, channel_id, client_id, authorization, telemarketing_otp_request, &context).await
    }

    /// This API validates telemarketing OTP token submitted by Customer.
    async fn validate_telemarketing_otp(
        &self,
        uuid: String,
        sid: String,
        content_type: String,
        accept_language: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        client_id: String,
        authorization: String,
        validate_otp_request: models::ValidateTelemarketingOtpRequest,
        ) -> Result<ValidateTelemarketingOtpResponse, ApiError>
    {
        let context = self.context().clone();
        self.api().validate_telemarketing_otp(uuid, sid, content_type, accept_language, country_code, business_code, channel_id, client_id, authorization, validate_otp_request, &context).await
    }

}


#[cfg(feature = "client")]
pub mod client;

// Re-export Client as a top-level name
#[cfg(feature = "client")]
pub use client::Client;

#[cfg(feature = "server")]
pub mod server;

// Re-export router() as a top-level name
#[cfg(feature = "server")]
pub use self::server::Service;

#[cfg(feature = "server")]
pub mod context;

pub mod models;

#[cfg(any(feature = "client", feature = "server"))]
pub(crate) mod header;
