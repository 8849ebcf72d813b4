use bytes::Bytes;
use futures::{future, future::BoxFuture, Stream, stream, future::FutureExt, stream::TryStreamExt};
use http_body_util::{combinators::BoxBody, Full};
use hyper::{body::{Body, Incoming}, HeaderMap, Request, Response, StatusCode};
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use log::warn;
#[cfg(feature = "validate")]
use serde_valid::Validate;
#[allow(unused_imports)]
use std::convert::{TryFrom, TryInto};
use std::{convert::Infallible, error::Error};
use std::future::Future;
use std::marker::PhantomData;
use std::task::{Context, Poll};
use swagger::{ApiError, BodyExt, Has, RequestParser, XSpanIdString};
pub use swagger::auth::Authorization;
use swagger::auth::Scopes;
use url::form_urlencoded;

#[allow(unused_imports)]
use crate::{models, header, AuthenticationApi};

pub use crate::context;

type ServiceFuture = BoxFuture<'static, Result<Response<BoxBody<Bytes, Infallible>>, crate::ServiceError>>;

use crate::{Api,
     GenerateTelemarketingOtpResponse,
     ValidateTelemarketingOtpResponse
};

mod server_auth;

mod paths {
    use lazy_static::lazy_static;

    lazy_static! {
        pub static ref GLOBAL_REGEX_SET: regex::RegexSet = regex::RegexSet::new(vec![
            r"^/api/v1/x-global/security/tele-marketing/otp/generate$",
            r"^/api/v1/x-global/security/tele-marketing/otp/validate$"
        ])
        .expect("Unable to create global regex set");
    }
    pub(crate) static ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_GENERATE: usize = 0;
    pub(crate) static ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_VALIDATE: usize = 1;
}


pub struct MakeService<T, C>
where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static
{
    api_impl: T,
    marker: PhantomData<C>,
    validation: bool
}

impl<T, C> MakeService<T, C>
where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static
{
    pub fn new(api_impl: T) -> Self {
        MakeService {
            api_impl,
            marker: PhantomData,
            validation: false
        }
    }

    // Turn on/off validation for the service being made.
    #[cfg(feature = "validate")]
    pub fn set_validation(&mut self, validation: bool) {
        self.validation = validation;
    }
}

impl<T, C> Clone for MakeService<T, C>
where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString>  + Has<Option<Authorization>> + Send + Sync + 'static
{
    fn clone(&self) -> Self {
        Self {
            api_impl: self.api_impl.clone(),
            marker: PhantomData,
            validation: self.validation
        }
    }
}

impl<T, C, Target> hyper::service::Service<Target> for MakeService<T, C>
where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static
{
    type Response = Service<T, C>;
    type Error = crate::ServiceError;
    type Future = future::Ready<Result<Self::Response, Self::Error>>;

    fn call(&self, target: Target) -> Self::Future {
        let service = Service::new(self.api_impl.clone(), self.validation);

        future::ok(service)
    }
}

fn method_not_allowed() -> Result<Response<BoxBody<Bytes, Infallible>>, crate::ServiceError> {
    Ok(
        Response::builder().status(StatusCode::METHOD_NOT_ALLOWED)
            .body(BoxBody::new(http_body_util::Empty::new()))
            .expect("Unable to create Method Not Allowed response")
    )
}

#[allow(unused_macros)]
#[cfg(not(feature = "validate"))]
macro_rules! run_validation {
    ($parameter:tt, $base_name:tt, $validation:tt) => ();
}

#[allow(unused_macros)]
#[cfg(feature = "validate")]
macro_rules! run_validation {
    ($parameter:tt, $base_name:tt, $validation:tt) => {
        let $parameter = if $validation {
            match $parameter.validate() {
            Ok(()) => $parameter,
            Err(e) => return Ok(Response::builder()
                                    .status(StatusCode::BAD_REQUEST)
                                    .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                    .body(BoxBody::new(format!("Invalid value in body parameter {}: {}", $base_name, e)))
                                    .expect(&format!("Unable to create Bad Request response for invalid value in body parameter {}", $base_name))),
            }
        } else {
            $parameter
        };
    }
}

pub struct Service<T, C> where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static
{
    api_impl: T,
    marker: PhantomData<C>,
    // Enable regex pattern validation of received JSON models
    validation: bool,
}

