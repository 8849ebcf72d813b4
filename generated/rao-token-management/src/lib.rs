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
pub const API_VERSION: &str = "1.1.0";

mod auth;
pub use auth::{AuthenticationApi, Claims};


#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[must_use]
pub enum GenerateRaoOtpResponse {
    /// Successful operation.
    Success
    ,
    /// Type | Code | Details | error | invalidRequest | Missing or invalid Parameters | 
    InvalidRequest
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | error | unAuthorized | Authorization credentials are missing or invalid | 
    UnAuthorized
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | More Info | error | accessNotConfigured | The request operation is not configured to access this resource | Channel/Country/Business provided in the request is not supported currently | 
    AccessNotConfigured
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | More Info | error | resourceNotFound | The requested resource was not found | Empty resource/resource not found | 
    ResourceNotFound
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | error | businessValidationFailed | Business validation error occured on one or more parameters | 
    BusinessValidationFailed
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | fatal | serverUnavailable | The request failed due to an internal error/server unavailability | 
    ServerUnavailable
    (models::ErrorResponse)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[must_use]
pub enum GetCertifiedPhoneResponse {
    /// Successful operation.
    Success
    (models::CertifiedPhone)
    ,
    /// Type | Code | Details | error | invalidRequest | Missing or invalid Parameters | 
    InvalidRequest
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | error | unAuthorized | Authorization credentials are missing or invalid | 
    UnAuthorized
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | More Info | error | accessNotConfigured | The request operation is not configured to access this resource | Channel/Country/Business provided in the request is not supported currently | 
    AccessNotConfigured
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | More Info | error | resourceNotFound | The requested resource was not found | Empty resource/resource not found | 
    ResourceNotFound
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | error | businessValidationFailed | Business validation error occured on one or more parameters | 
    BusinessValidationFailed
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | fatal | serverUnavailable | The request failed due to an internal error/server unavailability | 
    ServerUnavailable
    (models::ErrorResponse)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[must_use]
pub enum ValidateRaoOtpResponse {
    /// Successful operation.
    Success
    ,
    /// Type | Code | Details | error | invalidRequest | Missing or invalid Parameters | 
    InvalidRequest
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | error | unAuthorized | Authorization credentials are missing or invalid | 
    UnAuthorized
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | More Info | error | accessNotConfigured | The request operation is not configured to access this resource | Channel/Country/Business provided in the request is not supported currently | 
    AccessNotConfigured
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | More Info | error | resourceNotFound | The requested resource was not found | Empty resource/resource not found | 
    ResourceNotFound
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | error | businessValidationFailed | Business validation error occured on one or more parameters | 
    BusinessValidationFailed
    (models::ErrorResponse)
    ,
    /// Type | Code | Details | fatal | serverUnavailable | The request failed due to an internal error/server unavailability | 
    ServerUnavailable
    (models::ErrorResponse)
}

/// API
#[cfg_attr(feature = "mock", automock)]
#[async_trait]
#[allow(clippy::too_many_arguments, clippy::ptr_arg)]
pub trait Api<C: Send + Sync> {
    /// LOB: AO; Feature: OTP Token; Functionality: Generate;
    async fn generate_rao_otp(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        generate_rao_otp_request: models::GenerateRaoOtpRequest,
        accept_language: Option<String>,
        context: &C) -> Result<GenerateRaoOtpResponse, ApiError>;

    /// LOB: AO; Feature: OTP Token; Functionality: Certified phone;
    async fn get_certified_phone(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        accept_language: Option<String>,
        context: &C) -> Result<GetCertifiedPhoneResponse, ApiError>;

    /// LOB: AO; Feature: OTP Token; Functionality: Validate;
    async fn validate_rao_otp(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        validate_rao_otp_request: models::ValidateRaoOtpRequest,
        accept_language: Option<String>,
        context: &C) -> Result<ValidateRaoOtpResponse, ApiError>;

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

    /// LOB: AO; Feature: OTP Token; Functionality: Generate;
    async fn generate_rao_otp(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        generate_rao_otp_request: models::GenerateRaoOtpRequest,
        accept_language: Option<String>,
        ) -> Result<GenerateRaoOtpResponse, ApiError>;

    /// LOB: AO; Feature: OTP Token; Functionality: Certified phone;
    async fn get_certified_phone(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        accept_language: Option<String>,
        ) -> Result<GetCertifiedPhoneResponse, ApiError>;

    /// LOB: AO; Feature: OTP Token; Functionality: Validate;
    async fn validate_rao_otp(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        validate_rao_otp_request: models::ValidateRaoOtpRequest,
        accept_language: Option<String>,
        ) -> Result<ValidateRaoOtpResponse, ApiError>;

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

    /// LOB: AO; Feature: OTP Token; Functionality: Generate;
    async fn generate_rao_otp(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        generate_rao_otp_request: models::GenerateRaoOtpRequest,
        accept_language: Option<String>,
        ) -> Result<GenerateRaoOtpResponse, ApiError>
    {
        let context = self.context().clone();
        self.api().generate_rao_otp(client_id, authorization, accept, uuid, content_type, country_code, business_code, channel_id, sid, generate_rao_otp_request, accept_language, &context).await
    }

    /// LOB: AO; Feature: OTP Token; Functionality: Certified phone;
    async fn get_certified_phone(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        accept_language: Option<String>,
        ) -> Result<GetCertifiedPhoneResponse, ApiError>
    {
        let context = self.context().clone();
        self.api().get_certified_phone(client_id, authorization, accept, uuid, content_type, country_code, business_code, channel_id, sid, accept_language, &context).await
    }

    /// LOB: AO; Feature: OTP Token; Functionality: Validate;
    async fn validate_rao_otp(
        &self,
        client_id: String,
        authorization: String,
        accept: String,
        uuid: String,
        content_type: String,
        country_code: String,
        business_code: String,
        channel_id: String,
        sid: String,
        validate_rao_otp_request: models::ValidateRaoOtpRequest,
        accept_language: Option<String>,
        ) -> Result<ValidateRaoOtpResponse, ApiError>
    {
        let context = self.context().clone();
        self.api().validate_rao_otp(client_id, authorization, accept, uuid, content_type, country_code, business_code, channel_id, sid, validate_rao_otp_request, accept_language, &context).await
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
