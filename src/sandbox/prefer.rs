//! What a sandbox request may ask for in its `Prefer` header (RFC 7240;
//! values quoted when they have spaces; several preferences comma- or
//! semicolon-separated, in one header or several):
//!
//! - `error=<code>`: that documented error of its operation, with the
//!   spec's status and type, pointing where a real one would (the API's
//!   error table); nothing changes.
//! - `code=<status>` (Prism's convention): the first documented error row
//!   with that status, as `error=` would force it; a success status the
//!   operation documents is the real flow's to give (the request runs as
//!   without it).
//! - `delay=<ms>` or `delay=<min>-<max>` and `fault=<name>`: see
//!   [`super::faults`].
//!
//! A value nobody documents, or no delay or fault, is `400 invalidRequest`
//! at `Prefer`; other preferences are ignored, as RFC 7240 says.

use super::misbehaviour::{Delay, Fault};
use crate::app::App;
use crate::contract::{ErrorRow, Operation};
use crate::error::{self, ApiError};
use crate::server::response::{self, Body};
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Response};

/// What a request prefers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Preferences {
    pub error: Option<String>,
    pub code: Option<u16>,
    pub delay: Option<Delay>,
    pub fault: Option<Fault>,
}

/// A bad `Prefer`.
fn invalid(details: impl Into<String>) -> ApiError {
    ApiError::invalid("Prefer", details)
}

/// The request's preferences, or why they cannot be honoured.
pub(crate) fn preferences(headers: &HeaderMap) -> Result<Preferences, ApiError> {
    let mut prefs = Preferences::default();
    let pairs = headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pref| pref.trim().split_once('='));
    for (name, value) in pairs {
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "error" => prefs.error = Some(value.to_owned()),
            "code" => {
                let status = value
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (100..=599).contains(s));
                let status = status
                    .ok_or_else(|| invalid(format!("Prefer: code={value} is no HTTP status")))?;
                prefs.code = Some(status);
            }
            "delay" => {
                prefs.delay =
                    Some(Delay::parse(value).map_err(|e| invalid(format!("Prefer: {e}")))?)
            }
            "fault" => {
                let fault = Fault::parse(value).ok_or_else(|| {
                    invalid(format!(
                        "Prefer: fault={value} is no fault the sandbox knows; the faults are: {}",
                        Fault::names()
                    ))
                })?;
                prefs.fault = Some(fault);
            }
            _ => {}
        }
    }
    Ok(prefs)
}

/// The forced error of `error=` (or, without it, `code=`), if the request
/// asks for one: the answer, or `None` to run the request.
pub(crate) fn forced_error(
    app: &App,
    op: &Operation,
    prefs: &Preferences,
    uuid: Option<&str>,
) -> Option<Response<Body>> {
    let documented = || {
        let rows: Vec<_> = op
            .errors
            .iter()
            .map(|r| format!("{} {}", r.status, r.code))
            .collect();
        rows.join(", ")
    };
    let (row, applied) = if let Some(wanted) = &prefs.error {
        let Some(row) = op.error(wanted) else {
            let details = format!(
                "Prefer asks for an error this operation does not document; it documents: {}",
                documented()
            );
            return Some(response::error(app, Some(op), &invalid(details), uuid));
        };
        (row, format!("error=\"{}\"", row.code))
    } else if let Some(status) = prefs.code {
        match first_row(op, status) {
            Some(row) => (row, format!("code={status}")),
            None if is_success(op, status) => return None,
            None => {
                let details = format!(
                    "Prefer: code={status} is a status this operation does not document; it documents: {}",
                    documented()
                );
                return Some(response::error(app, Some(op), &invalid(details), uuid));
            }
        }
    } else {
        return None;
    };
    let location = error::forced_location(op.api, &row.code);
    let error = ApiError::new(row.code.clone(), location);
    let mut response = response::error(app, Some(op), &error, uuid);
    if let Ok(applied) = HeaderValue::from_str(&applied) {
        response.headers_mut().insert("Preference-Applied", applied);
    }
    Some(response)
}

/// The first documented error row of `op` with `status`.
fn first_row(op: &Operation, status: u16) -> Option<&ErrorRow> {
    op.errors.iter().find(|r| r.status == status)
}

/// Whether `status` is a success `op` documents.
fn is_success(op: &Operation, status: u16) -> bool {
    (200..300).contains(&status) && op.response(status).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefer(values: &[&str]) -> Result<Preferences, ApiError> {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("Prefer", HeaderValue::from_str(v).unwrap());
        }
        preferences(&headers)
    }

    #[test]
    fn reads_every_preference_and_refuses_bad_values_at_prefer() {
        let p = prefer(&[
            "delay=100-200, fault=EMPTY_RESPONSE",
            "code=400; respond-async",
        ])
        .unwrap();
        assert_eq!(
            p.delay,
            Some(Delay {
                min_ms: 100,
                max_ms: 200
            })
        );
        assert_eq!(p.fault, Some(Fault::EmptyResponse));
        assert_eq!(p.code, Some(400));
        assert_eq!(
            prefer(&["error=\"OTP Token Expired\""])
                .unwrap()
                .error
                .as_deref(),
            Some("OTP Token Expired")
        );
        for bad in [
            "delay=60001",
            "delay=fast",
            "fault=TIMEOUT",
            "code=abc",
            "code=99",
        ] {
            let e = prefer(&[bad]).unwrap_err();
            assert_eq!(
                (e.code.as_ref(), e.location.as_str()),
                ("invalidRequest", "Prefer"),
                "{bad}"
            );
        }
    }
}