impl<T, C> Service<T, C> where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static
{
    pub fn new(api_impl: T, validation: bool) -> Self {
        Service {
            api_impl,
            marker: PhantomData,
            validation,
        }
    }
    #[cfg(feature = "validate")]
    pub fn set_validation(&mut self, validation: bool) {
        self.validation = validation
    }

}

impl<T, C> Clone for Service<T, C> where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static
{
    fn clone(&self) -> Self {
        Service {
            api_impl: self.api_impl.clone(),
            marker: self.marker,
            validation: self.validation,
        }
    }
}

#[allow(dead_code)]
fn body_from_string(s: String) -> BoxBody<Bytes, Infallible> {
    BoxBody::new(Full::new(Bytes::from(s)))
}

fn body_from_str(s: &str) -> BoxBody<Bytes, Infallible> {
    BoxBody::new(Full::new(Bytes::copy_from_slice(s.as_bytes())))
}

impl<T, C, ReqBody> hyper::service::Service<(Request<ReqBody>, C)> for Service<T, C> where
    T: Api<C> + Clone + Send + Sync + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static,
    ReqBody: Body + Send + 'static,
    ReqBody::Error: Into<Box<dyn Error + Send + Sync>> + Send,
    ReqBody::Data: Send,
{
    type Response = Response<BoxBody<Bytes, Infallible>>;
    type Error = crate::ServiceError;
    type Future = ServiceFuture;

    fn call(&self, req: (Request<ReqBody>, C)) -> Self::Future {
        async fn run<T, C, ReqBody>(
            mut api_impl: T,
            req: (Request<ReqBody>, C),
            validation: bool,
        ) -> Result<Response<BoxBody<Bytes, Infallible>>, crate::ServiceError>
        where
            T: Api<C> + Clone + Send + 'static,
            C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static,
            ReqBody: Body + Send + 'static,
            ReqBody::Error: Into<Box<dyn Error + Send + Sync>> + Send,
            ReqBody::Data: Send,
        {
            let (request, context) = req;
            let (parts, body) = request.into_parts();
            let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
            let path = paths::GLOBAL_REGEX_SET.matches(uri.path());

            match method {

            // GenerateTelemarketingOtp - POST /v1/x-global/security/tele-marketing/otp/generate
            hyper::Method::POST if path.matched(paths::ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_GENERATE) => {
                let body = match http_body_util::BodyExt::collect(body).await {
                    Ok(body) => body.to_bytes(),
                    Err(e) => return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Unable to read body: {}", e.into())))
                                        .expect("Unable to create Bad Request response due to unable to read body")),
                };
                handle_generate_telemarketing_otp(api_impl, &uri, &headers, body, false, context, validation).await
            },

            // ValidateTelemarketingOtp - POST /v1/x-global/security/tele-marketing/otp/validate
            hyper::Method::POST if path.matched(paths::ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_VALIDATE) => {
                let body = match http_body_util::BodyExt::collect(body).await {
                    Ok(body) => body.to_bytes(),
                    Err(e) => return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Unable to read body: {}", e.into())))
                                        .expect("Unable to create Bad Request response due to unable to read body")),
                };
                handle_validate_telemarketing_otp(api_impl, &uri, &headers, body, false, context, validation).await
            },

            _ if path.matched(paths::ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_GENERATE) => method_not_allowed(),
            _ if path.matched(paths::ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_VALIDATE) => method_not_allowed(),
                _ => Ok(Response::builder().status(StatusCode::NOT_FOUND)
                        .body(BoxBody::new(http_body_util::Empty::new()))
                        .expect("Unable to create Not Found response"))
            }
        }
        Box::pin(run(
            self.api_impl.clone(),
            req,
            self.validation
        ))
    }
}

/// `X-Span-ID`, parsed at compile time.
const X_SPAN_ID: HeaderName = HeaderName::from_static("x-span-id");

