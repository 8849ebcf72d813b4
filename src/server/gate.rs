//! The contract gate: authentication (401), access (403) and the spec's
//! rules for headers and body (400), in that order, before the generated
//! router sees the request. Pure: it reads the request and the config and
//! touches no state. The header and body rules are the contract's own
//! (`contract::check_request`), shared with the validation proxy.

use crate::app::App;
use crate::auth::TokenError;
use crate::config::Client;
use crate::contract::{self, Fields, Operation};
use crate::error::{code, ApiError};
use hyper::HeaderMap;
use std::sync::Arc;

/// Admits the request: the client it is made for and whether its body
/// names only its schema's fields, or the error to answer.
pub(crate) fn admit(
    app: &App,
    op: &Operation,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Arc<Client>, Fields), ApiError> {
    let client = authenticate(app, headers)?;
    authorize(op, &client, headers)?;
    let fields = contract::check_request(op, headers, body)
        .map_err(|v| ApiError::invalid(v.location, v.details))?;
    Ok((client, fields))
}

/// A header's value as text, if present and visible ASCII.
pub(crate) fn header(headers: &HeaderMap, name: impl hyper::header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The headers every request is read for, as keys parsed at compile time
/// (a lookup by `&str` parses and lower-cases the name each time).
pub(crate) mod names {
    use hyper::header::HeaderName;

    pub(crate) const UUID: HeaderName = HeaderName::from_static("uuid");
    pub(crate) const CLIENT_ID: HeaderName = HeaderName::from_static("client_id");
    pub(crate) const X_IBM_CLIENT_ID: HeaderName = HeaderName::from_static("x-ibm-client-id");
    pub(crate) const COUNTRY_CODE: HeaderName = HeaderName::from_static("countrycode");
    pub(crate) const BUSINESS_CODE: HeaderName = HeaderName::from_static("businesscode");
    pub(crate) const CHANNEL_ID: HeaderName = HeaderName::from_static("channelid");
}

fn authenticate(app: &App, headers: &HeaderMap) -> Result<Arc<Client>, ApiError> {
    let unauthorized = |location: &str, details: &str| {
        ApiError::new(code::UNAUTHORIZED, location).with_details(details)
    };
    let client_id = header(headers, names::CLIENT_ID)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| unauthorized("client_id", "The client_id header is missing"))?;
    let credentials = header(headers, hyper::header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("Authorization", "The Authorization header is missing"))?;
    let token = credentials
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| {
            unauthorized(
                "Authorization",
                "Authorization must be `Bearer <access token>`",
            )
        })?;
    let client = app
        .config()
        .clients
        .get(client_id)
        .ok_or_else(|| unauthorized("client_id", "Unknown client_id"))?;
    app.tokens().verify(token, client_id).map_err(|e| {
        let details = match e {
            TokenError::Expired => "The access token has expired; request a new one",
            TokenError::OtherClient => "The access token was issued to another client_id",
            TokenError::Malformed | TokenError::BadSignature => "The access token is not valid",
        };
        unauthorized("Authorization", details)
    })?;
    if let Some(ibm) = headers.get(names::X_IBM_CLIENT_ID) {
        if ibm.as_bytes() != client_id.as_bytes() {
            return Err(unauthorized(
                "X-IBM-Client-Id",
                "X-IBM-Client-Id does not match client_id",
            ));
        }
    }
    Ok(client.clone())
}

fn authorize(op: &Operation, client: &Client, headers: &HeaderMap) -> Result<(), ApiError> {
    let api = op.api;
    if !api.needs_registration() {
        return Ok(());
    }
    let denied = |location: &str| Err(ApiError::new(code::ACCESS_NOT_CONFIGURED, location));
    if !client.apis.contains(&api) {
        return denied("client_id");
    }
    let (Some(country), Some(business), Some(channel)) = (
        header(headers, names::COUNTRY_CODE),
        header(headers, names::BUSINESS_CODE),
        header(headers, names::CHANNEL_ID),
    ) else {
        return Ok(()); // a missing one is the header check's 400
    };
    if client.may_access(api, country, business, channel) {
        return Ok(());
    }
    let entries = || client.access.iter();
    if !entries().any(|a| a.country == country) {
        denied("countryCode")
    } else if !entries().any(|a| a.country == country && a.business == business) {
        denied("businessCode")
    } else {
        denied("channelId")
    }
}
