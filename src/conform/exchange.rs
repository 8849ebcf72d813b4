//! One request and its answer, as a check sees it, and the expectations a
//! check holds an answer to. A broken expectation is a [`Verdict::Fail`]
//! that says what was expected, why (the rule), and what was seen.

use crate::contract::Operation;
use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::Value as Json;

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The target broke the rule.
    Fail { expected: String, seen: String },
    /// The check cannot run against this target; never counted as a pass.
    Skip(String),
}

/// What a check step yields.
pub type Step<T = ()> = Result<T, Verdict>;

/// A failure: `expected`, then what was `seen`.
pub fn fail<T>(expected: impl Into<String>, seen: impl Into<String>) -> Step<T> {
    Err(Verdict::Fail {
        expected: expected.into(),
        seen: seen.into(),
    })
}

/// A skip with its reason.
pub fn skip<T>(reason: impl Into<String>) -> Step<T> {
    Err(Verdict::Skip(reason.into()))
}

/// An answer of the target.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The operation asked, when the request was one.
    pub op: Option<&'static Operation>,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The `uuid` header the request carried (errors must echo it).
    pub uuid: Option<String>,
}

impl Exchange {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Json> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A string field of a JSON body.
    pub fn field(&self, name: &str) -> Option<String> {
        self.json()?.get(name)?.as_str().map(str::to_owned)
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The answer in one line: status, and the error row or the body's
    /// start, with long digit runs (phones, OTPs) masked.
    pub fn describe(&self) -> String {
        redact(&self.describe_raw())
    }

    fn describe_raw(&self) -> String {
        let status = self.status;
        if self.body.is_empty() {
            return format!("{status} (empty body)");
        }
        match self.json() {
            Some(json) if json.get("code").is_some() || json.get("type").is_some() => {
                let plain = |k: &str| match json.get(k) {
                    Some(Json::String(s)) => clip(s, 60),
                    Some(other) => clip(&other.to_string(), 60),
                    None => "-".into(),
                };
                let details = json
                    .get("details")
                    .map(short_json)
                    .unwrap_or_else(|| "-".into());
                format!(
                    "{status} {}/{} at {}: {details}",
                    plain("type"),
                    plain("code"),
                    plain("location")
                )
            }
            Some(json) => format!("{status} {}", clip(&json.to_string(), 120)),
            None => {
                let media = self.header("content-type").unwrap_or("no Content-Type");
                let text = String::from_utf8_lossy(&self.body);
                format!("{status} {media} {:?}", clip(&text, 80))
            }
        }
    }

    /// The status must be one of `statuses`.
    pub fn expect_status(&self, statuses: &[u16], what: &str) -> Step {
        if statuses.contains(&self.status) {
            return Ok(());
        }
        let list: Vec<String> = statuses.iter().map(u16::to_string).collect();
        fail(format!("{what}: {}", list.join(" or ")), self.describe())
    }

    /// The error must be `code` of the operation's documented rows (status
    /// and type from the row), in the full envelope, at `location` if given.
    pub fn expect_error(&self, what: &str, code: &str, location: Option<&str>) -> Step {
        self.expect_one_of(what, &[code], location)
    }

    /// Like [`Self::expect_error`], for any of `codes`.
    pub fn expect_one_of(&self, what: &str, codes: &[&str], location: Option<&str>) -> Step {
        let expected = self.expected_rows(codes, location);
        let expected = format!("{what}: {expected}");
        let Some(json) = self.json() else {
            return fail(expected, self.describe());
        };
        let text = |k: &str| {
            json.get(k)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let matches = codes.iter().any(|code| match self.row(code) {
            Some((status, kind)) => {
                self.status == status && text("type") == kind && text("code") == *code
            }
            None => false,
        });
        let placed = location.is_none_or(|l| text("location") == l);
        if !matches || !placed {
            return fail(expected, self.describe());
        }
        envelope(self).map_err(|problem| Verdict::Fail {
            expected: format!("{what}: the full ErrorResponse (type, code, details, location, moreInfo, timestamp RFC 3339 UTC, uuid echoed)"),
            seen: format!("{}; {problem}", self.describe()),
        })
    }

    /// The (status, type) the operation documents for `code`.
    fn row(&self, code: &str) -> Option<(u16, String)> {
        let row = self.op?.error(code)?;
        Some((row.status, row.kind.clone()))
    }

    fn expected_rows(&self, codes: &[&str], location: Option<&str>) -> String {
        let rows: Vec<String> = codes
            .iter()
            .map(|code| match self.row(code) {
                Some((status, kind)) => format!("{status} {kind}/{code}"),
                None => format!("{code} (not documented!)"),
            })
            .collect();
        let at = location.map(|l| format!(" at {l}")).unwrap_or_default();
        format!("{}{at}", rows.join(" or "))
    }
}

/// docs/BEHAVIOUR.md#error-responses: what is wrong with the error envelope, if anything.
pub fn envelope(exchange: &Exchange) -> Result<(), String> {
    crate::contract::response::check_error_envelope(
        &exchange.headers,
        &exchange.body,
        exchange.uuid.as_deref(),
    )
}

fn short_json(value: &Json) -> String {
    match value {
        Json::String(s) => format!("{:?}", clip(s, 90)),
        other => clip(&other.to_string(), 90),
    }
}

/// `text` with every run of 6 or more digits masked but its last 4 (a
/// phone number, an OTP), as the server's own logs show phones.
pub fn redact(text: &str) -> String {
    crate::phone::mask_digit_runs(text, 6)
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn long_digit_runs_are_masked() {
        assert_eq!(
            redact(r#"200 {"phoneNumber":"5565780029"} at 12:30, code 123456"#),
            r#"200 {"phoneNumber":"******0029"} at 12:30, code **3456"#
        );
    }
}