impl<T, C> Service<T, C> where
    T: Api<C> + Clone + Send + Sync + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static,
{
    /// Runs the operation whose `operationId` is `operation_id` (as the
    /// spec writes it) on a request the caller has already routed to it
    /// (its method and path are the operation's) and whose body it has
    /// read: what `call` does once its router has chosen the operation and
    /// read the body. `None` when this API has no such operation.
    /// `fields_named`: the caller has checked that every key of the body's
    /// objects is one its schema names, so the body is deserialized without
    /// `serde_ignored` (there is no unknown field for it to report, and no
    /// `Warning` header to write); `false` keeps `call`'s way.
    pub async fn call_operation(
        self,
        operation_id: &str,
        parts: &hyper::http::request::Parts,
        body: Bytes,
        fields_named: bool,
        context: C,
    ) -> Option<Result<Response<BoxBody<Bytes, Infallible>>, crate::ServiceError>> {
        let Service { api_impl, validation, .. } = self;
        let (uri, headers) = (&parts.uri, &parts.headers);
        Some(match operation_id {
            // GenerateTelemarketingOtp - POST /v1/x-global/security/tele-marketing/otp/generate
            "generateTelemarketingOtp" => handle_generate_telemarketing_otp(api_impl, uri, headers, body, fields_named, context, validation).await,
            // ValidateTelemarketingOtp - POST /v1/x-global/security/tele-marketing/otp/validate
            "validateTelemarketingOtp" => handle_validate_telemarketing_otp(api_impl, uri, headers, body, fields_named, context, validation).await,
            _ => return None,
        })
    }
}

