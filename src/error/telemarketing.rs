//! The telemarketing API's error table: each domain failure, the
//! documented code it answers (`specs/telemarketing-otp.yaml`'s
//! `x-error-codes`, codes with spaces verbatim) and where it points; and
//! the details telemarketing gives.

use super::code::*;
use super::{common_details, row, At::*, Row};
use crate::otp::{Failure::*, OtpError, OTP_LENGTH, SMS_MAX_CHARS};

/// Failure → (code, location). The first row of a code is where a forced
/// error of that code (`Prefer: error=`) points.
#[rustfmt::skip]
pub(crate) const TABLE: [Row; 11] = [
    row(NoChallenge, INVALID_REQUEST, Field("sid")),
    row(WrongOtp, OTP_TOKEN_INVALID, Field("oneTimePasswordToken")),
    row(Expired, OTP_TOKEN_EXPIRED, Field("oneTimePasswordToken")),
    row(SendThrottled, INVALID_REQUEST, Field("phoneNumber")),
    row(PhoneLocked, INVALID_REQUEST, Field("oneTimePasswordToken")),
    row(BadNumber, INVALID_REQUEST, Field("phoneNumber")),
    row(BadCountry, INVALID_REQUEST, Field("countryCode")),
    row(MessageTooLong, INVALID_REQUEST, Field("messagePrefix")),
    row(SmsFailed, SMS_DELIVERY_FAILED, Field("phoneNumber")),
    row(MfaFailed, BACKEND_ERROR, Field("server")),
    row(Internal, SERVER_UNAVAILABLE, Field("server")),
];

/// The details of a telemarketing error (`None`: the documented ones).
pub(crate) fn details(error: &OtpError, location: &str) -> Option<String> {
    Some(match error {
        OtpError::NotFound => "Unknown, used or burnt session: generate a new OTP".into(),
        OtpError::Expired => "OTP Token Expired".into(),
        OtpError::Phone(e) => format!("{location}: {e}"),
        OtpError::MessageTooLong { chars } => format!(
            "messagePrefix, the {OTP_LENGTH}-character OTP and messageSuffix make an SMS of {chars} characters; at most {SMS_MAX_CHARS} fit"
        ),
        _ => return common_details(error),
    })
}
