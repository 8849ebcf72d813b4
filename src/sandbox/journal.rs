//! The request journal's bodies (WireMock's journal, `GET
//! /sandbox/v1/requests`), masked as the console masks a request: a phone
//! keeps its last 4 digits (`phoneNumber`, `encryptedPhoneNumber`: its
//! ciphertext would give a `plain` client's number away), wherever it is in
//! the body. OTPs stay: the sandbox's are public by design (its outbox and
//! console show them). Only OTP operations' bodies are kept (the token
//! endpoint's carry secrets), each cut to [`MAX_BODY`] bytes.

use crate::phone::mask;
use serde_json::Value;

/// Longest body kept, in bytes.
pub(crate) const MAX_BODY: usize = 4096;

/// A body as the journal shows it: JSON, masked, or the text cut short;
/// `None` when empty.
pub(crate) fn body(bytes: &[u8]) -> Option<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut json) if bytes.len() <= MAX_BODY => {
            masked(&mut json);
            Some(json)
        }
        _ => {
            let cut = &bytes[..bytes.len().min(MAX_BODY)];
            let mut text = String::from_utf8_lossy(cut).into_owned();
            if bytes.len() > MAX_BODY {
                text.push('…');
            }
            Some(Value::String(mask_digit_runs(&text)))
        }
    }
}

/// Masks every phone of `json` in place.
fn masked(json: &mut Value) {
    match json {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let phone = matches!(key.as_str(), "phoneNumber" | "encryptedPhoneNumber");
                match value {
                    Value::String(text) if phone => *text = mask(text),
                    other => masked(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(masked),
        _ => {}
    }
}

/// Text that is not JSON: runs of 7 digits or more (phones) keep their
/// last 4.
fn mask_digit_runs(text: &str) -> String {
    crate::phone::mask_digit_runs(text, 7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phones_keep_their_last_4_digits_and_otps_stay() {
        let rao = br#"{"encryptedOtpToken":"MTIzNDU2","phone":{"phoneCountryCode":"+52","encryptedPhoneNumber":"NTUxMjM0NTY3OA=="}}"#;
        assert_eq!(
            body(rao),
            Some(
                json!({"encryptedOtpToken":"MTIzNDU2","phone":{"phoneCountryCode":"+52","encryptedPhoneNumber":"************OA=="}})
            )
        );
        let tm = br#"{"customerId":"c","phoneNumber":"1111214678"}"#;
        assert_eq!(body(tm).unwrap()["phoneNumber"], "******4678");
        assert_eq!(body(b""), None);
        assert_eq!(body(b"to 5512345678 now"), Some(json!("to ******5678 now")));
    }
}
