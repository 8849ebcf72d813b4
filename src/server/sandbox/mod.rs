//! Sandbox-only parts of the edge: the SMS outbox, `Prefer: error=`, and
//! the consumer testing kit — Pact provider states ([`states`]), the
//! WireMock-style reset and the sandbox clock ([`admin`]). Outside sandbox
//! mode none of these paths exists (`404`).

mod admin;
mod states;

use super::response::{self, Body};
use crate::app::App;
use crate::clock::parse_rfc3339;
use crate::contract::json::{self, JsonError};
use crate::contract::Operation;
use crate::error::ApiError;
use crate::store::again_if_stale;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Method, Request, Response};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

/// Most messages one outbox read returns.
const MAX_LIMIT: usize = 100;

/// Largest sandbox request body.
const MAX_BODY: usize = 16 * 1024;

/// The sandbox endpoint at `path`, if there is one: `Some(answer)`.
pub async fn route(
    app: &App,
    req: Request<Incoming>,
    uuid: Option<&str>,
) -> Option<Response<Body>> {
    let get = req.method() == Method::GET;
    let post = req.method() == Method::POST;
    let answer = match req.uri().path() {
        "/sandbox/v1/sms" if get => outbox(app, req.uri().query(), uuid).await,
        "/sandbox/v1/clock" if get => admin::clock(app),
        "/sandbox/v1/clock" if post => admin::advance(app, req, uuid).await,
        "/sandbox/v1/reset" if post => admin::reset(app, req, uuid).await,
        "/sandbox/v1/provider-states" if post => states::provider_state(app, req, uuid).await,
        "/sandbox/v1/sms" => return Some(super::edge::method_not_allowed(app, "GET", uuid)),
        "/sandbox/v1/clock" => {
            return Some(super::edge::method_not_allowed(app, "GET, POST", uuid))
        }
        "/sandbox/v1/reset" | "/sandbox/v1/provider-states" => {
            return Some(super::edge::method_not_allowed(app, "POST", uuid))
        }
        _ => return None,
    };
    Some(answer)
}

/// The optional JSON body of a sandbox request: `Ok(None)` when empty.
async fn body<T: DeserializeOwned>(req: Request<Incoming>) -> Result<Option<T>, ApiError> {
    let limited = http_body_util::Limited::new(req.into_body(), MAX_BODY);
    let bytes: Bytes = limited.collect().await.map(|b| b.to_bytes()).map_err(|_| {
        ApiError::invalid(
            "body",
            format!("The body could not be read (at most {MAX_BODY} bytes)"),
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value = json::parse(&bytes).map_err(|e| match e {
        JsonError::Syntax { line, column } => ApiError::invalid(
            "body",
            format!("The body is not well-formed JSON (line {line}, column {column})"),
        ),
        JsonError::Duplicate(path) => {
            ApiError::invalid(path.clone(), format!("{path} is given more than once"))
        }
    })?;
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| ApiError::invalid("body", format!("The body does not fit: {e}")))
}

/// A sandbox answer: the value as JSON, or the error.
fn answer(
    app: &App,
    result: Result<serde_json::Value, ApiError>,
    uuid: Option<&str>,
) -> Response<Body> {
    match result {
        Ok(value) => no_store(response::json(200, &value)),
        Err(e) => response::error(app, None, &e, uuid),
    }
}

/// Sandbox state must never be cached.
fn no_store(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

/// `GET /sandbox/v1/sms[?to=<recipient>][&since=<RFC 3339>][&limit=<n>]`:
/// newest first; without `to`, the newest 100 of every recipient.
pub async fn outbox(app: &App, query: Option<&str>, uuid: Option<&str>) -> Response<Body> {
    let Some(outbox) = app.outbox() else {
        return no_store(response::json(200, &serde_json::json!({"messages": []})));
    };
    let (to, since, limit) = match outbox_query(query) {
        Ok(query) => query,
        Err(e) => return response::error(app, None, &e, uuid),
    };
    match again_if_stale!(outbox.list(to.as_deref(), since, limit).await) {
        Ok(messages) => no_store(response::json(
            200,
            &serde_json::json!({ "messages": messages }),
        )),
        Err(e) => {
            tracing::error!(cause = %e, "cannot read the outbox");
            response::error(app, None, &ApiError::unavailable(), uuid)
        }
    }
}

type OutboxQuery = (Option<String>, Option<u64>, usize);

fn outbox_query(query: Option<&str>) -> Result<OutboxQuery, ApiError> {
    let (mut to, mut since, mut limit) = (None, None, None);
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        // Percent-decoding only: a literal `+` is the phone's plus sign, not a space.
        let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
        match key {
            "to" => to = Some(value),
            "since" => {
                let at = parse_rfc3339(&value).ok_or_else(|| {
                    ApiError::invalid(
                        "since",
                        "since must be an RFC 3339 time, e.g. 2026-11-25T12:00:00.000Z",
                    )
                })?;
                since = Some(at);
            }
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = Some(n),
                _ => {
                    return Err(ApiError::invalid(
                        "limit",
                        format!("limit must be 1..={MAX_LIMIT}"),
                    ))
                }
            },
            _ => {}
        }
    }
    let limit = limit.unwrap_or(if to.is_some() { 20 } else { MAX_LIMIT });
    Ok((to, since, limit))
}

/// The forced error of `Prefer: error=<code>`, if the request asks for one.
pub fn forced_error(
    app: &App,
    op: &Operation,
    headers: &HeaderMap,
    uuid: Option<&str>,
) -> Option<Response<Body>> {
    let wanted = preferred_error(headers)?;
    let Some(row) = op.error(&wanted) else {
        let documented: Vec<_> = op.errors.iter().map(|r| r.code.as_str()).collect();
        let details = format!(
            "Prefer asks for an error this operation does not document; it documents: {}",
            documented.join(", ")
        );
        return Some(response::error(
            app,
            Some(op),
            &ApiError::invalid("Prefer", details),
            uuid,
        ));
    };
    let location = crate::r#impl::forced_location(op.api, &row.code);
    let error = ApiError::new(row.code.clone(), location);
    let mut response = response::error(app, Some(op), &error, uuid);
    if let Ok(applied) = HeaderValue::from_str(&format!("error=\"{}\"", row.code)) {
        response.headers_mut().insert("Preference-Applied", applied);
    }
    Some(response)
}

/// The `error` preference of a `Prefer` header (RFC 7240), quotes removed.
fn preferred_error(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pref| pref.trim().split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("error"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}
