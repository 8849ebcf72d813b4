//! Error policy, and the spec's `ErrorResponse` envelope.
//!
//! Inside a request every layer returns typed errors; at the HTTP boundary
//! each becomes an [`ApiError`]: a documented code, the `location` it is
//! about and, optionally, specific `details`. Which domain failure becomes
//! which code and location is one table per API ([`rao::TABLE`],
//! [`telemarketing::TABLE`]), read by the API implementations and by the
//! sandbox's forced errors alike ([`forced_location`]); the edge's own
//! answers (401, 403, 400 of the gate, 404, 405) are [`SHARED`]'s.
//! [`ApiError::render`] — pure — looks the code up in the operation's
//! `x-error-codes` rows (status, `type`, default details, `moreInfo`), so
//! status and type always come from the spec. Causes are logged by the
//! caller; the client only gets these words. Outside requests (startup,
//! CLI, config) errors are `anyhow` with context.

pub(crate) mod rao;
pub(crate) mod telemarketing;

use crate::clock::{rfc3339, Millis};
use crate::contract::{Api, ErrorRow, Operation};
use crate::otp::{Failure, OtpError};
use serde::Serialize;
use std::borrow::Cow;

/// The codes the specs document (those with spaces are returned verbatim).
pub(crate) mod code {
    pub(crate) const INVALID_REQUEST: &str = "invalidRequest";
    pub(crate) const UNAUTHORIZED: &str = "unAuthorized";
    pub(crate) const ACCESS_NOT_CONFIGURED: &str = "accessNotConfigured";
    pub(crate) const RESOURCE_NOT_FOUND: &str = "resourceNotFound";
    pub(crate) const BUSINESS_VALIDATION_FAILED: &str = "businessValidationFailed";
    pub(crate) const SERVER_UNAVAILABLE: &str = "serverUnavailable";
    pub(crate) const SMS_DELIVERY_FAILED: &str = "smsDeliveryFailed";
    pub(crate) const BACKEND_ERROR: &str = "backendError";
    pub(crate) const OTP_TOKEN_INVALID: &str = "OTP Token Invalid";
    pub(crate) const OTP_TOKEN_EXPIRED: &str = "OTP Token Expired";
    /// Not in the specs: a known path asked with a method it does not serve.
    pub(crate) const METHOD_NOT_ALLOWED: &str = "methodNotAllowed";
    /// Not in the specs: the sandbox's console serves no more at once.
    pub(crate) const TOO_MANY_REQUESTS: &str = "tooManyRequests";
}

/// Rows for answers outside any operation (unknown path, wrong method) and
/// for codes an operation does not document. Same words as the RAO seed.
const FALLBACK_ROWS: [(u16, &str, &str, &str); 7] = [
    (
        400,
        "invalid",
        code::INVALID_REQUEST,
        "Missing or invalid Parameters",
    ),
    (
        401,
        "error",
        code::UNAUTHORIZED,
        "Authorization credentials are missing or invalid",
    ),
    (
        403,
        "invalid",
        code::ACCESS_NOT_CONFIGURED,
        "The request operation is not configured to access this resource",
    ),
    (
        404,
        "error",
        code::RESOURCE_NOT_FOUND,
        "The requested resource was not found",
    ),
    (
        405,
        "error",
        code::METHOD_NOT_ALLOWED,
        "The method is not allowed for the requested resource",
    ),
    (
        429,
        "error",
        code::TOO_MANY_REQUESTS,
        "Too many requests at once: retry later",
    ),
    (
        500,
        "fatal",
        code::SERVER_UNAVAILABLE,
        "The request failed due to an internal error/server unavailability",
    ),
];

/// An error answer, before it is matched to the operation's documented row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub code: Cow<'static, str>,
    /// The header or dotted body field the error is about (`body` for the whole body).
    pub location: String,
    /// Specific explanation; the documented details when `None`.
    pub details: Option<String>,
}