#[allow(unused_variables)]
async fn handle_generate_telemarketing_otp<T, C>(
    mut api_impl: T,
    uri: &hyper::Uri,
    headers: &HeaderMap,
    body: Bytes,
    fields_named: bool,
    mut context: C,
    validation: bool,
) -> Result<Response<BoxBody<Bytes, Infallible>>, crate::ServiceError>
where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static,
{
                {
                    let authorization = match *(&context as &dyn Has<Option<Authorization>>).get() {
                        Some(ref authorization) => authorization,
                        None => return Ok(Response::builder()
                                                .status(StatusCode::FORBIDDEN)
                                                .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                .body(body_from_str("Unauthenticated"))
                                                .expect("Unable to create Authentication Forbidden response")),
                    };

                    // Authorization
                    if let Scopes::Some(ref scopes) = authorization.scopes {
                        let required_scopes: std::collections::BTreeSet<String> = vec![
                            "/api/v1".to_string(), // 
                        ].into_iter().collect();

                        if !required_scopes.is_subset(scopes) {
                            let missing_scopes = required_scopes.difference(scopes);
                            return Ok(Response::builder()
                                .status(StatusCode::FORBIDDEN)
                                .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                .body(BoxBody::new(missing_scopes.fold(
                                    "Insufficient authorization, missing scopes".to_string(),
                                    |s, scope| format!("{s} {scope}"))
                                ))
                                .expect("Unable to create Authentication Insufficient response")
                            );
                        }
                    }
                }

                // Header parameters: the first value of each name, as `HeaderMap::get`
                // gives it, found in one pass over the request's headers.
                let mut param_uuid: Option<&HeaderValue> = None;
                let mut param_content_type: Option<&HeaderValue> = None;
                let mut param_accept_language: Option<&HeaderValue> = None;
                let mut param_country_code: Option<&HeaderValue> = None;
                let mut param_business_code: Option<&HeaderValue> = None;
                let mut param_channel_id: Option<&HeaderValue> = None;
                let mut param_client_id: Option<&HeaderValue> = None;
                let mut param_authorization: Option<&HeaderValue> = None;
                for (name, value) in headers {
                    #[allow(clippy::single_match)]
                    match name.as_str() {
                        "uuid" if param_uuid.is_none() => param_uuid = Some(value),
                        "content-type" if param_content_type.is_none() => param_content_type = Some(value),
                        "accept-language" if param_accept_language.is_none() => param_accept_language = Some(value),
                        "countrycode" if param_country_code.is_none() => param_country_code = Some(value),
                        "businesscode" if param_business_code.is_none() => param_business_code = Some(value),
                        "channelid" if param_channel_id.is_none() => param_channel_id = Some(value),
                        "client_id" if param_client_id.is_none() => param_client_id = Some(value),
                        "authorization" if param_authorization.is_none() => param_authorization = Some(value),
                        _ => {}
                    }
                }

                let param_uuid = match param_uuid {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header uuid - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header uuid"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header uuid"))
                                        .expect("Unable to create Bad Request response for missing required header uuid"));
                    }
                };
                let param_content_type = match param_content_type {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header Content-Type - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header Content-Type"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header Content-Type"))
                                        .expect("Unable to create Bad Request response for missing required header Content-Type"));
                    }
                };
                let param_accept_language = match param_accept_language {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header Accept-Language - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header Accept-Language"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header Accept-Language"))
                                        .expect("Unable to create Bad Request response for missing required header Accept-Language"));
                    }
                };
                let param_country_code = match param_country_code {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header countryCode - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header countryCode"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header countryCode"))
                                        .expect("Unable to create Bad Request response for missing required header countryCode"));
                    }
                };
                let param_business_code = match param_business_code {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header businessCode - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header businessCode"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header businessCode"))
                                        .expect("Unable to create Bad Request response for missing required header businessCode"));
                    }
                };
                let param_channel_id = match param_channel_id {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header channelId - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header channelId"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header channelId"))
                                        .expect("Unable to create Bad Request response for missing required header channelId"));
                    }
                };
                let param_client_id = match param_client_id {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header client_id - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header client_id"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header client_id"))
                                        .expect("Unable to create Bad Request response for missing required header client_id"));
                    }
                };
                let param_authorization = match param_authorization {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header Authorization - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header Authorization"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header Authorization"))
                                        .expect("Unable to create Bad Request response for missing required header Authorization"));
                    }
                };

                // Handle body parameters (note that non-required body parameters will ignore garbage
                // values, rather than causing a 400 response). Produce warning header and logs for
                // any unused fields.
                // The body was read by the caller (`Service::call` or `Service::call_operation`).
                {
                     {
                                let mut unused_elements : Vec<String> = vec![];
                                let param_telemarketing_otp_request: Option<models::TelemarketingOtpRequest> = if !body.is_empty() {
                                    let deserializer = &mut serde_json::Deserializer::from_slice(&body);
                                    let parsed = if fields_named {
                                        <Option<models::TelemarketingOtpRequest> as serde::Deserialize>::deserialize(deserializer)
                                    } else {
                                        serde_ignored::deserialize(deserializer, |path| {
                                            warn!("Ignoring unknown field in body: {path}");
                                            unused_elements.push(path.to_string());
                                        })
                                    };
                                    match parsed {
                                        Ok(param_telemarketing_otp_request) => param_telemarketing_otp_request,
                                        Err(e) => return Ok(Response::builder()
                                                        .status(StatusCode::BAD_REQUEST)
                                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                        .body(BoxBody::new(format!("Couldn't parse body parameter TelemarketingOTPRequest - doesn't match schema: {e}")))
                                                        .expect("Unable to create Bad Request response for invalid body parameter TelemarketingOTPRequest due to schema")),
                                    }

                                } else {
                                    None
                                };
                                let param_telemarketing_otp_request = match param_telemarketing_otp_request {
                                    Some(param_telemarketing_otp_request) => param_telemarketing_otp_request,
                                    None => return Ok(Response::builder()
                                                        .status(StatusCode::BAD_REQUEST)
                                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                        .body(BoxBody::new("Missing required body parameter TelemarketingOTPRequest".to_string()))
                                                        .expect("Unable to create Bad Request response for missing body parameter TelemarketingOTPRequest")),
                                };
        #[cfg(not(feature = "validate"))]
                                run_validation!(param_telemarketing_otp_request, "TelemarketingOTPRequest", validation);

                                let result = api_impl.generate_telemarketing_otp(
                                            param_uuid,
                                            param_content_type,
                                            param_accept_language,
                                            param_country_code,
                                            param_business_code,
                                            param_channel_id,
                                            param_client_id,
                                            param_authorization,
                                            param_telemarketing_otp_request,
                                        &context
                                    ).await;
                                let mut response = Response::new(BoxBody::new(http_body_util::Empty::new()));
                                // The context's span id is not read again: its string becomes the header value.
                                let span_id = std::mem::take(&mut (&mut context as &mut dyn Has<XSpanIdString>).get_mut().0);
                                response.headers_mut().insert(
                                            X_SPAN_ID,
                                            HeaderValue::from_maybe_shared(Bytes::from(span_id))
                                                .expect("Unable to create X-Span-ID header value"));

                                        if !unused_elements.is_empty() {
                                            response.headers_mut().insert(
                                                HeaderName::from_static("warning"),
                                                HeaderValue::from_str(format!("Ignoring unknown fields in body: {unused_elements:?}").as_str())
                                                    .expect("Unable to create Warning header value"));
                                        }
                                        match result {
                                            Ok(rsp) => match rsp {
                                                GenerateTelemarketingOtpResponse::Success
                                                    {
                                                        body,
                                                        sid
                                                    }
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(200).expect("Unable to turn 200 into a StatusCode");

                                                    if let Some(sid) = sid {
                                                    let sid = match header::IntoHeaderValue(sid).try_into() {
                                                        Ok(val) => val,
                                                        Err(e) => {
                                                            return Ok(Response::builder()
                                                                    .status(StatusCode::INTERNAL_SERVER_ERROR)
                                                                    .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                                    .body(body_from_string(format!("An internal server error occurred handling sid header - {e}")))
                                                                    .expect("Unable to create Internal Server Error for invalid response header"))
                                                        }
                                                    };

                                                    response.headers_mut().insert(
                                                        {
                                                            const NAME: HeaderName = HeaderName::from_static("sid");
                                                            NAME
                                                        },
                                                        sid
                                                    );
                                                    }
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                GenerateTelemarketingOtpResponse::BadRequest
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(400).expect("Unable to turn 400 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                GenerateTelemarketingOtpResponse::Unauthorized
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(401).expect("Unable to turn 401 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                GenerateTelemarketingOtpResponse::Forbidden
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(403).expect("Unable to turn 403 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                GenerateTelemarketingOtpResponse::InternalServerError
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(500).expect("Unable to turn 500 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                            },
                                            Err(_) => {
                                                // Application code returned an error. This should not happen, as the implementation should
                                                // return a valid response.
                                                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                                                response.headers_mut().insert(
                                                    CONTENT_TYPE,
                                                    HeaderValue::from_static("text/plain"),
                                                );
                                                *response.body_mut() = body_from_str("An internal error occurred");
                                            },
                                        }

                                        Ok(response)
                            }
                        }
}

#[allow(unused_variables)]
async fn handle_validate_telemarketing_otp<T, C>(
    mut api_impl: T,
    uri: &hyper::Uri,
    headers: &HeaderMap,
    body: Bytes,
    fields_named: bool,
    mut context: C,
    validation: bool,
) -> Result<Response<BoxBody<Bytes, Infallible>>, crate::ServiceError>
where
    T: Api<C> + Clone + Send + 'static,
    C: Has<XSpanIdString> + Has<Option<Authorization>> + Send + Sync + 'static,
{
                {
                    let authorization = match *(&context as &dyn Has<Option<Authorization>>).get() {
                        Some(ref authorization) => authorization,
                        None => return Ok(Response::builder()
                                                .status(StatusCode::FORBIDDEN)
                                                .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                .body(body_from_str("Unauthenticated"))
                                                .expect("Unable to create Authentication Forbidden response")),
                    };

                    // Authorization
                    if let Scopes::Some(ref scopes) = authorization.scopes {
                        let required_scopes: std::collections::BTreeSet<String> = vec![
                            "/api/v1".to_string(), // 
                        ].into_iter().collect();

                        if !required_scopes.is_subset(scopes) {
                            let missing_scopes = required_scopes.difference(scopes);
                            return Ok(Response::builder()
                                .status(StatusCode::FORBIDDEN)
                                .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                .body(BoxBody::new(missing_scopes.fold(
                                    "Insufficient authorization, missing scopes".to_string(),
                                    |s, scope| format!("{s} {scope}"))
                                ))
                                .expect("Unable to create Authentication Insufficient response")
                            );
                        }
                    }
                }

                // Header parameters: the first value of each name, as `HeaderMap::get`
                // gives it, found in one pass over the request's headers.
                let mut param_uuid: Option<&HeaderValue> = None;
                let mut param_sid: Option<&HeaderValue> = None;
                let mut param_content_type: Option<&HeaderValue> = None;
                let mut param_accept_language: Option<&HeaderValue> = None;
                let mut param_country_code: Option<&HeaderValue> = None;
                let mut param_business_code: Option<&HeaderValue> = None;
                let mut param_channel_id: Option<&HeaderValue> = None;
                let mut param_client_id: Option<&HeaderValue> = None;
                let mut param_authorization: Option<&HeaderValue> = None;
                for (name, value) in headers {
                    #[allow(clippy::single_match)]
                    match name.as_str() {
                        "uuid" if param_uuid.is_none() => param_uuid = Some(value),
                        "sid" if param_sid.is_none() => param_sid = Some(value),
                        "content-type" if param_content_type.is_none() => param_content_type = Some(value),
                        "accept-language" if param_accept_language.is_none() => param_accept_language = Some(value),
                        "countrycode" if param_country_code.is_none() => param_country_code = Some(value),
                        "businesscode" if param_business_code.is_none() => param_business_code = Some(value),
                        "channelid" if param_channel_id.is_none() => param_channel_id = Some(value),
                        "client_id" if param_client_id.is_none() => param_client_id = Some(value),
                        "authorization" if param_authorization.is_none() => param_authorization = Some(value),
                        _ => {}
                    }
                }

                let param_uuid = match param_uuid {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header uuid - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header uuid"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header uuid"))
                                        .expect("Unable to create Bad Request response for missing required header uuid"));
                    }
                };
                let param_sid = match param_sid {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header sid - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header sid"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header sid"))
                                        .expect("Unable to create Bad Request response for missing required header sid"));
                    }
                };
                let param_content_type = match param_content_type {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header Content-Type - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header Content-Type"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header Content-Type"))
                                        .expect("Unable to create Bad Request response for missing required header Content-Type"));
                    }
                };
                let param_accept_language = match param_accept_language {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header Accept-Language - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header Accept-Language"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header Accept-Language"))
                                        .expect("Unable to create Bad Request response for missing required header Accept-Language"));
                    }
                };
                let param_country_code = match param_country_code {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header countryCode - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header countryCode"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header countryCode"))
                                        .expect("Unable to create Bad Request response for missing required header countryCode"));
                    }
                };
                let param_business_code = match param_business_code {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header businessCode - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header businessCode"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header businessCode"))
                                        .expect("Unable to create Bad Request response for missing required header businessCode"));
                    }
                };
                let param_channel_id = match param_channel_id {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header channelId - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header channelId"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header channelId"))
                                        .expect("Unable to create Bad Request response for missing required header channelId"));
                    }
                };
                let param_client_id = match param_client_id {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header client_id - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header client_id"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header client_id"))
                                        .expect("Unable to create Bad Request response for missing required header client_id"));
                    }
                };
                let param_authorization = match param_authorization {
                    // `IntoHeaderValue::<String>::try_from`, without a clone of the value
                    Some(v) => match v.to_str().map(str::to_owned).map_err(|e| format!("Unable to convert header {v:?} to {e}")) {
                        Ok(result) =>
                            result,
                        Err(err) => {
                            return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_string(format!("Invalid header Authorization - {err}")))
                                        .expect("Unable to create Bad Request response for invalid header Authorization"));

                        },
                    },
                    None => {
                        return Ok(Response::builder()
                                        .status(StatusCode::BAD_REQUEST)
                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                        .body(body_from_str("Missing required header Authorization"))
                                        .expect("Unable to create Bad Request response for missing required header Authorization"));
                    }
                };

                // Handle body parameters (note that non-required body parameters will ignore garbage
                // values, rather than causing a 400 response). Produce warning header and logs for
                // any unused fields.
                // The body was read by the caller (`Service::call` or `Service::call_operation`).
                {
                     {
                                let mut unused_elements : Vec<String> = vec![];
                                let param_validate_otp_request: Option<models::ValidateTelemarketingOtpRequest> = if !body.is_empty() {
                                    let deserializer = &mut serde_json::Deserializer::from_slice(&body);
                                    let parsed = if fields_named {
                                        <Option<models::ValidateTelemarketingOtpRequest> as serde::Deserialize>::deserialize(deserializer)
                                    } else {
                                        serde_ignored::deserialize(deserializer, |path| {
                                            warn!("Ignoring unknown field in body: {path}");
                                            unused_elements.push(path.to_string());
                                        })
                                    };
                                    match parsed {
                                        Ok(param_validate_otp_request) => param_validate_otp_request,
                                        Err(e) => return Ok(Response::builder()
                                                        .status(StatusCode::BAD_REQUEST)
                                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                        .body(BoxBody::new(format!("Couldn't parse body parameter ValidateOTPRequest - doesn't match schema: {e}")))
                                                        .expect("Unable to create Bad Request response for invalid body parameter ValidateOTPRequest due to schema")),
                                    }

                                } else {
                                    None
                                };
                                let param_validate_otp_request = match param_validate_otp_request {
                                    Some(param_validate_otp_request) => param_validate_otp_request,
                                    None => return Ok(Response::builder()
                                                        .status(StatusCode::BAD_REQUEST)
                                                        .header(CONTENT_TYPE, mime::TEXT_PLAIN.as_ref())
                                                        .body(BoxBody::new("Missing required body parameter ValidateOTPRequest".to_string()))
                                                        .expect("Unable to create Bad Request response for missing body parameter ValidateOTPRequest")),
                                };
        #[cfg(not(feature = "validate"))]
                                run_validation!(param_validate_otp_request, "ValidateOTPRequest", validation);

                                let result = api_impl.validate_telemarketing_otp(
                                            param_uuid,
                                            param_sid,
                                            param_content_type,
                                            param_accept_language,
                                            param_country_code,
                                            param_business_code,
                                            param_channel_id,
                                            param_client_id,
                                            param_authorization,
                                            param_validate_otp_request,
                                        &context
                                    ).await;
                                let mut response = Response::new(BoxBody::new(http_body_util::Empty::new()));
                                // The context's span id is not read again: its string becomes the header value.
                                let span_id = std::mem::take(&mut (&mut context as &mut dyn Has<XSpanIdString>).get_mut().0);
                                response.headers_mut().insert(
                                            X_SPAN_ID,
                                            HeaderValue::from_maybe_shared(Bytes::from(span_id))
                                                .expect("Unable to create X-Span-ID header value"));

                                        if !unused_elements.is_empty() {
                                            response.headers_mut().insert(
                                                HeaderName::from_static("warning"),
                                                HeaderValue::from_str(format!("Ignoring unknown fields in body: {unused_elements:?}").as_str())
                                                    .expect("Unable to create Warning header value"));
                                        }
                                        match result {
                                            Ok(rsp) => match rsp {
                                                ValidateTelemarketingOtpResponse::Success
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(200).expect("Unable to turn 200 into a StatusCode");

                                                },
                                                ValidateTelemarketingOtpResponse::BadRequest
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(400).expect("Unable to turn 400 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                ValidateTelemarketingOtpResponse::Unauthorized
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(401).expect("Unable to turn 401 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                ValidateTelemarketingOtpResponse::Forbidden
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(403).expect("Unable to turn 403 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                                ValidateTelemarketingOtpResponse::InternalServerError
                                                    (body)
                                                => {
                                                    *response.status_mut() = StatusCode::from_u16(500).expect("Unable to turn 500 into a StatusCode");
                                                    response.headers_mut().insert(
                                                        CONTENT_TYPE,
                                                        HeaderValue::from_static("application/json"));
                                                    // JSON Body
                                                    let body = serde_json::to_string(&body).expect("impossible to fail to serialize");
                                                    *response.body_mut() = body_from_string(body);

                                                },
                                            },
                                            Err(_) => {
                                                // Application code returned an error. This should not happen, as the implementation should
                                                // return a valid response.
                                                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                                                response.headers_mut().insert(
                                                    CONTENT_TYPE,
                                                    HeaderValue::from_static("text/plain"),
                                                );
                                                *response.body_mut() = body_from_str("An internal error occurred");
                                            },
                                        }

                                        Ok(response)
                            }
                        }
}

/// Request parser for `Api`.
pub struct ApiRequestParser;
impl<T> RequestParser<T> for ApiRequestParser {
    fn parse_operation_id(request: &Request<T>) -> Option<&'static str> {
        let path = paths::GLOBAL_REGEX_SET.matches(request.uri().path());
        match *request.method() {
            // GenerateTelemarketingOtp - POST /v1/x-global/security/tele-marketing/otp/generate
            hyper::Method::POST if path.matched(paths::ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_GENERATE) => Some("GenerateTelemarketingOtp"),
            // ValidateTelemarketingOtp - POST /v1/x-global/security/tele-marketing/otp/validate
            hyper::Method::POST if path.matched(paths::ID_V1_X_GLOBAL_SECURITY_TELE_MARKETING_OTP_VALIDATE) => Some("ValidateTelemarketingOtp"),
            _ => None,
        }
    }
}
