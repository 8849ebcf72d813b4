//! The consumer testing kit's plain endpoints, and what the kit's
//! endpoints share: the outbox (`GET /sandbox/v1/sms`), the sandbox clock
//! (`GET`/`POST /sandbox/v1/clock`) and the reset (`POST /sandbox/v1/reset`,
//! in the spirit of WireMock's admin reset). All act on the sandbox's
//! shared state, so every instance sharing the store sees them.

use super::console::ConsoleEvent;
use super::layer::Sandbox;
use super::outbox::Filter;
use super::state::MAX_OFFSET;
use crate::app::App;
use crate::clock::{parse_rfc3339, rfc3339};
use crate::contract::json::{self, JsonError};
use crate::error::{code, ApiError};
use crate::phone::PhoneId;
use crate::server::response::{self, Body};
use crate::store::StoreError;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use hyper::{Request, Response};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// Most messages one outbox read returns.
const MAX_LIMIT: usize = 100;

/// Largest sandbox request body.
const MAX_BODY: usize = 16 * 1024;

/// The optional JSON body of a sandbox request: `Ok(None)` when empty.
pub(crate) async fn body<T: DeserializeOwned>(
    req: Request<Incoming>,
) -> Result<Option<T>, ApiError> {
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
pub(crate) fn answer(
    app: &App,
    result: Result<Value, ApiError>,
    uuid: Option<&str>,
) -> Response<Body> {
    match result {
        Ok(value) => response::json(200, &value),
        Err(e) => response::error(app, None, &e, uuid),
    }
}

/// `GET /sandbox/v1/sms[?to=<recipient>][&since=<RFC 3339>][&limit=<n>]`:
/// newest first; without `to`, the newest 100 of every recipient.
pub(crate) async fn outbox(
    app: &App,
    sandbox: &Sandbox,
    query: Option<&str>,
    uuid: Option<&str>,
) -> Response<Body> {
    let Some(outbox) = sandbox.outbox() else {
        return response::json(200, &json!({"messages": []}));
    };
    let query = match outbox_query(query) {
        Ok(query) => query,
        Err(e) => return response::error(app, None, &e, uuid),
    };
    let filter = Filter {
        to: query.to.as_deref(),
        since: query.since,
        client: query.client.as_deref(),
    };
    match outbox.select(filter, query.limit).await {
        Ok(messages) => response::json(200, &json!({ "messages": messages })),
        Err(e) => {
            tracing::error!(cause = %e, "cannot read the outbox");
            response::error(app, None, &ApiError::unavailable(), uuid)
        }
    }
}

/// `GET /sandbox/v1/sms/latest[?to=<recipient>][&client_id=<id>]`
/// (Mailpit's "latest"): the newest message (to that recipient, sent for
/// that client); `404 resourceNotFound` when there is none. With
/// `Accept: text/plain`, only its OTP.
pub(crate) async fn latest(
    app: &App,
    sandbox: &Sandbox,
    req: &Request<Incoming>,
    uuid: Option<&str>,
) -> Response<Body> {
    let query = match outbox_query(req.uri().query()) {
        Ok(query) => query,
        Err(e) => return response::error(app, None, &e, uuid),
    };
    let filter = Filter {
        to: query.to.as_deref(),
        since: query.since,
        client: query.client.as_deref(),
    };
    let newest = match sandbox.outbox() {
        Some(outbox) => outbox.select(filter, 1).await,
        None => Ok(Vec::new()),
    };
    let message = match newest {
        Ok(mut messages) if !messages.is_empty() => messages.swap_remove(0),
        Ok(_) => {
            let whose = query
                .to
                .as_deref()
                .map(|to| format!(" to {to}"))
                .unwrap_or_default();
            let error = ApiError::new(code::RESOURCE_NOT_FOUND, "to")
                .with_details(format!("No SMS{whose} in the outbox"));
            return response::error(app, None, &error, uuid);
        }
        Err(e) => {
            tracing::error!(cause = %e, "cannot read the outbox");
            return response::error(app, None, &ApiError::unavailable(), uuid);
        }
    };
    let text = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if text {
        let mut response = Response::new(Full::new(Bytes::from(message.otp)).boxed());
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return response;
    }
    response::json(200, &message)
}

/// An outbox query.
struct OutboxQuery {
    to: Option<String>,
    since: Option<u64>,
    limit: usize,
    client: Option<String>,
}

fn outbox_query(query: Option<&str>) -> Result<OutboxQuery, ApiError> {
    let (mut to, mut since, mut limit, mut country) = (None, None, None, None);
    let mut client = None;
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
            "countryCode" => country = Some(value),
            "client_id" => client = Some(value),
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
    let to = to.map(|to| recipient(&to, country.as_deref()));
    Ok(OutboxQuery {
        to,
        since,
        limit,
        client,
    })
}

/// The recipient an outbox message to `phone` carries: its E.164 number,
/// from a national number under `country` (default `MX`) too; what is no
/// phone is looked for as written (and found in no message).
fn recipient(phone: &str, country: Option<&str>) -> String {
    match phone_id(phone, country, "to") {
        Ok(id) => id.e164(),
        Err(_) => phone.to_owned(),
    }
}

/// `GET /sandbox/v1/clients`: the `client_id`s of this sandbox (ids only),
/// for the console's filter.
pub(crate) fn clients(app: &App) -> Response<Body> {
    let ids: Vec<&str> = app.config().clients.iter().map(|c| c.id.as_str()).collect();
    response::json(200, &json!({ "clients": ids }))
}

/// `POST /sandbox/v1/clock`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Advance {
    advance_seconds: Value,
}