impl ApiError {
    pub(crate) fn new(code: impl Into<Cow<'static, str>>, location: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            location: location.into(),
            details: None,
        }
    }

    pub(crate) fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub(crate) fn invalid(location: impl Into<String>, details: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, location).with_details(details)
    }

    pub(crate) fn unavailable() -> Self {
        Self::new(code::SERVER_UNAVAILABLE, "server")
    }

    /// The status and `ErrorResponse` body for this error on `op`, at `now`.
    /// A code `op` does not document gets the generic row of that code (the
    /// edge's 404 and 405, which belong to no operation); the API mappings
    /// only produce codes their operations document (tested per API).
    pub(crate) fn render(
        &self,
        op: Option<&Operation>,
        uuid: Option<&str>,
        now: Millis,
    ) -> (u16, ErrorBody) {
        let row = op
            .and_then(|op| op.error(&self.code))
            .cloned()
            .unwrap_or_else(|| self.fallback_row());
        let body = ErrorBody {
            kind: row.kind,
            code: row.code,
            details: self.details.clone().unwrap_or_else(|| row.details.clone()),
            location: self.location.clone(),
            more_info: row.more_info.unwrap_or(row.details),
            timestamp: rfc3339(now),
            uuid: uuid.map(str::to_owned),
        };
        (row.status, body)
    }

    fn fallback_row(&self) -> ErrorRow {
        let (status, kind, code, details) = FALLBACK_ROWS
            .iter()
            .find(|(_, _, code, _)| *code == self.code)
            .copied()
            .unwrap_or(FALLBACK_ROWS[6]);
        ErrorRow {
            status,
            kind: kind.into(),
            code: code.into(),
            details: details.into(),
            more_info: None,
        }
    }
}

/// The spec's `ErrorResponse`, field for field.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: String,
    pub details: String,
    pub location: String,
    #[serde(rename = "moreInfo")]
    pub more_info: String,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

/// Where the edge's own errors, shared by every API, point: the gate's
/// 401 (`Authorization`), 403 (`channelId`), 400 (`body`) and the 500 of a
/// failure inside the server.
pub(crate) const SHARED: [(&str, &str); 4] = [
    (code::UNAUTHORIZED, "Authorization"),
    (code::ACCESS_NOT_CONFIGURED, "channelId"),
    (code::INVALID_REQUEST, "body"),
    (code::SERVER_UNAVAILABLE, "server"),
];

/// Where a field of a request is: in the body itself (RAO generate,
/// telemarketing) or under `phone.` (RAO validate's phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// This very location.
    Field(&'static str),
    /// A field of the request's phone: prefixed with where the phone is.
    PhoneField(&'static str),
}

/// One row of an API's error table: a domain failure, the documented code
/// it answers and where it points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub failure: Failure,
    pub code: &'static str,
    pub at: At,
}

/// `Row`, in a table's own words.
pub(crate) const fn row(failure: Failure, code: &'static str, at: At) -> Row {
    Row { failure, code, at }
}

/// The error table of `api` (the token endpoint answers RFC 6749 errors).
fn table(api: Api) -> &'static [Row] {
    match api {
        Api::Rao => &rao::TABLE,
        Api::Telemarketing => &telemarketing::TABLE,
        Api::Token => &[],
    }
}

