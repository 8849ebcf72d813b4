//! The telemarketing API's error table: each domain failure, the
//! documented code it answers (`specs/telemarketing-otp.yaml`'s
//! `x-error-codes`, codes with spaces verbatim) and where it points; and
//! the details telemarketing gives.

use super::{code, common_details, row, At, Row};
use crate::otp::{Failure, OtpError, OTP_LENGTH, SMS_MAX_CHARS};

/// Failure → (code, location). The first row of a code is where a forced
/// error of that code (`Prefer: error=`) points.
pub(crate) const TABLE: [Row; 11] = [
    row(
        Failure::NoChallenge,
        code::INVALID_REQUEST,
        At::Field("sid"),
    ),
    row(
        Failure::WrongOtp,
        code::OTP_TOKEN_INVALID,
        At::Field("oneTimePasswordToken"),
    ),
    row(
        Failure::Expired,
        code::OTP_TOKEN_EXPIRED,
        At::Field("oneTimePasswordToken"),
    ),
    row(
        Failure::SendThrottled,
        code::INVALID_REQUEST,
        At::Field("phoneNumber"),
    ),
    row(
        Failure::PhoneLocked,
        code::INVALID_REQUEST,
        At::Field("oneTimePasswordToken"),
    ),
    row(
        Failure::BadNumber,
        code::INVALID_REQUEST,
        At::Field("phoneNumber"),
    ),
    row(
        Failure::BadCountryCode,
        code::INVALID_REQUEST,
        At::Field("countryCode"),
    ),
    row(
        Failure::MessageTooLong,
        code::INVALID_REQUEST,
        At::Field("messagePrefix"),
    ),
    row(
        Failure::SmsFailed,
        code::SMS_DELIVERY_FAILED,
        At::Field("phoneNumber"),
    ),
    row(Failure::MfaFailed, code::BACKEND_ERROR, At::Field("server")),
    row(
        Failure::Internal,
        code::SERVER_UNAVAILABLE,
        At::Field("server"),
    ),
];

/// The details of a telemarketing error (`None`: the documented ones).
pub(crate) fn details(error: &OtpError, _location: &str) -> Option<String> {
    Some(match error {
        OtpError::NotFound => "Unknown, used or burnt session: generate a new OTP".into(),
        OtpError::Expired => "OTP Token Expired".into(),
        OtpError::Phone(e) => format!("phoneNumber: {e}"),
        OtpError::MessageTooLong { chars } => format!(
            "messagePrefix, the {OTP_LENGTH}-character OTP and messageSuffix make an SMS of {chars} characters; at most {SMS_MAX_CHARS} fit"
        ),
        _ => return common_details(error),
    })
}
