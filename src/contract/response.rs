//! The contract's rules for a response, pure: what the validation proxy and
//! the conformance kit hold every answer of an implementation to. The
//! status must be one the operation documents; a body with a schema must be
//! JSON of that schema; an error must be one of the operation's
//! `x-error-codes` rows for its status (status, `type`, `code`); and the
//! response headers the spec declares for the status must be there (`sid`
//! on telemarketing generate).

use super::schema::Violation;
use super::Operation;
use hyper::HeaderMap;
use serde_json::Value as Json;

/// Every rule of `op` the response breaks; empty when it conforms.
pub fn check_response(
    op: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Vec<Violation> {
    let Some(documented) = op.response(status) else {
        let known: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
        let details = format!(
            "status {status} is not documented for {} (documented: {})",
            op.id,
            known.join(", ")
        );
        return vec![Violation::new("status", details)];
    };
    let mut violations: Vec<Violation> = documented
        .headers
        .iter()
        .filter(|name| !headers.contains_key(name.as_str()))
        .map(|name| {
            let details = format!(
                "the spec declares a {name} response header on {status} of {}; none was sent",
                op.id
            );
            Violation::new(name.as_str(), details)
        })
        .collect();
    if let Some(schema) = &documented.schema {
        match json_body(headers, body) {
            Ok(json) => {
                violations.extend(schema.check(&json, "").err().map(|v| in_body(v, status)));
                violations.extend(check_row(op, status, &json));
            }
            Err(violation) => violations.push(violation),
        }
    }
    violations
}

/// Every rule the answer breaks: [`check_response`], and for an error of
/// an OTP operation that is JSON of a documented status, the full
/// envelope of [`check_error_envelope`].
pub fn check_answer(
    op: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    request_uuid: Option<&str>,
) -> Vec<Violation> {
    let mut found = check_response(op, status, headers, body);
    let unreadable = found
        .iter()
        .any(|v| v.location == "Content-Type" || v.location == "status");
    if op.api != super::Api::Token && status >= 400 && !unreadable {
        if let Err(problem) = check_error_envelope(headers, body, request_uuid) {
            let details = format!("not the full ErrorResponse: {problem}");
            found.push(Violation::new("body", details));
        }
    }
    found
}

/// docs/BEHAVIOUR.md "Error responses", beyond the schema: an error of an OTP
/// operation carries every field of the `ErrorResponse` (`type`, `code`,
/// `details`, `location`, `moreInfo`, `timestamp` in RFC 3339 UTC) and
/// echoes the request's `uuid`. `Err` says what is wrong.
pub fn check_error_envelope(
    headers: &HeaderMap,
    body: &[u8],
    request_uuid: Option<&str>,
) -> Result<(), String> {
    let json = json_body(headers, body).map_err(|v| v.details)?;
    for field in [
        "type",
        "code",
        "details",
        "location",
        "moreInfo",
        "timestamp",
    ] {
        if json
            .get(field)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .is_empty()
        {
            return Err(format!("{field} is missing or empty"));
        }
    }
    let timestamp = json["timestamp"].as_str().unwrap_or_default();
    let utc = chrono::DateTime::parse_from_rfc3339(timestamp)
        .is_ok_and(|t| t.offset().local_minus_utc() == 0);
    if !utc {
        return Err(format!("timestamp {timestamp:?} is not RFC 3339 UTC"));
    }
    let echoed = json.get("uuid").and_then(Json::as_str);
    match request_uuid {
        Some(sent) if echoed != Some(sent) => Err(format!(
            "uuid {echoed:?} does not echo the request's {sent:?}"
        )),
        _ => Ok(()),
    }
}

/// The body as JSON, or why it is not.
fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Json, Violation> {
    let media = headers
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)");
    if !media
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(Violation::new(
            "Content-Type",
            format!("the body must be application/json; Content-Type is {media}"),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|_| Violation::new("body", "the body is not well-formed JSON"))
}

fn in_body(violation: Violation, status: u16) -> Violation {
    let details = format!("response {status}: {}", violation.details);
    let location = match violation.location.as_str() {
        "body" => "body".to_owned(),
        field => format!("body.{field}"),
    };
    Violation::new(location, details)
}

/// An error body of `status` must be one of the rows documented for it.
fn check_row(op: &Operation, status: u16, json: &Json) -> Option<Violation> {
    let rows: Vec<_> = op.errors.iter().filter(|r| r.status == status).collect();
    if rows.is_empty() {
        return None;
    }
    let field = |name: &str| json.get(name).and_then(Json::as_str).unwrap_or("(none)");
    let (kind, code) = (field("type"), field("code"));
    if rows.iter().any(|r| r.kind == kind && r.code == code) {
        return None;
    }
    let documented: Vec<String> = rows
        .iter()
        .map(|r| format!("({}, {}, {})", r.status, r.kind, r.code))
        .collect();
    let details = format!(
        "({status}, {kind}, {code}) is not a documented row of {}; x-error-codes for {status}: {}",
        op.id,
        documented.join(", ")
    );
    Some(Violation::new("body.code", details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Contract;
    use hyper::header::{HeaderValue, CONTENT_TYPE};

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers
    }

    fn error(kind: &str, code: &str) -> Vec<u8> {
        serde_json::json!({"type": kind, "code": code, "details": "d", "location": "l", "moreInfo": "m", "timestamp": "2026-01-01T00:00:00Z"})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn documented_rows_pass_and_others_are_named() {
        let op = Contract::get()
            .unwrap()
            .operation("validateTelemarketingOtp")
            .unwrap();
        let ok = check_response(
            op,
            400,
            &json_headers(),
            &error("error", "OTP Token Invalid"),
        );
        assert_eq!(ok, []);
        let wrong_type = check_response(
            op,
            400,
            &json_headers(),
            &error("invalid", "OTP Token Invalid"),
        );
        assert_eq!(wrong_type[0].location, "body.code");
        assert!(
            wrong_type[0]
                .details
                .contains("(400, error, OTP Token Invalid)"),
            "{wrong_type:?}"
        );
        let status = check_response(op, 422, &json_headers(), &error("error", "x"));
        assert_eq!(status[0].location, "status");
        let placeholder = check_response(op, 400, &json_headers(), &error("string", "string"));
        assert_eq!(placeholder.len(), 2, "{placeholder:?}");
    }

    #[test]
    fn declared_headers_and_json_bodies_are_required() {
        let op = Contract::get()
            .unwrap()
            .operation("generateTelemarketingOtp")
            .unwrap();
        let body = br#"{"oneTimePasswordToken":"ABC"}"#;
        let missing = check_response(op, 200, &json_headers(), body);
        assert_eq!(missing[0].location, "sid");
        let mut headers = json_headers();
        headers.insert("sid", HeaderValue::from_static("s"));
        assert_eq!(check_response(op, 200, &headers, body), []);
        let text = check_response(op, 400, &HeaderMap::new(), b"Bad Request");
        assert_eq!(text[0].location, "Content-Type");
        let long = check_response(op, 200, &headers, br#"{"oneTimePasswordToken":"ABCD"}"#);
        assert_eq!(long[0].location, "body.oneTimePasswordToken");
    }
}
