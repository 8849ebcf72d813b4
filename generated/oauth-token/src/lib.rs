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
pub enum IssueTokenResponse {
    /// Access token issued.
    Success
    {
        body: models::TokenResponse,
        cache_control:
        Option<
        String
        >
        ,
        pragma:
        Option<
        String
        >
    }
    ,
    /// invalid_request, unsupported_grant_type or invalid_scope (RFC 6749 section 5.2).
    BadRequest
    (models::OAuthError)
    ,
    /// invalid_client (RFC 6749 section 5.2).
    Unauthorized
    {
        body: models::OAuthError,
        www_authenticate:
        Option<
        String
        >
    }
    ,
    /// Too many failed client authentications for this client_id: after 10 within a minute from one source address, token requests naming it from that address are refused, whatever their secret, until the minute ends; after 100 from all addresses together, from every address (RFC 6585 section 4). A client_id that is not registered is never counted. The body is an RFC 6749 section 5.2 error, invalid_client.
    TooManyRequests
    {
        body: models::OAuthError,
        retry_after:
        Option<
        i32
        >
    }
}

/// API
#[cfg_attr(feature = "mock", automock)]
#[async_trait]
#[allow(clippy::too_many_arguments, clippy::ptr_arg)]
pub trait Api<C: Send + Sync> {
    /// Issue an access token to a registered client (client credentials grant).
    async fn issue_token(
        &self,
        grant_type: models::IssueTokenRequestGrantType,
        authorization: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        scope: Option<models::IssueTokenRequestScope>,
        context: &C) -> Result<IssueTokenResponse, ApiError>;

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

    /// Issue an access token to a registered client (client credentials grant).
    async fn issue_token(
        &self,
        grant_type: models::IssueTokenRequestGrantType,
        authorization: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        scope: Option<models::IssueTokenRequestScope>,
        ) -> Result<IssueTokenResponse, ApiError>;

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

    /// Issue an access token to a registered client (client credentials grant).
    async fn issue_token(
        &self,
        grant_type: models::IssueTokenRequestGrantType,
        authorization: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        scope: Option<models::IssueTokenRequestScope>,
        ) -> Result<IssueTokenResponse, ApiError>
    {
        let context = self.context().clone();
        self.api().issue_token(grant_type, authorization, client_id, client_secret, scope, &context).await
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
