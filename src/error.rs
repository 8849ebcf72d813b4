//! Error policy, and the one mapping from failures to the spec's `ErrorResponse`.
//!
//! Inside a request every layer returns typed errors; at the HTTP boundary
//! each becomes an [`ApiError`]: a documented code, the `location` it is
//! about and, optionally, specific `details`. [`ApiError::render`] looks
//! the code up in the operation's `x-error-codes` rows (status, `type`,
//! default details, `moreInfo`), so status and type always come from the
//! spec. Causes are logged by the caller; the client only gets these words.
//! Outside requests (startup, CLI, config) errors are `anyhow` with context.

use crate::contract::{ErrorRow, Operation};
use crate::otp::{OtpError, SMS_MAX_CHARS};
use crate::store::Throttle;
use serde::Serialize;
use std::borrow::Cow;
use std::time::Duration;

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

    pub fn unauthorized(details: impl Into<String>) -> Self {
        Self::new(code::UNAUTHORIZED, "Authorization").with_details(details)
    }

    pub fn unavailable() -> Self {
        Self::new(code::SERVER_UNAVAILABLE, "server")
    }

    /// The status and `ErrorResponse` body for this error on `op`.
    pub fn render(&self, op: Option<&Operation>, uuid: Option<&str>) -> (u16, ErrorBody) {
        let row = op
            .and_then(|op| op.error(&self.code))
            .cloned()
            .unwrap_or_else(|| self.fallback_row());
        crate::observe::note_code(&row.code);
        let body = ErrorBody {
            kind: row.kind,
            code: row.code,
            details: self.details.clone().unwrap_or_else(|| row.details.clone()),
            location: self.location.clone(),
            more_info: row.more_info.unwrap_or(row.details),
            timestamp: timestamp_now(),
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

/// The RAO API's answer to a failed flow. Causes of 500s go to the log.
pub fn rao_error(error: &OtpError) -> ApiError {
    let business = |location: &str, details: String| {
        ApiError::new(code::BUSINESS_VALIDATION_FAILED, location).with_details(details)
    };
    match error {
        OtpError::NotFound => ApiError::new(code::RESOURCE_NOT_FOUND, "sid")
            .with_details("No live OTP for this sid and phone"),
        OtpError::Expired => business(
            "encryptedOtpToken",
            "The OTP has expired; generate a new one".into(),
        ),
        OtpError::Invalid { attempts_left } => {
            business("encryptedOtpToken", invalid_otp(*attempts_left))
        }
        OtpError::Throttled {
            reason,
            retry_after,
        } => business("encryptedPhoneNumber", throttled(*reason, *retry_after)),
        OtpError::MessageTooLong { chars } => ApiError::invalid("body", too_long(*chars)),
        OtpError::Sms(_) | OtpError::Mfa(_) | OtpError::Store(_) | OtpError::Random(_) => {
            internal(error)
        }
    }
}

/// The telemarketing API's answer to a failed flow.
pub fn telemarketing_error(error: &OtpError) -> ApiError {
    let otp = |code: &'static str, details: String| {
        ApiError::new(code, "oneTimePasswordToken").with_details(details)
    };
    match error {
        OtpError::NotFound => {
            ApiError::invalid("sid", "Unknown, used or burnt session: generate a new OTP")
        }
        OtpError::Expired => otp(code::OTP_TOKEN_EXPIRED, "OTP Token Expired".into()),
        OtpError::Invalid { attempts_left } => {
            otp(code::OTP_TOKEN_INVALID, invalid_otp(*attempts_left))
        }
        OtpError::Throttled {
            reason,
            retry_after,
        } => ApiError::invalid("phoneNumber", throttled(*reason, *retry_after)),
        OtpError::MessageTooLong { chars } => ApiError::invalid("messagePrefix", too_long(*chars)),
        OtpError::Sms(e) => {
            tracing::warn!(cause = %e, "sms delivery failed");
            ApiError::new(code::SMS_DELIVERY_FAILED, "phoneNumber")
        }
        OtpError::Mfa(e) => {
            tracing::error!(cause = %e, "MFA engine failed");
            ApiError::new(code::BACKEND_ERROR, "server")
        }
        OtpError::Store(_) | OtpError::Random(_) => internal(error),
    }
}

fn internal(error: &OtpError) -> ApiError {
    tracing::error!(cause = %error, "request failed inside the server");
    ApiError::unavailable()
}

fn invalid_otp(attempts_left: u32) -> String {
    match attempts_left {
        0 => "The OTP is invalid and no attempts are left: generate a new one".into(),
        1 => "The OTP is invalid; 1 attempt left".into(),
        n => format!("The OTP is invalid; {n} attempts left"),
    }
}

fn throttled(reason: Throttle, retry_after: Duration) -> String {
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

fn too_long(chars: usize) -> String {
    format!("messagePrefix, the 11-character OTP and messageSuffix make an SMS of {chars} characters; at most {SMS_MAX_CHARS} fit")
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

impl ErrorBody {
    /// The same body as one of the generated `models::ErrorResponse` types.
    pub fn to_model<T: serde::de::DeserializeOwned>(&self) -> T {
        // Every generated ErrorResponse has exactly these fields, as strings
        // and the same `type` enum, so this conversion cannot fail.
        serde_json::to_value(self)
            .and_then(serde_json::from_value)
            .expect("ErrorBody matches the generated ErrorResponse")
    }
}

/// RFC 3339 UTC, milliseconds: `2026-11-25T12:00:00.000Z`.
pub fn timestamp_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Contract, OperationId};

    #[test]
    fn status_and_type_come_from_the_operations_rows() {
        let contract = Contract::load().unwrap();
        let tm = contract.get(OperationId::GenerateTelemarketingOtp);
        let (status, body) = ApiError::invalid("phoneNumber", "bad").render(Some(tm), Some("u-1"));
        assert_eq!(
            (status, body.kind.as_str(), body.uuid.as_deref()),
            (400, "invalid", Some("u-1"))
        );
        let rao = contract.get(OperationId::GenerateRaoOtp);
        let (status, body) = ApiError::invalid("sid", "bad").render(Some(rao), None);
        assert_eq!((status, body.kind.as_str()), (400, "error"));
        let (status, body) = ApiError::unavailable().render(Some(rao), None);
        assert_eq!((status, body.kind.as_str()), (500, "fatal"));
        assert!(body.timestamp.ends_with('Z'));
    }

    #[test]
    fn converts_to_both_generated_models() {
        let (_, body) = ApiError::unavailable().render(None, Some("u"));
        let rao: rao_token_management::models::ErrorResponse = body.to_model();
        assert_eq!(rao.code.as_deref(), Some("serverUnavailable"));
        let tm: telemarketing_otp::models::ErrorResponse = body.to_model();
        assert_eq!(tm.uuid.as_deref(), Some("u"));
    }
}
