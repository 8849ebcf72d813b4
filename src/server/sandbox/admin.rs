//! The sandbox clock (`GET`/`POST /sandbox/v1/clock`) and reset
//! (`POST /sandbox/v1/reset`, in the spirit of WireMock's admin reset).
//! Both act on the store, so every instance sharing it sees them.

use super::{answer, body, no_store};
use crate::app::App;
use crate::clock::rfc3339;
use crate::console::ConsoleEvent;
use crate::error::ApiError;
use crate::phone::PhoneId;
use crate::server::response::{self, Body};
use crate::store::again_if_stale;
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

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
}

/// The clock as the sandbox shows it.
fn now(app: &App) -> Value {
    let offset = app.sandbox_clock().map_or(0, |c| c.offset());
    json!({"now": rfc3339(app.clock().now()), "offsetSeconds": offset / 1000})
}

/// `GET /sandbox/v1/clock`: `{"now", "offsetSeconds"}`.
pub fn clock(app: &App) -> Response<Body> {
    no_store(response::json(200, &now(app)))
}

/// `POST /sandbox/v1/clock {"advanceSeconds": n}`: forward only.
pub async fn advance(app: &App, req: Request<Incoming>, uuid: Option<&str>) -> Response<Body> {
    let result = async {
        let request: Advance = body(req)
            .await?
            .ok_or_else(|| ApiError::invalid("body", "Send {\"advanceSeconds\": n}"))?;
        let seconds = request
            .advance_seconds
            .as_u64()
            .filter(|n| (1..=10 * 365 * 86_400).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "advanceSeconds",
                    "advanceSeconds must be a whole number of seconds from 1 to 315360000: the sandbox clock moves forward only",
                )
            })?;
        let offset = app.sandbox().advance_clock(Duration::from_secs(seconds)).await;
        let offset = offset.map_err(|e| unavailable(&e))?;
        if let Some(clock) = app.sandbox_clock() {
            clock.set_offset(offset);
        }
        let now_ms = app.clock().now();
        let offset_seconds = offset / 1000;
        app.console().publish(ConsoleEvent::Clock { now: now_ms, offset_seconds });
        Ok(now(app))
    }
    .await;
    answer(app, result, uuid)
}

/// `POST /sandbox/v1/reset`: `204`; with `{"phone"}` only that phone.
pub async fn reset(app: &App, req: Request<Incoming>, uuid: Option<&str>) -> Response<Body> {
    let result = async {
        let request: Reset = body(req).await?.unwrap_or_default();
        match request.phone {
            Some(phone) => reset_phone(app, &phone, request.country_code.as_deref()).await,
            None => {
                app.sandbox()
                    .reset_all()
                    .await
                    .map_err(|e| unavailable(&e))?;
                if let Some(clock) = app.sandbox_clock() {
                    clock.set_offset(0);
                }
                Ok(())
            }
        }
    }
    .await;
    match result {
        Ok(()) => {
            app.console().publish(ConsoleEvent::Reset);
            no_store(response::empty(204))
        }
        Err(e) => response::error(app, None, &e, uuid),
    }
}

async fn reset_phone(app: &App, phone: &str, country: Option<&str>) -> Result<(), ApiError> {
    let id = phone_id(phone, country, "phone")?;
    let digest = app.otp().phone_digest(&id);
    let recipients = recipients(&id, phone);
    let reset = again_if_stale!(app.sandbox().reset_phone(&digest, &recipients).await);
    reset.map_err(|e| unavailable(&e))
}

/// A phone as a consumer writes it: `+525500000001`, or a national number
/// under `country` (default `MX`).
pub fn phone_id(phone: &str, country: Option<&str>, location: &str) -> Result<PhoneId, ApiError> {
    let id = if phone.starts_with('+') {
        PhoneId::from_e164(phone)
    } else {
        PhoneId::telemarketing(country.unwrap_or("MX"), phone)
    };
    id.map_err(|e| ApiError::invalid(location, format!("{location}: {e}")))
}

/// Every recipient an outbox message to this phone may carry: RAO's E.164,
/// and telemarketing's number as sent (national, or with its country code).
pub fn recipients(id: &PhoneId, given: &str) -> Vec<String> {
    let mut all = vec![
        id.e164(),
        id.number.clone(),
        format!("{}{}", id.country, id.number),
        given.to_owned(),
    ];
    all.sort();
    all.dedup();
    all
}

/// A store failure: the cause to the log, `500 serverUnavailable` to the client.
pub fn unavailable(e: &crate::store::StoreError) -> ApiError {
    tracing::error!(cause = %e, "sandbox: the store failed");
    ApiError::unavailable()
}
