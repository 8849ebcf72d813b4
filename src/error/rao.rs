//! The RAO API's error table: each domain failure, the documented code it
//! answers (`specs/rao-token-management.yaml`'s `x-error-codes`) and where
//! it points; and the details RAO gives.

use super::{code, common_details, row, At, Row};
use crate::otp::{Failure, OtpError};

/// Failure → (code, location). The first row of a code is where a forced
/// error of that code (`Prefer: error=`) points.
pub(crate) const TABLE: [Row; 13] = [
    row(
        Failure::NoChallenge,
        code::RESOURCE_NOT_FOUND,
        At::Field("sid"),
    ),
    row(
        Failure::NoCertifiedPhone,
        code::RESOURCE_NOT_FOUND,
        At::Field("sid"),
    ),
    row(
        Failure::WrongOtp,
        code::BUSINESS_VALIDATION_FAILED,
        At::Field("encryptedOtpToken"),
    ),
    row(
        Failure::Expired,
        code::BUSINESS_VALIDATION_FAILED,
        At::Field("encryptedOtpToken"),
    ),
    row(
        Failure::SendThrottled,
        code::BUSINESS_VALIDATION_FAILED,
        At::Field("encryptedPhoneNumber"),
    ),
    row(
        Failure::PhoneLocked,
        code::BUSINESS_VALIDATION_FAILED,
        At::Field("phone.encryptedPhoneNumber"),
    ),
    row(
        Failure::BadNumber,
        code::INVALID_REQUEST,
        At::PhoneField("encryptedPhoneNumber"),
    ),
    row(
        Failure::BadCountryCode,
        code::INVALID_REQUEST,
        At::PhoneField("phoneCountryCode"),
    ),
    row(
        Failure::UndecryptablePhone,
        code::INVALID_REQUEST,
        At::PhoneField("encryptedPhoneNumber"),
    ),
    row(
        Failure::UndecryptableOtp,
        code::INVALID_REQUEST,
        At::Field("encryptedOtpToken"),
    ),
    row(
        Failure::SmsFailed,
        code::SERVER_UNAVAILABLE,
        At::Field("server"),
    ),
    row(
        Failure::MfaFailed,
        code::SERVER_UNAVAILABLE,
        At::Field("server"),
    ),
    row(
        Failure::Internal,
        code::SERVER_UNAVAILABLE,
        At::Field("server"),
    ),
];

/// The details of a RAO error at `location` (`None`: the documented ones).
pub(crate) fn details(error: &OtpError, location: &str) -> Option<String> {
    Some(match error {
        OtpError::NotFound => "No live OTP for this sid and phone".into(),
        OtpError::NoCertifiedPhone => "No certified phone for this sid".into(),
        OtpError::Expired => "The OTP has expired; generate a new one".into(),
        OtpError::Phone(crate::phone::PhoneError::Number) => {
            format!("{location} must decrypt to a phone number of 4 to 15 digits")
        }
        OtpError::Phone(crate::phone::PhoneError::CountryCode) => {
            "phoneCountryCode must be + and 1 to 4 digits".into()
        }
        OtpError::Undecryptable { cipher, cause, .. } => {
            format!("{location} cannot be decrypted with the client's {cipher} cipher: {cause}")
        }
        _ => return common_details(error),
    })
}