/// `POST /sandbox/v1/reset`: all, or one phone.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Reset {
    phone: Option<String>,
    /// The country of a national `phone` (ISO 3166; default `MX`).
    country_code: Option<String>,
    /// One client's state only (a tenant of a shared sandbox).
    #[serde(rename = "client_id")]
    client_id: Option<String>,
}

/// The clock as the sandbox shows it.
fn now(sandbox: &Sandbox) -> Value {
    let offset = sandbox.view().offset;
    json!({"now": rfc3339(sandbox.clock().now()), "offsetSeconds": offset / 1000})
}

/// `GET /sandbox/v1/clock`: `{"now", "offsetSeconds"}`.
pub(crate) fn clock(sandbox: &Sandbox) -> Response<Body> {
    response::json(200, &now(sandbox))
}

/// `POST /sandbox/v1/clock {"advanceSeconds": n}`: forward only, and at
/// most [`MAX_OFFSET`] ahead in all.
pub(crate) async fn advance(
    app: &App,
    sandbox: &Sandbox,
    req: Request<Incoming>,
    uuid: Option<&str>,
) -> Response<Body> {
    let result = async {
        let request: Advance = body(req)
            .await?
            .ok_or_else(|| ApiError::invalid("body", "Send {\"advanceSeconds\": n}"))?;
        let seconds = request
            .advance_seconds
            .as_u64()
            .filter(|n| (1..=MAX_OFFSET / 1000).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "advanceSeconds",
                    format!("advanceSeconds must be a whole number of seconds from 1 to {}: the sandbox clock moves forward only", MAX_OFFSET / 1000),
                )
            })?;
        let current = sandbox.current();
        let moved = current.state().advance_clock(seconds * 1000).await;
        if moved.map_err(|e| unavailable(&e))?.is_none() {
            let ahead = sandbox.view().offset / 1000;
            return Err(ApiError::invalid(
                "advanceSeconds",
                format!("The sandbox clock is {ahead} s ahead; it goes at most {} s (10 years) ahead in all: reset the sandbox to start again", MAX_OFFSET / 1000),
            ));
        }
        current.refresh().await;
        let offset_seconds = sandbox.view().offset / 1000;
        let now = sandbox.clock().now();
        sandbox.console().publish(ConsoleEvent::Clock { now, offset_seconds });
        Ok(json!({"now": rfc3339(now), "offsetSeconds": offset_seconds}))
    }
    .await;
    answer(app, result, uuid)
}

