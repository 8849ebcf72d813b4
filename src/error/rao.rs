//! The RAO API's error table: each domain failure, the documented code it
//! answers (`specs/rao-token-management.yaml`'s `x-error-codes`) and where
//! it points; and the details RAO gives.

use super::code::*;
use super::{common_details, row, At::*, Row};
use crate::otp::{Failure::*, OtpError};

/// Failure → (code, location). The first row of a code is where a forced
/// error of that code (`Prefer: error=`) points.
#[rustfmt::skip]
pub(crate) const TABLE: [Row; 13] = [
    row(NoChallenge, RESOURCE_NOT_FOUND, Field("sid")),
    row(NoCertifiedPhone, RESOURCE_NOT_FOUND, Field("sid")),
    row(WrongOtp, BUSINESS_VALIDATION_FAILED, Field("encryptedOtpToken")),
    row(Expired, BUSINESS_VALIDATION_FAILED, Field("encryptedOtpToken")),
    row(SendThrottled, BUSINESS_VALIDATION_FAILED, Field("encryptedPhoneNumber")),
    row(PhoneLocked, BUSINESS_VALIDATION_FAILED, Field("phone.encryptedPhoneNumber")),
    row(BadNumber, INVALID_REQUEST, PhoneField("encryptedPhoneNumber")),
    row(BadCountryCode, INVALID_REQUEST, PhoneField("phoneCountryCode")),
    row(UndecryptablePhone, INVALID_REQUEST, PhoneField("encryptedPhoneNumber")),
    row(UndecryptableOtp, INVALID_REQUEST, Field("encryptedOtpToken")),
    row(SmsFailed, SERVER_UNAVAILABLE, Field("server")),
    row(MfaFailed, SERVER_UNAVAILABLE, Field("server")),
    row(Internal, SERVER_UNAVAILABLE, Field("server")),
];

/// The details of a RAO error at `location` (`None`: the documented ones).
pub(crate) fn details(error: &OtpError, location: &str) -> Option<String> {
    Some(match error {
        OtpError::NotFound => "No live OTP for this sid and phone".into(),
        OtpError::NoCertifiedPhone => "No certified phone for this sid".into(),
        OtpError::Expired => "The OTP has expired; generate a new one".into(),
        OtpError::Phone(e) => format!("{location}: {e}"),
        OtpError::Undecryptable { cipher, cause, .. } => {
            format!("{location} cannot be decrypted with the client's {cipher} cipher: {cause}")
        }
        _ => return common_details(error),
    })
}
