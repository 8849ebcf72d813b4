//! Error policy, and the spec's `ErrorResponse` envelope.
//!
//! Inside a request every layer returns typed errors; at the HTTP boundary
//! each becomes an [`ApiError`]: a documented code, the `location` it is
//! about and, optionally, specific `details`. Which domain error becomes
//! which code is decided per API, next to that API's implementation
//! (`src/impl/rao.rs`, `src/impl/telemarketing.rs`); the edge's own
//! answers (401, 403, 400 of the gate, 404, 405) are made in `src/server`.
//! [`ApiError::render`] — pure — looks the code up in the operation's
//! `x-error-codes` rows (status, `type`, default details, `moreInfo`), so
//! status and type always come from the spec. Causes are logged by the
//! caller; the client only gets these words. Outside requests (startup,
//! CLI, config) errors are `anyhow` with context.

use crate::clock::{rfc3339, Millis};
use crate::contract::{ErrorRow, Operation};
use serde::Serialize;
use std::borrow::Cow;

/// The codes the specs document (those with spaces are returned verbatim).
pub mod code {
    pub const INVALID_REQUEST: &str = "invalidRequest";
    pub const UNAUTHORIZED: &str = "unAuthorized";
    pub const ACCESS_NOT_CONFIGURED: &str = "accessNotConfigured";
    pub const RESOURCE_NOT_FOUND: &str = "resourceNotFound";
    pub const BUSINESS_VALIDATION_FAILED: &str = "businessValidationFailed";
    pub const SERVER_UNAVAILABLE: &str = "serverUnavailable";
    pub const SMS_DELIVERY_FAILED: &str = "smsDeliveryFailed";
    pub const BACKEND_ERROR: &str = "backendError";
    pub const OTP_TOKEN_INVALID: &str = "OTP Token Invalid";
    pub const OTP_TOKEN_EXPIRED: &str = "OTP Token Expired";
    /// Not in the specs: a known path asked with a method it does not serve.
    pub const METHOD_NOT_ALLOWED: &str = "methodNotAllowed";
}

/// Rows for answers outside any operation (unknown path, wrong method) and
/// for codes an operation does not document. Same words as the RAO seed.
const FALLBACK_ROWS: [(u16, &str, &str, &str); 6] = [
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
        500,
        "fatal",
        code::SERVER_UNAVAILABLE,
        "The request failed due to an internal error/server unavailability",
    ),
];

/// An error answer, before it is matched to the operation's documented row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Cow<'static, str>,
    /// The header or dotted body field the error is about (`body` for the whole body).
    pub location: String,
    /// Specific explanation; the documented details when `None`.
    pub details: Option<String>,
}

impl ApiError {
    pub fn new(code: impl Into<Cow<'static, str>>, location: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            location: location.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub fn invalid(location: impl Into<String>, details: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, location).with_details(details)
    }

    pub fn unavailable() -> Self {
        Self::new(code::SERVER_UNAVAILABLE, "server")
    }

    /// The status and `ErrorResponse` body for this error on `op`, at `now`.
    /// A code `op` does not document gets the generic row of that code (the
    /// edge's 404 and 405, which belong to no operation); the API mappings
    /// only produce codes their operations document (tested per API).
    pub fn render(
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
            .unwrap_or(FALLBACK_ROWS[5]);
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
pub struct ErrorBody {
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

/// Where a forced error (`Prefer: error=`) of one of the codes every API
/// shares points, as a real one would.
pub fn shared_location(code: &str) -> Option<&'static str> {
    Some(match code {
        code::UNAUTHORIZED => "Authorization",
        code::ACCESS_NOT_CONFIGURED => "channelId",
        code::INVALID_REQUEST => "body",
        code::SERVER_UNAVAILABLE => "server",
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
