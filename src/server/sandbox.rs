//! Sandbox-only parts of the edge: the SMS outbox and `Prefer: error=`.

use super::response::{self, Body};
use crate::app::App;
use crate::contract::Operation;
use crate::error::ApiError;
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Response};
use percent_encoding::percent_decode_str;

/// Most messages one outbox read returns.
const MAX_LIMIT: usize = 100;

/// `GET /sandbox/v1/sms?to=<recipient>&limit=<n>`: newest first.
pub async fn outbox(app: &App, query: Option<&str>, uuid: Option<&str>) -> Response<Body> {
    let Some(outbox) = app.outbox() else {
        return response::json(200, &serde_json::json!({"messages": []}));
    };
    let mut to = None;
    let mut limit = 20;
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
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = n,
                _ => {
                    return response::error(
                        app,
                        None,
                        &ApiError::invalid("limit", format!("limit must be 1..={MAX_LIMIT}")),
                        uuid,
                    )
                }
            },
            _ => {}
        }
    }
    match outbox.list(to.as_deref(), limit).await {
        Ok(messages) => response::json(200, &serde_json::json!({ "messages": messages })),
        Err(e) => {
            tracing::error!(cause = %e, "cannot read the outbox");
            response::error(app, None, &ApiError::unavailable(), uuid)
        }
    }
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