/// The answer of `api` to a failed flow: the table's code and location
/// (phone fields under `phone_at`, e.g. `phone.`) and the details. A cause
/// inside the server goes to the log; the client gets the spec's words.
pub(crate) fn answer(api: Api, error: &OtpError, phone_at: &str) -> ApiError {
    let failure = error.failure();
    let Some(row) = table(api).iter().find(|r| r.failure == failure) else {
        tracing::error!(cause = %error, api = api.label(), "a failure has no row in the API's error table");
        return ApiError::unavailable();
    };
    match failure {
        Failure::SmsFailed => tracing::warn!(cause = %error, "sms delivery failed"),
        Failure::MfaFailed => tracing::error!(cause = %error, "MFA engine failed"),
        Failure::Internal => tracing::error!(cause = %error, "request failed inside the server"),
        _ => {}
    }
    let location = match row.at {
        At::Field(field) => field.to_owned(),
        At::PhoneField(field) => format!("{phone_at}{field}"),
    };
    let details = match api {
        Api::Rao => rao::details(error, &location),
        _ => telemarketing::details(error, &location),
    };
    let error = ApiError::new(row.code, location);
    match details {
        Some(details) => error.with_details(details),
        None => error,
    }
}

/// Where a forced error (`Prefer: error=`) of `code` on `api` points: where
/// a real one would — the edge's shared rows first, then the API's table.
pub(crate) fn forced_location(api: Api, code: &str) -> &'static str {
    let shared = SHARED.iter().find(|(c, _)| *c == code).map(|(_, at)| *at);
    let own = || {
        let row = table(api).iter().find(|r| r.code == code)?;
        Some(match row.at {
            At::Field(field) | At::PhoneField(field) => field,
        })
    };
    shared.or_else(own).unwrap_or("server")
}

/// The details of a wrong OTP.
fn invalid_otp(attempts_left: u32) -> String {
    match attempts_left {
        0 => "The OTP is invalid and no attempts are left: generate a new one".into(),
        1 => "The OTP is invalid; 1 attempt left".into(),
        n => format!("The OTP is invalid; {n} attempts left"),
    }
}

/// The details every API gives alike, when the failure has some.
fn common_details(error: &OtpError) -> Option<String> {
    use crate::store::Throttle;
    Some(match error {
        OtpError::Invalid { attempts_left } => invalid_otp(*attempts_left),
        OtpError::Locked { retry_after } => format!(
            "Too many wrong OTPs were entered for this phone: validations are refused for {} s",
            retry_after.as_secs().max(1)
        ),
        OtpError::Throttled {
            reason,
            retry_after,
        } => {
            let why = match reason {
                Throttle::TooSoon => "An OTP was sent to this phone moments ago",
                Throttle::TooMany => "Too many OTPs were sent to this phone recently",
                Throttle::TooManyFailures => "Too many wrong OTPs were entered for this phone",
            };
            format!(
                "{why}; sends are refused for {} s",
                retry_after.as_secs().max(1)
            )
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Contract;

    #[test]
    fn status_and_type_come_from_the_operations_rows() {
        let contract = Contract::get().unwrap();
        let tm = contract.operation("generateTelemarketingOtp");
        let (status, body) = ApiError::invalid("phoneNumber", "bad").render(tm, Some("u-1"), 0);
        assert_eq!(
            (status, body.kind.as_str(), body.uuid.as_deref()),
            (400, "invalid", Some("u-1"))
        );
        let rao = contract.operation("generateRaoOtp");
        let (status, body) = ApiError::invalid("sid", "bad").render(rao, None, 0);
        assert_eq!((status, body.kind.as_str()), (400, "error"));
        let (status, body) = ApiError::unavailable().render(rao, None, 0);
        assert_eq!((status, body.kind.as_str()), (500, "fatal"));
        assert_eq!(body.timestamp, "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn converts_to_both_generated_models() {
        let (_, body) = ApiError::unavailable().render(None, Some("u"), 0);
        // What `impl::respond` relies on: the body is each generated model.
        let json = serde_json::to_value(&body).unwrap();
        let rao: rao_token_management::models::ErrorResponse =
            serde_json::from_value(json.clone()).unwrap();
        assert_eq!(rao.code.as_deref(), Some("serverUnavailable"));
        let tm: telemarketing_otp::models::ErrorResponse = serde_json::from_value(json).unwrap();
        assert_eq!(tm.uuid.as_deref(), Some("u"));
    }
}
