//! Forced errors: a sandbox request with `Prefer: error=<code>` (RFC 7240;
//! the code quoted when it has spaces) gets that documented error of its
//! operation, with the spec's status and type, pointing where a real one
//! would (the API's error table), and changes no state.

use crate::app::App;
use crate::contract::Operation;
use crate::error::{self, ApiError};
use crate::server::response::{self, Body};
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Response};

/// The forced error of `Prefer: error=<code>`, if the request asks for one.
pub(crate) fn forced_error(
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
    let location = error::forced_location(op.api, &row.code);
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