/// `POST /sandbox/v1/reset`: `204`; with `{"phone"}` only that phone;
/// with `{"client_id"}` only that client's state (`200`, saying what it
/// forgot and what it kept).
pub(crate) async fn reset(
    app: &App,
    sandbox: &Sandbox,
    req: Request<Incoming>,
    uuid: Option<&str>,
) -> Response<Body> {
    let result = async {
        let request: Reset = body(req).await?.unwrap_or_default();
        match (request.phone, request.client_id) {
            (Some(_), Some(_)) => Err(ApiError::invalid(
                "body",
                "Reset one phone ({\"phone\"}) or one client ({\"client_id\"}), not both",
            )),
            (Some(phone), None) => {
                let id = phone_id(&phone, request.country_code.as_deref(), "phone")?;
                reset_phone(app, sandbox, &id).await.map(|()| None)
            }
            (None, Some(client)) => reset_client(app, sandbox, &client).await.map(Some),
            (None, None) => {
                let current = sandbox.current();
                let view = current.state().reset_all().await;
                current.learn(view.map_err(|e| unavailable(&e))?);
                Ok(None)
            }
        }
    }
    .await;
    match result {
        Ok(answer) => {
            sandbox.console().publish(ConsoleEvent::Reset);
            match answer {
                Some(answer) => response::json(200, &answer),
                None => response::empty(204),
            }
        }
        Err(e) => response::error(app, None, &e, uuid),
    }
}

/// Forgets one client's state (a tenant's reset): its challenges, RAO
/// sessions and certified phones, outbox messages and coverage move out of
/// reach with its new epoch. The clock is global and the phones' counters
/// are the handsets', across clients: both stay, and the answer says so.
async fn reset_client(app: &App, sandbox: &Sandbox, client: &str) -> Result<Value, ApiError> {
    if app.config().clients.get(client).is_none() {
        return Err(ApiError::invalid(
            "client_id",
            format!("No client {client} in this sandbox"),
        ));
    }
    let current = sandbox.current();
    let generation = sandbox.view().generation;
    let reset = current.state().reset_client(generation, client);
    reset.await.map_err(|e| unavailable(&e))?;
    current.refresh().await;
    Ok(json!({
        "clientId": client,
        "forgot": ["challenges", "sessions and certified phones", "outbox messages", "coverage"],
        "kept": {
            "clock": "The sandbox clock is global: every client of this sandbox shares it, and only a reset of the whole sandbox sets it back",
            "phones": "A phone's send throttle and lock are the handset's, across clients: reset the phone ({\"phone\"}) to forget them",
        },
        "clock": now(sandbox),
    }))
}

/// Forgets one phone: its counters, live OTPs and outbox messages (to
/// its E.164 number).
pub(crate) async fn reset_phone(
    app: &App,
    sandbox: &Sandbox,
    id: &PhoneId,
) -> Result<(), ApiError> {
    let digest = app.issuer().phone_digest(id);
    let recipients = recipients(id);
    let current = sandbox.current();
    let generation = sandbox.view().generation;
    let reset = current
        .state()
        .reset_phone(generation, &digest, &recipients);
    reset.await.map_err(|e| unavailable(&e))?;
    if sandbox.behaviours().is_set(&digest).await {
        let forget = current.state().set_behaviour(generation, &digest, None);
        forget.await.map_err(|e| unavailable(&e))?;
    }
    current.refresh().await;
    Ok(())
}

/// A phone as a consumer writes it: `+525500000001`, or a national number
/// under `country` (default `MX`).
pub(crate) fn phone_id(
    phone: &str,
    country: Option<&str>,
    location: &str,
) -> Result<PhoneId, ApiError> {
    let id = if phone.starts_with('+') {
        PhoneId::from_e164(phone)
    } else {
        PhoneId::in_country(country.unwrap_or("MX"), phone)
    };
    id.map_err(|e| ApiError::invalid(location, format!("{location}: {e}")))
}

/// The recipients an outbox message to this phone carries: its E.164
/// number (both APIs send there).
fn recipients(id: &PhoneId) -> Vec<String> {
    vec![id.e164()]
}

/// A store failure: the cause to the log, `500 serverUnavailable` to the client.
pub(crate) fn unavailable(e: &StoreError) -> ApiError {
    tracing::error!(cause = %e, "sandbox: the store failed");
    ApiError::unavailable()
}
