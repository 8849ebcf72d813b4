//! The contract's rules for a request's headers and body, pure: what the
//! gate answers `400 invalidRequest` for, and what the validation proxy
//! reports. Authentication and access (401, 403) are not here: they need
//! the server's clients and tokens, so they stay in the gate.

use super::checked::{self, Fields};
use super::json::JsonError;
use super::schema::Violation;
use super::Operation;
use hyper::HeaderMap;

/// The first rule of `op` the request breaks, in the gate's order:
/// headers in the spec's order, then the body; else whether the body's
/// fields are all ones its schema names.
pub fn check_request(
    op: &Operation,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Fields, Violation> {
    check_headers(op, headers)?;
    check_body(op, headers, body)
}

/// Every required header present, visible ASCII and within its rules: the
/// spec's, nothing more. An empty value is refused only where the spec says
/// `minLength` (NORMALIZATION.md, A7 and A8): an empty `Accept-Language`
/// states no preference and is answered like any other.
pub fn check_headers(op: &Operation, headers: &HeaderMap) -> Result<(), Violation> {
    for param in &op.headers {
        let name = param.name.as_str();
        let Some(value) = headers.get(&param.key) else {
            if param.required {
                return Err(Violation::new(
                    name,
                    format!("The {name} header is required"),
                ));
            }
            continue;
        };
        let text = value.to_str().map_err(|_| {
            Violation::new(name, format!("The {name} header must be visible ASCII"))
        })?;
        // The field value without surrounding whitespace (RFC 9110 §5.5).
        let text = text.trim_ascii();
        if text.is_empty() && param.rules.min_length.is_some_and(|min| min > 0) {
            return Err(Violation::new(
                name,
                format!("The {name} header must not be empty"),
            ));
        }
        param.rules.check(text, name)?;
    }
    Ok(())
}

/// A JSON body, well-formed (no key given twice) and valid against the
/// operation's schema; an operation without one has no fields to name.
pub fn check_body(op: &Operation, headers: &HeaderMap, body: &[u8]) -> Result<Fields, Violation> {
    let Some(schema) = &op.body else {
        return Ok(Fields::Named);
    };
    let media = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = media.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(Violation::new(
            "Content-Type",
            "Content-Type must be application/json",
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Violation::new("body", "A JSON body is required"));
    }
    checked::check(schema, body).map_err(|e| match e {
        JsonError::Syntax { line, column } => Violation::new(
            "body",
            format!("The body is not well-formed JSON (line {line}, column {column})"),
        ),
        JsonError::Duplicate(path) => {
            Violation::new(path.clone(), format!("{path} is given more than once"))
        }
    })?
}
