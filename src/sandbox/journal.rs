//! The request journal's bodies (WireMock's journal, `GET
//! /sandbox/v1/requests`), masked as the console masks a request: a phone
//! keeps its last 4 digits (`phoneNumber`, `encryptedPhoneNumber`: its
//! ciphertext would give a `plain` client's number away), wherever it is in
//! the body. OTPs stay: the sandbox's are public by design (its outbox and
//! console show them). Only OTP operations' bodies are kept (the token
//! endpoint's carry secrets), each cut to [`MAX_BODY`] bytes.

use crate::phone::mask;
use bytes::Bytes;
use serde_json::Value;

/// A body as received or sent, kept as it was (a shared buffer, no copy)
/// and masked only when it is shown: the journal is read far less often
/// than it is written, and masking means parsing.
#[derive(Clone, PartialEq)]
pub(crate) struct Body(Bytes);

/// Masked, as shown: the phones it holds stay out of any `{:?}`.
impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Body").field(&body(&self.0)).finish()
    }
}

impl Body {
    /// `bytes` to keep; `None` when empty (nothing to show). A body longer
    /// than [`MAX_BODY`] is shown cut, so only its first `MAX_BODY + 1`
    /// bytes are kept, copied: a slice would keep the whole buffer alive.
    pub(crate) fn kept(bytes: &Bytes) -> Option<Self> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(Self(match bytes.len() > MAX_BODY + 1 {
            true => Bytes::copy_from_slice(&bytes[..MAX_BODY + 1]),
            false => bytes.clone(),
        }))
    }
}

impl serde::Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        body(&self.0).serialize(serializer)
    }
}

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

    #[test]
    fn a_kept_body_is_shown_masked_and_an_empty_one_is_not_kept() {
        let kept = Body::kept(&Bytes::from_static(br#"{"phoneNumber":"1111214678"}"#));
        assert_eq!(
            serde_json::to_value(kept).unwrap(),
            json!({"phoneNumber": "******4678"})
        );
        let kept = Body::kept(&Bytes::from_static(br#"{"phoneNumber":"1111214678"}"#));
        assert!(!format!("{kept:?}").contains("1111214678"));
        assert_eq!(Body::kept(&Bytes::from_static(b" \n")), None);
        // A long body is kept as far as it is shown, and shown as before.
        let long = Bytes::from(format!("[{}]", "1,".repeat(40_000) + "1"));
        let kept = Body::kept(&long).unwrap();
        assert_eq!(kept.0.len(), MAX_BODY + 1);
        assert_eq!(serde_json::to_value(&kept).unwrap(), json!(body(&long)));
    }
}
